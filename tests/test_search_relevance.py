"""A relevance set for search: a small Arabic corpus across the kinds (with decoys that share letters
with the real answers) and queries with the results they must give.

Prints recall and precision, overall and per category of query; requires every spelling and
prefix variant to find all it should, and no query to find anything unrelated.
"""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from chat import services as chat_services
from documents.services import drafts as draft_services
from documents.services import library as library_services
from events import services as event_services
from tests.test_documents_library import minimal_pdf, upload
from workgroups import services
from workgroups.models import Questionnaire
from workgroups.selectors import search as search_selector
from workgroups.services import questionnaires as questionnaire_services

ELECTIONS = "نتائج الانتخابات"
DETAINEES = "حقوق المعتقلين"
JUSTICE = "ورقة العدالة الانتقالية"
CONSTITUTION = "لقاء حول الدستور"
RESPONSIBILITY = "مسودة المسؤولية"
EDUCATION = "استبيان التعليم"
MEETING = "مجموعة التنسيق"
REFUGEES = "بند اللاجئين"
WOMEN = "المرأة والسلام"
ENGLISH = "ورقة بالإنجليزية"
# Decoys: they share letters, not words, with the answers above.
TEACHER = "معلم المدرسة"
ELITES = "نخبة سياسية"
REASON = "عقل مفتوح"
STAIRS = "سلالم البناء"
FIELDS = "الحقول الزراعية"
# The questionnaire every platform has (its title speaks of taking part).
INTEREST = "استبيان إبداء الاهتمام بالمشاركة"

QUERIES = [
    # prefix variants: article, conjunctions and prepositions attached
    ("prefix", "الانتخابات", {ELECTIONS}),
    ("prefix", "والانتخابات", {ELECTIONS}),
    ("prefix", "بالانتخابات", {ELECTIONS}),
    ("prefix", "انتخابات", {ELECTIONS}),
    ("prefix", "للانتخابات", {ELECTIONS}),
    ("prefix", "فالانتخابات", {ELECTIONS}),
    ("prefix", "وانتخابات", {ELECTIONS}),
    ("prefix", "بانتخابات", {ELECTIONS}),
    ("prefix", "للمعتقلين", {DETAINEES}),
    ("prefix", "والمعتقلين", {DETAINEES}),
    ("prefix", "بالدستور", {CONSTITUTION}),
    ("prefix", "والدستور", {CONSTITUTION}),
    ("prefix", "كالدستور", {CONSTITUTION}),
    ("prefix", "وبالدستور", {CONSTITUTION}),
    ("prefix", "للاجئين", {REFUGEES}),
    ("prefix", "بالعدالة", {JUSTICE}),
    ("prefix", "والمساءلة", {JUSTICE}),
    # spelling variants: hamza seats, ta marbuta, alef maqsura, diacritics, tatweel
    ("spelling", "الإنتخابات", {ELECTIONS}),
    ("spelling", "الأنتخابات", {ELECTIONS}),
    ("spelling", "مسئولية", {RESPONSIBILITY}),
    ("spelling", "مسؤوليه", {RESPONSIBILITY}),
    ("spelling", "الدوله", {RESPONSIBILITY}),
    ("spelling", "العَدَالَة", {JUSTICE}),
    ("spelling", "العدالـــة", {JUSTICE}),
    ("spelling", "الاحد", {MEETING}),
    ("spelling", "الأحَد", {MEETING}),
    ("spelling", "القري", {EDUCATION}),
    ("spelling", "مبني", {MEETING}),
    ("spelling", "الافراج", {DETAINEES}),
    ("spelling", "المسائلة", {JUSTICE}),
    ("spelling", "اللآجئين", {REFUGEES}),
    # suffix and plural variants
    ("suffix", "انتخابي", {ELECTIONS}),
    ("suffix", "الانتخابية", {ELECTIONS}),
    ("suffix", "معتقل", {DETAINEES}),
    ("suffix", "المعتقل", {DETAINEES}),
    ("suffix", "معتقلون", {DETAINEES}),
    ("suffix", "حقوقهم", {DETAINEES}),
    ("suffix", "اللاجئ", {REFUGEES}),
    ("suffix", "مقترح", {JUSTICE}),
    ("suffix", "مشاركات", {WOMEN, INTEREST}),
    ("suffix", "البلدي", {ELECTIONS, MEETING}),
    # several words: every one must match
    ("multi-word", "حقوق المعتقلين", {DETAINEES}),
    ("multi-word", "مسودة الدستور", {CONSTITUTION}),
    ("multi-word", "الانتخابات البلدية", {ELECTIONS}),
    ("multi-word", "العدالة الانتقالية", {JUSTICE}),
    ("multi-word", "مسودة المسئولية", {RESPONSIBILITY}),
    # English
    ("english", "elections", {ENGLISH}),
    ("english", "Election", {ENGLISH}),
    ("english", "constitutional", {ENGLISH}),
    ("english", "REFORMS", {ENGLISH}),
    # the beginning of a word, as typed
    ("partial", "انتخ", {ELECTIONS}),
    ("partial", "المعتق", {DETAINEES}),
    # decoys: letters in common are not a match
    ("decoy", "العلم", set()),
    ("decoy", "النخب", {ELITES}),
    ("decoy", "عقل", {REASON}),
    ("decoy", "سلام", {WOMEN}),
    ("decoy", "حقول", {FIELDS}),
]


