"""Search across everything a member may see: each kind, the permission core's filters, file text,
light stemming and hostile queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat import services as chat_services
from chat.models import Message
from cssr import arabic, search
from documents import extraction
from documents.models import ArchiveEntry, Document, Draft
from documents.services import drafts as draft_services
from documents.services import library as library_services
from events import services as event_services
from tests.test_documents_library import docx_bytes, minimal_pdf, upload
from workgroups import services
from workgroups.models import Membership, Question, Questionnaire
from workgroups.selectors import search as search_selector
from workgroups.services import questionnaires as questionnaire_services

URL = reverse("workgroups:search")


def found(client, query):
    """{kind: [titles]} of the search page's results for `query`."""
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    kinds = {}
    for group in response.context["groups"]:
        assert group.count >= len(group.results)
        kinds[group.key] = [result.title for result in group.results]
    return kinds


def make_event(space, actor, title, description=""):
    starts = timezone.now() + datetime.timedelta(days=3)
    return event_services.event_create(
        actor=actor,
        space=space,
        title=title,
        description=description,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        time_zone="Asia/Damascus",
    )


def make_questionnaire(space, actor, title, intro="", questions=()):
    questionnaire = questionnaire_services.questionnaire_create(
        actor=actor, space=space, title_ar=title, intro_ar=intro
    )
    for text in questions:
        questionnaire_services.question_add(
            actor=actor, questionnaire=questionnaire, text_ar=text, kind=Question.Kind.LONG_TEXT
        )
    Questionnaire.objects.filter(pk=questionnaire.pk).update(status=Questionnaire.Status.OPEN)
    return questionnaire


def fill_space(world, space, word, *, author):
    """One item of every kind in `space`, each holding `word`."""
    rapporteur = world["users"]["rapporteur"] if space == world["space"] else author
    services.thread_create(actor=author, space=space, title=f"نقاش حول {word}", body=f"نص عن {word}")
    services.concern_propose(actor=author, space=space, title=f"هم {word}", description="وصف")
    library_services.document_create(
        actor=author, space=space, title=f"ورقة {word}", upload=upload("a.txt", "نص".encode())
    )
    draft = draft_services.draft_create(actor=author, space=space, title="مسودة")
    section = draft.sections.get()
    draft_services.section_save(actor=author, section=section, text=f"فقرة عن {word}", base_revision=0)
    make_event(space, author, f"لقاء {word}")
    make_questionnaire(space, rapporteur, f"استبيان {word}", questions=[f"ما رأيك في {word}؟"])
    conversation = chat_services.space_conversation_get_or_create(space=space)
    chat_services.message_send(actor=author, conversation=conversation, body=f"رسالة عن {word}")


# --- Every kind -----------------------------------------------------------------------------------


def test_every_kind_a_member_may_see_is_found_in_one_grouped_page(world, clients):
    space, member = world["space"], world["users"]["member"]
    fill_space(world, space, "الانتخابات", author=member)
    services.agenda_item_propose(actor=world["users"]["rapporteur"], space=space, title="بند الانتخابات")
    kinds = found(clients["member"], "انتخابات")
    assert set(kinds) == {
        "thread",
        "post",
        "concern",
        "agenda",
        "document",
        "draft",
        "event",
        "questionnaire",
        "message",
    }
    assert kinds["draft"] == ["مسودة"]  # found by the text of its section
    page = clients["member"].get(URL, {"q": "انتخابات"}).content.decode()
    assert page.count("<h2") == 9 and "<mark>" in page


