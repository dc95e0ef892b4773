"""The default expression-of-interest questionnaire: the questions the former fixed form asked,
now editable by staff on the site. The three eligibility declarations stay mandatory (see
`services.questionnaires`)."""

from django.db import migrations

QUESTIONS = [
    ("expertise", "long_text", "خبرتك ذات الصلة بهذا المحور", "Your expertise relevant to this theme"),
    ("motivation", "long_text", "لماذا ترغب في المشاركة؟", "Why do you want to take part?"),
    ("civic_activity", "long_text", "نشاطك المدني (المنظمة، المبادرة، مجال العمل)",
     "Your civic activity (organisation, initiative, field of work)"),
    ("declares_syrian", "declaration", "أنا سوري/ة.", "I am Syrian."),
    ("declares_civic_work", "declaration",
     "أنا ناشط/ة في العمل المدني، بصفة فردية أو ضمن منظمة مجتمع مدني أو مبادرة.",
     "I am active in civic work, individually, in a civil-society organisation or in an initiative."),
    ("declares_no_affiliation", "declaration", "لست منتسبًا/ة إلى أي وفد رسمي أو حزب سياسي أو تشكيل عسكري.",
     "I am not part of any official delegation, political party or military formation."),
]


def create(apps, schema_editor):
    Questionnaire = apps.get_model("workgroups", "Questionnaire")
    Question = apps.get_model("workgroups", "Question")
    if Questionnaire.objects.filter(purpose="interest").exists():
        return
    title_ar, title_en = "استبيان إبداء الاهتمام بالمشاركة", "Expression-of-interest questionnaire"
    intro_ar = "المشاركة طوعية. أخبر فريق الدعم التشغيلي بالمحور الذي ترغب في العمل عليه."
    intro_en = "Participation is voluntary. Tell the operations support team which theme you would like to work on."
    questionnaire = Questionnaire.objects.create(
        purpose="interest", status="open", audience="all", is_anonymous=False,
        title=title_ar, title_ar=title_ar, title_en=title_en, intro=intro_ar, intro_ar=intro_ar, intro_en=intro_en,
    )
    for position, (key, kind, text_ar, text_en) in enumerate(QUESTIONS):
        Question.objects.create(questionnaire=questionnaire, key=key, kind=kind, position=position, is_required=True,
                                text=text_ar, text_ar=text_ar, text_en=text_en)


def remove(apps, schema_editor):
    apps.get_model("workgroups", "Questionnaire").objects.filter(purpose="interest").delete()


class Migration(migrations.Migration):
    dependencies = [("workgroups", "0010_questionnaires")]
    operations = [migrations.RunPython(create, remove)]