@pytest.fixture
def corpus(world):
    space, users = world["space"], world["users"]
    member, rapporteur = users["member"], users["rapporteur"]
    services.thread_create(
        actor=member, space=space, title=ELECTIONS, body="نتائج الانتخابات البلدية في المدينة"
    )
    services.concern_propose(
        actor=member, space=space, title=DETAINEES, description="الإفراج عن المعتقلين وكشف مصير المفقودين"
    )
    library_services.document_create(
        actor=member,
        space=space,
        title=JUSTICE,
        upload=upload("a.txt", "مقترحات حول العدالة الانتقالية والمساءلة".encode()),
    )
    starts = timezone.now() + datetime.timedelta(days=2)
    event_services.event_create(
        actor=member,
        space=space,
        title=CONSTITUTION,
        description="مناقشة مسودة الدستور الجديد",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        time_zone="Asia/Damascus",
    )
    draft = draft_services.draft_create(actor=member, space=space, title=RESPONSIBILITY)
    draft_services.section_save(
        actor=member, section=draft.sections.get(), text="مسؤولية الدولة عن حماية المدنيين", base_revision=0
    )
    questionnaire = questionnaire_services.questionnaire_create(
        actor=rapporteur, space=space, title_ar=EDUCATION, intro_ar="احتياجات المدارس في القرى"
    )
    Questionnaire.objects.filter(pk=questionnaire.pk).update(status=Questionnaire.Status.OPEN)
    conversation = chat_services.group_conversation_create(
        actor=member, space=space, title=MEETING, members=[rapporteur]
    )
    chat_services.message_send(
        actor=member, conversation=conversation, body="موعد الاجتماع القادم يوم الأحد في مبنى البلدية"
    )
    services.agenda_item_propose(
        actor=rapporteur, space=space, title=REFUGEES, description="عودة طوعية وآمنة"
    )
    services.thread_create(actor=member, space=space, title=WOMEN, body="مشاركة النساء في مفاوضات السلام")
    library_services.document_create(
        actor=member,
        space=space,
        title=ENGLISH,
        upload=upload("b.pdf", minimal_pdf("Constitutional reform and elections")),
    )
    services.thread_create(actor=member, space=space, title=TEACHER, body="المعلم في الصف")
    services.concern_propose(actor=member, space=space, title=ELITES, description="النخب الحاكمة")
    event_services.event_create(
        actor=member,
        space=space,
        title=REASON,
        description="العقلانية في الحوار",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        time_zone="Asia/Damascus",
    )
    services.thread_create(actor=member, space=space, title=STAIRS, body="سلالم البناء القديم")
    services.thread_create(actor=member, space=space, title=FIELDS, body="ري الحقول")
    return member


def test_relevance_set(corpus, capsys):
    assert len(QUERIES) >= 40
    per_category = defaultdict(lambda: {"relevant": 0, "found_relevant": 0, "found": 0, "queries": 0})
    failures = []
    for category, query, expected in QUERIES:
        groups = search_selector.search(user=corpus, query=query)
        got = {result.title for group in groups for result in group.results}
        totals = per_category[category]
        totals["queries"] += 1
        totals["relevant"] += len(expected)
        totals["found_relevant"] += len(got & expected)
        totals["found"] += len(got)
        if got != expected:
            failures.append((category, query, sorted(expected - got), sorted(got - expected)))

    def ratio(part, whole):
        return part / whole if whole else 1.0

    overall = {
        key: sum(totals[key] for totals in per_category.values()) for key in next(iter(per_category.values()))
    }
    lines = [f"{'category':<12} {'queries':>7} {'recall':>7} {'precision':>9}"]
    for category, totals in [*per_category.items(), ("overall", overall)]:
        recall = ratio(totals["found_relevant"], totals["relevant"])
        precision = ratio(totals["found_relevant"], totals["found"])
        lines.append(f"{category:<12} {totals['queries']:>7} {recall:>7.3f} {precision:>9.3f}")
    lines += [
        f"miss/extra {category} «{query}»: missing {missing}, unrelated {extra}"
        for category, query, missing, extra in failures
    ]
    with capsys.disabled():
        print("\nSearch relevance\n" + "\n".join(lines))
    for category in ("spelling", "prefix"):
        totals = per_category[category]
        assert totals["found_relevant"] == totals["relevant"], failures
    assert overall["found_relevant"] == overall["found"], failures  # precision 1.0: nothing unrelated