def test_the_archive_is_found_by_every_participant(world, clients, settings):
    space = world["space"]
    document = library_services.document_create(
        actor=world["users"]["member"],
        space=space,
        title="تقرير المعتقلين",
        upload=upload("a.pdf", minimal_pdf()),
    )
    space.status = type(space).Status.CONCLUDED
    space.save(update_fields=["status"])
    library_services.archive_publish_document(actor=world["users"]["staff"], document=document)
    assert ArchiveEntry.objects.count() == 1
    assert found(clients["outsider"], "للمعتقلين")["archive"] == ["تقرير المعتقلين"]
    assert clients["anonymous"].get(URL, {"q": "المعتقلين"}).status_code == 302
    # An entry whose file is gone still stands in the archive's pages, and so in search.
    ArchiveEntry.objects.update(version=None)
    entry = ArchiveEntry.objects.get()
    assert clients["outsider"].get(entry.get_absolute_url()).status_code == 200
    assert found(clients["outsider"], "للمعتقلين")["archive"] == ["تقرير المعتقلين"]


# --- What may not be seen -------------------------------------------------------------------------


def test_nothing_of_another_space_is_found(world, clients):
    fill_space(world, world["other_space"], "الدستور", author=world["users"]["other_member"])
    assert set(found(clients["other_member"], "الدستور")) >= {"thread", "document", "event", "message"}
    for role in ("member", "outsider", "locked_member", "rapporteur", "technical_officer"):
        assert found(clients[role], "الدستور") == {}, role


def test_a_group_conversation_is_found_only_by_its_participants(world, clients):
    users = world["users"]
    conversation = chat_services.group_conversation_create(
        actor=users["member"], space=world["space"], title="مجموعة", members=[users["rapporteur"]]
    )
    chat_services.message_send(actor=users["member"], conversation=conversation, body="موعد التفاوض")
    assert found(clients["rapporteur"], "التفاوض") == {"message": ["مجموعة"]}
    assert found(clients["member"], "والتفاوض") == {"message": ["مجموعة"]}
    assert found(clients["political_officer"], "التفاوض") == {}


def test_hidden_deleted_and_removed_items_are_not_found(world, clients):
    users, space = world["users"], world["space"]
    thread = services.thread_create(actor=users["member"], space=space, title="موضوع", body="مقدمة")
    post = services.post_create(actor=users["member"], thread=thread, body="رد عن المحاصصة")
    services.post_hide(actor=users["technical_officer"], post=post, reason="مخالفة")
    conversation = chat_services.space_conversation_get_or_create(space=space)
    message = chat_services.message_send(actor=users["member"], conversation=conversation, body="المحاصصة")
    chat_services.message_delete(actor=users["member"], message=message)
    assert Message.objects.filter(search_text__contains=" محاصص").exists()
    assert found(clients["rapporteur"], "المحاصصة") == {}


def test_a_member_who_leaves_no_longer_finds_the_space(world, clients):
    member = world["users"]["member"]
    services.thread_create(actor=member, space=world["space"], title="خطة العمل", body="نص")
    assert found(clients["member"], "خطة") == {"thread": ["خطة العمل"]}
    services.membership_leave(
        actor=member, membership=Membership.objects.get(space=world["space"], user=member)
    )
    assert found(clients["member"], "خطة") == {}


# --- Files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "query"),
    [
        ("a.pdf", minimal_pdf("Transitional justice elections"), "election"),
        ("a.docx", docx_bytes("توصيات حول العدالة الانتقالية"), "والعدالة"),
        ("a.txt", "سجل المفقودين في حلب".encode(), "المفقود"),
    ],
)
def test_the_text_of_pdf_docx_and_txt_files_is_found(world, clients, name, data, query):
    library_services.document_create(
        actor=world["users"]["member"], space=world["space"], title="ملف", upload=upload(name, data)
    )
    assert found(clients["member"], query) == {"document": ["ملف"]}
    assert found(clients["outsider"], query) == {}


def test_a_new_version_replaces_the_file_text_and_details_keep_it(world, clients):
    member = world["users"]["member"]
    document = library_services.document_create(
        actor=member, space=world["space"], title="ملف", upload=upload("a.txt", "اللاجئين".encode())
    )
    library_services.document_update(actor=member, document=document, title="ملف جديد")
    assert found(clients["member"], "لاجئ") == {"document": ["ملف جديد"]}
    library_services.document_version_add(
        actor=member, document=document, upload=upload("b.txt", "السكن".encode())
    )
    assert found(clients["member"], "لاجئ") == {}
    assert found(clients["member"], "بالسكن") == {"document": ["ملف جديد"]}


