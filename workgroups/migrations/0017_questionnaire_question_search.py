"""Search finds a questionnaire by the texts of its questions too: index the existing ones again."""

import itertools

from django.db import migrations

from cssr.search import index_text


def index_questions(apps, schema_editor):
    Questionnaire = apps.get_model("workgroups", "Questionnaire")
    Question = apps.get_model("workgroups", "Question")
    texts = {}
    for row in Question.objects.order_by("questionnaire_id", "position", "pk").values_list(
        "questionnaire_id", "text_ar", "text_en", "help_text_ar", "help_text_en"
    ):
        texts.setdefault(row[0], []).append(row[1:])
    batch = []
    for questionnaire in Questionnaire.objects.iterator(chunk_size=500):
        questionnaire.search_text = index_text(
            questionnaire.title_ar,
            questionnaire.title_en,
            questionnaire.intro_ar,
            questionnaire.intro_en,
            *itertools.chain.from_iterable(texts.get(questionnaire.pk, ())),
        )
        batch.append(questionnaire)
        if len(batch) == 500:
            Questionnaire.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Questionnaire.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("workgroups", "0016_thread_reads"),
    ]

    operations = [
        migrations.RunPython(index_questions, migrations.RunPython.noop),
    ]