def test_a_malformed_pdf_gives_no_text_and_no_error(world):
    assert extraction.extract_text(b"%PDF-1.4\n garbage", "pdf") == ""
    assert extraction.extract_text(b"PK\x03\x04 not a zip", "docx") == ""
    assert extraction.extract_text(b"\xff\xfe\x00", "txt") == "\ufffd\ufffd"
    broken = minimal_pdf().replace(b"/Contents 4 0 R", b"/Contents 9 0 R")
    document = library_services.document_create(
        actor=world["users"]["member"], space=world["space"], title="ملف", upload=upload("a.pdf", broken)
    )
    assert document.current_version.extracted_text == ""


def test_file_text_is_bounded(world):
    text = ("كلمة " * 300_000).encode()
    assert len(extraction.extract_text(text, "txt")) == extraction.MAX_CHARACTERS


# --- Stemming and highlighting --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["والانتخابات", "بالانتخابات", "الانتخابات", "انتخابات", "الإنتخابات", "انتخابي", "انتخ"]
)
def test_prefix_and_suffix_variants_meet(query):
    indexed = search.index_text("نتائج الانتخابات البلدية")
    assert all(search.term_matches(term, indexed.split()) for term in search.query_terms(query)), indexed


def test_stems_keep_short_words_whole():
    assert arabic.stem("وزاره") == "وزار"  # a word's own first letter و is kept
    assert arabic.stem("بلد") == "بلد"
    assert arabic.stem(arabic.normalize("للمعتقلين")) == "معتقل"
    assert arabic.stem("elections") == "election"


def test_highlight_marks_the_words_that_matched_by_stem():
    assert search.highlight("نتائج الانتخابات", "بالانتخابات") == "نتائج <mark>الانتخابات</mark>"
    assert search.highlight("معلم العلم", "علم") == "معلم ال<mark>علم</mark>"


def test_drafts_are_indexed_with_their_current_text(world):
    member = world["users"]["member"]
    draft = draft_services.draft_create(actor=member, space=world["space"], title="مسودة")
    section = draft.sections.get()
    draft_services.section_save(actor=member, section=section, text="**المساءلة**", base_revision=0)
    draft_services.section_save(actor=member, section=section, text="السلام", base_revision=1)
    search_text = Draft.objects.get(pk=draft.pk).search_text
    assert " سلام " in search_text and "مساءله" not in search_text


def _questionnaire_found(client, query):
    """The questionnaire results for `query`: [(title, excerpt HTML)]."""
    response = client.get(URL, {"q": query})
    groups = [group for group in response.context["groups"] if group.key == "questionnaire"]
    return [(result.title, str(result.excerpt)) for group in groups for result in group.results]


def test_a_questionnaire_is_found_by_its_questions_and_shows_the_one_that_matched(world, clients):
    rapporteur = world["users"]["rapporteur"]
    questionnaire = make_questionnaire(
        world["space"], rapporteur, "استبيان الأولويات", questions=["ما أولويات إعادة الإعمار في حلب؟"]
    )
    question = questionnaire.questions.get()
    questionnaire_services.question_update(
        actor=rapporteur,
        question=question,
        text_ar=question.text_ar,
        text_en="What should reconstruction in Aleppo put first?",
        help_text_ar="اذكر ثلاث أولويات للمدارس والمستشفيات.",
    )
    [(title, excerpt)] = _questionnaire_found(clients["member"], "الإعمار")
    assert title == "استبيان الأولويات" and "<mark>الإعمار</mark>" in excerpt
    assert _questionnaire_found(clients["member"], "بالمستشفيات")  # the explanation, by its stem
    assert _questionnaire_found(clients["member"], "reconstruction")  # the English text
    assert _questionnaire_found(clients["outsider"], "الإعمار") == []  # the audience still decides


def test_a_changed_or_removed_question_is_indexed_again(world, clients):
    rapporteur = world["users"]["rapporteur"]
    questionnaire = make_questionnaire(
        world["space"], rapporteur, "استبيان", questions=["هل تؤيد اللامركزية؟", "ما رأيك في المياه؟"]
    )
    first, second = questionnaire.questions.order_by("position")
    questionnaire_services.question_update(actor=rapporteur, question=first, text_ar="هل تؤيد الفيدرالية؟")
    assert not _questionnaire_found(clients["member"], "اللامركزية")
    assert _questionnaire_found(clients["member"], "الفيدرالية")
    questionnaire_services.question_delete(actor=rapporteur, question=second)
    assert not _questionnaire_found(clients["member"], "المياه")


def test_questions_edited_in_the_admin_are_indexed_again(world, clients, rf):
    from django.contrib import admin

    rapporteur, staff = world["users"]["rapporteur"], world["users"]["staff"]
    questionnaire = make_questionnaire(world["space"], rapporteur, "استبيان", questions=["سؤال عن الكهرباء"])
    question = questionnaire.questions.get()
    question.text_ar = question.text = "سؤال عن الاتصالات"
    admin.site._registry[Question].save_model(rf.post("/"), question, form=None, change=True)
    assert not _questionnaire_found(clients["member"], "الكهرباء")
    assert _questionnaire_found(clients["member"], "الاتصالات")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        title="استبيان الخدمات", title_ar="استبيان الخدمات"
    )
    questionnaire.refresh_from_db()  # as the admin's form saved it
    request = rf.post("/")
    request.user = staff
    form = type("Form", (), {"instance": questionnaire, "save_m2m": lambda self: None})()
    admin.site._registry[Questionnaire].save_related(request, form, formsets=[], change=True)
    assert _questionnaire_found(clients["member"], "الخدمات")


# --- Cost and hostile input -----------------------------------------------------------------------


def test_the_results_page_costs_the_same_whatever_the_data(world, clients, django_assert_max_num_queries):
    space, member = world["space"], world["users"]["member"]
    fill_space(world, space, "الحوكمة", author=member)
    with CaptureQueriesContext(connection) as few:
        found(clients["member"], "الحوكمة")
    for _ in range(4):
        fill_space(world, space, "الحوكمة", author=member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        kinds = found(clients["member"], "الحوكمة")
    assert len(kinds["thread"]) == 5 and len(kinds["message"]) == 5
    assert len(few.captured_queries) <= 50


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "س" * 10_000,
        "١٢٣٤٥٦٧٨٩٠ ۱۲۳ ¹²³ 𝟙𝟚𝟛",
        "%' OR 1=1 --",
        "\x00\u202e\u200f",
        " ".join(["كلمة"] * 500),
        "ـــ",
    ],
)
def test_hostile_queries_are_answered(world, clients, query):
    services.thread_create(
        actor=world["users"]["member"], space=world["space"], title="script 123", body="نص"
    )
    response = clients["member"].get(URL, {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_the_search_selector_registers_every_kind():
    assert [source.key for source in search_selector.SOURCES] == [
        "thread",
        "post",
        "concern",
        "agenda",
        "document",
        "draft",
        "event",
        "questionnaire",
        "message",
        "archive",
    ]
    assert Document.objects.model is Document


def test_the_migration_indexes_the_questions_of_existing_questionnaires(world, clients):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("workgroups.migrations.0017_questionnaire_question_search")
    make_questionnaire(world["space"], world["users"]["rapporteur"], "استبيان", questions=["عن النازحين"])
    Questionnaire.objects.update(search_text=" استبيان استب ")  # as indexed before the questions were
    assert not _questionnaire_found(clients["member"], "النازحين")
    migration.index_questions(apps, None)
    assert _questionnaire_found(clients["member"], "النازحين")
