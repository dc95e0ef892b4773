"""Co-drafting, the final briefing note, exports and the outputs inbox."""

import io
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cssr.text import render_markdown
from documents import diff, exports
from documents.models import Draft, Section, SectionComment, SectionRevision, SharingDecision
from documents.services import drafts as services
from workgroups import services as workgroup_services
from workgroups.models import Contribution, Notification

from . import factories
from .hostile_corpus import HOSTILE_MARKDOWN

pytestmark = pytest.mark.django_db

SENTENCE_1 = "المواطنة المتساوية وسيادة القانون أساس العقد الاجتماعي الجديد"
SENTENCE_2 = "تباينت الآراء حول توقيت الإصلاح الدستوري وعلاقته بالانتخابات"


def _draft(world, text=SENTENCE_1, author="member"):
    actor = world["users"][author]
    draft = services.draft_create(actor=actor, space=world["space"], title="ورقة المبادئ")
    section = draft.sections.get()
    if text:
        services.section_save(actor=actor, section=section, text=text, base_revision=0)
    return draft, section


def _note(world, texts=None):
    rapporteur = world["users"]["rapporteur"]
    note = services.final_note_create(actor=rapporteur, space=world["space"], title="مذكرة الإحاطة الختامية")
    texts = texts if texts is not None else {"introduction": SENTENCE_1, "divergence": SENTENCE_2}
    for key, value in texts.items():
        section = note.sections.get(key=key)
        services.section_save(
            actor=rapporteur, section=section, text=value, base_revision=section.revision_number
        )
    return note


def _advance(note, actor, *steps):
    for step in steps:
        services.draft_transition(actor=actor, draft=note, to=step)


def _edit_url(world, draft, section):
    return reverse("documents:section-edit", args=[world["space"].pk, draft.pk, section.pk])


# --- revisions and optimistic concurrency --------------------------------------------------------


def test_every_save_makes_a_revision_and_records_a_contribution(world):
    draft, section = _draft(world)
    member = world["users"]["member"]
    services.section_save(actor=member, section=section, text=SENTENCE_1 + " في سوريا", base_revision=1)
    section.refresh_from_db()
    assert section.revision_number == 2
    assert list(section.revisions.values_list("number", flat=True)) == [2, 1]
    assert (
        Contribution.objects.filter(user=member, kind=Contribution.Kind.DRAFT).count() == 3
    )  # create + 2 saves


def test_saving_the_same_text_writes_nothing(world):
    draft, section = _draft(world)
    assert (
        services.section_save(
            actor=world["users"]["member"], section=section, text=SENTENCE_1, base_revision=1
        )
        is None
    )
    assert section.revisions.count() == 1


def test_two_members_saving_the_same_section_get_a_merge_view_and_nothing_is_overwritten(world, clients):
    draft, section = _draft(world)
    url = _edit_url(world, draft, section)
    # Both open the editor at revision 1.
    assert clients["member"].get(url).context["form"].initial["base_revision"] == 1
    assert clients["rapporteur"].get(url).context["form"].initial["base_revision"] == 1
    first = clients["member"].post(url, {"text": "نص العضو الأول", "base_revision": 1})
    assert first.status_code == 302
    second = clients["rapporteur"].post(url, {"text": "نص المقررة المختلف", "base_revision": 1})
    assert second.status_code == 409
    section.refresh_from_db()
    assert section.text == "نص العضو الأول" and section.revision_number == 2
    assert section.revisions.count() == 2
    page = second.content.decode()
    assert "نص العضو الأول" in page and "نص المقررة المختلف" in page
    assert "<ins" in page and "<del" in page
    # The merge form is based on the current revision: saving the merged text works.
    assert second.context["form"].initial["base_revision"] == 2
    merged = clients["rapporteur"].post(url, {"text": "نص العضو الأول ونص المقررة", "base_revision": 2})
    assert merged.status_code == 302
    section.refresh_from_db()
    assert section.text == "نص العضو الأول ونص المقررة" and section.revision_number == 3


@pytest.mark.parametrize("forged", ["2", "2147483646", "2147483648", "99999999999999999999", "-1", "1e3"])
def test_a_revision_the_section_never_had_is_refused_with_a_message_not_a_merge(world, clients, forged):
    """Only a revision at or behind the current one leads to the merge view: a forged number ahead of
    it, negative, beyond the database's integers or in other digits is refused and writes nothing."""
    draft, section = _draft(world)
    url = _edit_url(world, draft, section)
    response = clients["member"].post(url, {"text": "نص مزوّر", "base_revision": forged}, follow=True)
    assert response.status_code in (200, 400)
    assert "documents/draft_section_merge.html" not in [template.name for template in response.templates]
    section.refresh_from_db()
    assert section.revision_number == 1 and section.text != "نص مزوّر"
    assert section.revisions.count() == 1


def test_a_stale_save_raises_and_writes_nothing(world):
    draft, section = _draft(world)
    with pytest.raises(services.StaleRevision) as stale:
        services.section_save(
            actor=world["users"]["rapporteur"], section=section, text="قديم", base_revision=0
        )
    assert stale.value.section.revision_number == 1
    assert section.revisions.count() == 1


def test_bad_revision_number_and_oversized_text_are_refused(world, clients):
    draft, section = _draft(world)
    url = _edit_url(world, draft, section)
    assert clients["member"].post(url, {"text": "نص", "base_revision": "x"}).status_code == 400
    response = clients["member"].post(
        url, {"text": "أ" * (services.SECTION_TEXT_MAX + 1), "base_revision": 1}
    )
    assert response.status_code == 400
    assert section.revisions.count() == 1


# --- diff and restore -------------------------------------------------------------------------------


def test_word_diff_marks_arabic_words_with_direction():
    html = diff.diff_html("المواطنة المتساوية أساس العقد", "المواطنة الكاملة أساس العقد الاجتماعي")
    assert '<del dir="auto">المتساوية</del>' in html
    assert '<ins dir="auto">الكاملة</ins>' in html
    assert '<ins dir="auto"> الاجتماعي</ins>' in html
    assert html.startswith("المواطنة ")


def test_diff_keeps_diacritics_with_their_word_and_escapes_markup():
    assert diff.tokens("كَتَبَ الدستورُ") == ["كَتَبَ", " ", "الدستورُ"]
    html = diff.diff_html("نص", "نص <script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_diff_page_compares_two_revisions(world, clients):
    draft, section = _draft(world, text="المواطنة المتساوية")
    services.section_save(
        actor=world["users"]["member"], section=section, text="المواطنة الكاملة", base_revision=1
    )
    url = reverse("documents:section-diff", args=[world["space"].pk, draft.pk, section.pk])
    response = clients["member"].get(url, {"from": 1, "to": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<del dir="auto">المتساوية</del>' in page and '<ins dir="auto">الكاملة</ins>' in page
    missing = clients["member"].get(url, {"from": 1, "to": 9})
    assert missing.status_code == 302


def test_restore_makes_a_new_revision_with_the_old_text(world, clients):
    draft, section = _draft(world, text="النص الأول")
    services.section_save(
        actor=world["users"]["member"], section=section, text="النص الثاني", base_revision=1
    )
    url = reverse("documents:section-restore", args=[world["space"].pk, draft.pk, section.pk])
    assert clients["member"].post(url, {"number": 1}).status_code == 302
    section.refresh_from_db()
    assert section.text == "النص الأول" and section.revision_number == 3
    latest = section.revisions.get(number=3)
    assert latest.text == "النص الأول" and "1" in latest.note
    # the current revision and an unknown one: a message, nothing written
    clients["member"].post(url, {"number": 3})
    clients["member"].post(url, {"number": 42})
    assert section.revisions.count() == 3


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_draft_page_and_history_queries_do_not_grow_with_revisions_and_comments(
    world, clients, django_assert_num_queries
):
    draft, section = _draft(world)
    member = world["users"]["member"]
    services.comment_create(actor=member, section=section, body="ملاحظة")
    detail = reverse("documents:draft-detail", args=[world["space"].pk, draft.pk])
    history = reverse("documents:section-history", args=[world["space"].pk, draft.pk, section.pk])
    _count(clients["rapporteur"], detail)  # the first request of a session loads what later ones reuse
    few_detail, few_history = _count(clients["rapporteur"], detail), _count(clients["rapporteur"], history)
    second = services.section_add(actor=member, draft=draft, title="قسم ثان")
    for number in range(2, 42):
        services.section_save(
            actor=member, section=section, text=f"{SENTENCE_1} {number}", base_revision=number - 1
        )
        services.section_save(actor=member, section=second, text=f"نص {number}", base_revision=number - 2)
    for index in range(10):
        parent = services.comment_create(actor=member, section=second, body=f"ملاحظة {index}")
        services.comment_create(actor=world["users"]["rapporteur"], section=second, body="رد", parent=parent)
    assert _count(clients["rapporteur"], detail) == few_detail
    assert _count(clients["rapporteur"], history) == few_history
    with django_assert_num_queries(few_detail):
        clients["rapporteur"].get(detail)
    with django_assert_num_queries(few_history):
        clients["rapporteur"].get(history + "?page=2")


# --- comments -----------------------------------------------------------------------------------------


def test_comments_replies_resolve_and_reopen(world, clients, django_capture_on_commit_callbacks):
    draft, section = _draft(world)
    space = world["space"]
    create = reverse("documents:comment-create", args=[space.pk, draft.pk, section.pk])
    clients["member"].post(create, {"body": "هل نضيف **الفصل** بين السلطات؟"})
    comment = SectionComment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        clients["political_officer"].post(create, {"body": "نعم", "parent": comment.pk})
    reply = SectionComment.objects.exclude(pk=comment.pk).get()
    assert reply.parent == comment
    # the comment's author is told of the reply
    assert (
        Notification.objects.filter(recipient=world["users"]["member"], kind=Notification.Kind.DRAFT).count()
        == 1
    )
    # a reply to a reply joins the same thread
    clients["rapporteur"].post(create, {"body": "متفق", "parent": reply.pk})
    assert comment.replies.count() == 2
    resolve = reverse("documents:comment-resolve", args=[space.pk, draft.pk, comment.pk])
    assert clients["political_officer"].post(resolve, {"action": "resolve"}).status_code == 403
    clients["member"].post(resolve, {"action": "resolve"})
    comment.refresh_from_db()
    assert comment.resolved_at and comment.resolved_by == world["users"]["member"]
    clients["rapporteur"].post(resolve, {"action": "reopen"})
    comment.refresh_from_db()
    assert comment.resolved_at is None
    page = (
        clients["member"].get(reverse("documents:draft-detail", args=[space.pk, draft.pk])).content.decode()
    )
    assert "<strong>الفصل</strong>" in page


def test_an_empty_comment_or_an_unknown_parent_is_refused(world, clients):
    draft, section = _draft(world)
    create = reverse("documents:comment-create", args=[world["space"].pk, draft.pk, section.pk])
    assert clients["member"].post(create, {"body": "   "}).status_code == 302
    assert clients["member"].post(create, {"body": "رد", "parent": 999999}).status_code == 302
    assert not SectionComment.objects.exists()


@pytest.mark.parametrize("hostile", HOSTILE_MARKDOWN[:22])
def test_hostile_section_and_comment_text_is_shown_safely(world, clients, hostile):
    draft, section = _draft(world, text=hostile)
    services.comment_create(actor=world["users"]["member"], section=section, body=hostile)
    page = clients["member"].get(reverse("documents:draft-detail", args=[world["space"].pk, draft.pk]))
    body = page.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    assert str(render_markdown(hostile)) in main  # shown through the sanitiser, nothing else
    assert "<script" not in main.lower()
    assert re.search(r"<[^>]*\son\w+\s*=", main) is None  # no event handler attribute
    assert re.search(r"<(img|iframe|svg|style|object|embed|meta|base)\b", main, re.IGNORECASE) is None
    history = clients["member"].get(
        reverse("documents:section-diff", args=[world["space"].pk, draft.pk, section.pk])
    )
    assert "<script" not in history.content.decode().split("<main", 1)[1].lower()


# --- the final note ------------------------------------------------------------------------------


def test_final_note_has_four_sections_and_only_rapporteurs_create_it(world, clients):
    space = world["space"]
    create = reverse("documents:final-note-create", args=[space.pk])
    assert clients["member"].post(create).status_code == 403
    assert clients["rapporteur"].post(create).status_code == 302
    note = Draft.objects.get(kind=Draft.Kind.FINAL_NOTE)
    assert list(note.sections.values_list("key", flat=True)) == [
        "introduction",
        "agreement",
        "divergence",
        "recommendations",
    ]
    # one note in progress at a time
    clients["rapporteur"].post(create)
    assert Draft.objects.filter(kind=Draft.Kind.FINAL_NOTE).count() == 1
    # members comment on it but do not edit it
    section = note.sections.first()
    assert clients["member"].get(_edit_url(world, note, section)).status_code == 403


def test_pull_in_concerns_adds_agreed_and_divergent_concerns_as_revisions(world):
    space, member, rapporteur = world["space"], world["users"]["member"], world["users"]["rapporteur"]
    agreed = workgroup_services.concern_propose(
        actor=member, space=space, title="الكشف عن مصير المفقودين", description="آلية مستقلة لإبلاغ العائلات."
    )
    divergent = workgroup_services.concern_propose(
        actor=member, space=space, title="توقيت الانتخابات", description="قبل الدستور أم بعده."
    )
    workgroup_services.concern_propose(actor=member, space=space, title="قضية جديدة", description="لم تناقش.")
    workgroup_services.concern_set_status(actor=rapporteur, concern=agreed, status="agreed", priority=3)
    workgroup_services.concern_set_status(actor=rapporteur, concern=divergent, status="divergent", priority=1)
    note = _note(world, texts={})
    assert services.final_note_pull_concerns(actor=rapporteur, draft=note) == 2
    agreement, divergence = note.sections.get(key="agreement"), note.sections.get(key="divergence")
    assert "الكشف عن مصير المفقودين" in agreement.text and "آلية مستقلة" in agreement.text
    assert "توقيت الانتخابات" in divergence.text and "قضية جديدة" not in agreement.text + divergence.text
    assert agreement.revision_number == 1 and agreement.revisions.get().note
    # pulling again adds nothing and says so
    with pytest.raises(ValidationError):
        services.final_note_pull_concerns(actor=rapporteur, draft=note)
    assert SectionRevision.objects.filter(section__draft=note).count() == 2


def test_workflow_runs_in_order_and_notifies(world, clients, django_capture_on_commit_callbacks):
    note = _note(world)
    space, rapporteur = world["space"], world["users"]["rapporteur"]
    step = reverse("documents:draft-transition", args=[space.pk, note.pk])
    # illegal: from drafting straight to submitted or joint proposal
    for target in ("submitted", "joint_proposal"):
        with pytest.raises(ValidationError):
            services.draft_transition(actor=rapporteur, draft=note, to=target)
    clients["rapporteur"].post(step, {"to": "joint_proposal"})
    note.refresh_from_db()
    assert note.status == "drafting"
    with django_capture_on_commit_callbacks(execute=True):
        assert clients["rapporteur"].post(step, {"to": "open_for_comments"}).status_code == 302
    note.refresh_from_db()
    assert note.status == "open_for_comments"
    members_told = set(
        Notification.objects.filter(kind=Notification.Kind.DRAFT).values_list(
            "recipient__username", flat=True
        )
    )
    assert (
        {"member", "political"} <= members_told
        and "tech" not in members_told
        and "rapporteur" not in members_told
    )
    assert clients["member"].post(step, {"to": "joint_proposal"}).status_code == 403
    clients["rapporteur"].post(step, {"to": "joint_proposal"})
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["rapporteur"].post(step, {"to": "submitted", "confirmed": "on"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == "submitted" and note.submitted_at and note.submitted_by == rapporteur
    assert Notification.objects.filter(
        recipient=world["users"]["political_officer"], url=reverse("documents:outputs-inbox")
    ).exists()


def test_submitting_twice_changes_nothing_and_says_so(world, clients):
    note = _note(world)
    rapporteur = world["users"]["rapporteur"]
    _advance(note, rapporteur, "open_for_comments", "joint_proposal", "submitted")
    note.refresh_from_db()
    stamp = note.submitted_at
    stale = Draft.objects.get(pk=note.pk)
    stale.status = Draft.Status.JOINT_PROPOSAL  # a second request that read the note before the first won
    with pytest.raises(ValidationError) as error:
        services.draft_transition(actor=world["users"]["rapporteur"], draft=stale, to="submitted")
    assert error.value.code == "already_submitted"
    response = clients["rapporteur"].post(
        reverse("documents:draft-transition", args=[world["space"].pk, note.pk]),
        {"to": "submitted", "confirmed": "on"},
        follow=True,
    )
    assert "already been submitted" in response.content.decode() or "سبق" in response.content.decode()
    note.refresh_from_db()
    assert note.submitted_at == stamp and note.status == "submitted"


def test_a_submitted_note_refuses_edits_comments_and_restores(world, clients):
    note = _note(world)
    rapporteur = world["users"]["rapporteur"]
    _advance(note, rapporteur, "open_for_comments", "joint_proposal", "submitted")
    section = note.sections.get(key="introduction")
    space = world["space"]
    edit = _edit_url(world, note, section)
    response = clients["rapporteur"].post(
        edit, {"text": "تعديل بعد الإرسال", "base_revision": 1}, follow=True
    )
    assert "locked" in response.content.decode() or "مقفلة" in response.content.decode()
    clients["member"].post(
        reverse("documents:comment-create", args=[space.pk, note.pk, section.pk]), {"body": "تعليق"}
    )
    with pytest.raises(ValidationError):
        services.section_save(actor=rapporteur, section=section, text="x", base_revision=1)
    with pytest.raises(ValidationError):
        services.comment_create(actor=rapporteur, section=section, body="x")
    section.refresh_from_db()
    assert section.text == SENTENCE_1 and section.revision_number == 1
    assert not SectionComment.objects.exists()


def test_submitting_warns_about_members_names(world, clients):
    note = _note(
        world,
        texts={"introduction": f"{SENTENCE_1}. اقترحت ليلى حداد هذه الفقرة مع @member.", "agreement": "نص"},
    )
    rapporteur = world["users"]["rapporteur"]
    _advance(note, rapporteur, "open_for_comments", "joint_proposal")
    assert set(services.draft_member_names(note)) == {"عمر الخطيب", "ليلى حداد"}
    step = reverse("documents:draft-transition", args=[world["space"].pk, note.pk])
    confirmation = clients["rapporteur"].get(step, {"to": "submitted"})
    assert confirmation.status_code == 200 and set(confirmation.context["names"]) == {
        "عمر الخطيب",
        "ليلى حداد",
    }
    # posting without confirming shows the warning again and submits nothing
    warned = clients["rapporteur"].post(step, {"to": "submitted"})
    assert warned.status_code == 200 and "ليلى حداد" in warned.content.decode()
    note.refresh_from_db()
    assert note.status == "joint_proposal"
    clients["rapporteur"].post(step, {"to": "submitted", "confirmed": "on"})
    note.refresh_from_db()
    assert note.status == "submitted"


def test_a_note_without_names_is_submitted_without_a_warning(world, clients):
    note = _note(world)
    _advance(note, world["users"]["rapporteur"], "open_for_comments", "joint_proposal")
    assert services.draft_member_names(note) == []
    clients["rapporteur"].post(
        reverse("documents:draft-transition", args=[world["space"].pk, note.pk]), {"to": "submitted"}
    )
    note.refresh_from_db()
    assert note.status == "submitted"


# --- exports ---------------------------------------------------------------------------------------


def _words(value):
    value = unicodedata.normalize("NFKC", value)
    return set(re.findall(r"[\w\u064b-\u065f]+", value))


def _pdf_text(content):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content):
    import docx

    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs)


def _names(world):
    names = set()
    for user in world["users"].values():
        if user is not None:
            names |= {user.display_name, user.username}
    return names


def _note_with_comments(world):
    note = _note(world)
    section = note.sections.get(key="introduction")
    services.comment_create(actor=world["users"]["member"], section=section, body="تعليق من عضو")
    return note


def test_pdf_export_keeps_arabic_sentences_and_names_nobody(world, clients):
    note = _note_with_comments(world)
    response = clients["member"].get(
        reverse("documents:draft-export", args=[world["space"].pk, note.pk, "pdf"])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    content = response.content
    from pypdf import PdfReader

    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("IBM-Plex-Sans-Arabic" in font for font in fonts), fonts  # the vendored font, embedded
    words = _words(_pdf_text(content))
    for sentence in (SENTENCE_1, SENTENCE_2):
        assert _words(sentence) <= words, sentence
    text = unicodedata.normalize("NFKC", _pdf_text(content))
    for name in _names(world):
        for part in name.split():
            if len(part) > 2 and part not in SENTENCE_1 + SENTENCE_2:
                assert part not in text, name
    assert "تعليق من عضو" not in text


def test_docx_export_is_right_to_left_with_the_arabic_font_and_names_nobody(world, clients):
    import docx
    from docx.oxml.ns import qn

    note = _note_with_comments(world)
    response = clients["rapporteur"].get(
        reverse("documents:draft-export", args=[world["space"].pk, note.pk, "docx"])
    )
    assert response.status_code == 200
    text = _docx_text(response.content)
    assert SENTENCE_1 in text and SENTENCE_2 in text
    for name in _names(world):
        assert name not in text
    assert "تعليق من عضو" not in text
    document = docx.Document(io.BytesIO(response.content))
    paragraph = next(p for p in document.paragraphs if p.text == SENTENCE_1)
    assert paragraph._p.pPr.find(qn("w:bidi")) is not None
    run = paragraph.runs[0]
    assert run.font.rtl is True
    assert run._r.rPr.rFonts.get(qn("w:cs")) == exports.FONT_FAMILY
    assert document.core_properties.author == "" and document.core_properties.last_modified_by == ""


def test_exporting_an_empty_draft_gives_a_message_not_a_file(world, clients):
    draft, _section = _draft(world, text="")
    for export_format in ("pdf", "docx"):
        response = clients["member"].get(
            reverse("documents:draft-export", args=[world["space"].pk, draft.pk, export_format]), follow=True
        )
        assert response.redirect_chain and response["Content-Type"].startswith("text/html")
        assert response.context["draft"] == draft
    assert (
        clients["member"]
        .get(reverse("documents:draft-export", args=[world["space"].pk, draft.pk, "exe"]))
        .status_code
        == 404
    )


def test_final_note_for_archive_needs_a_submitted_note(world):
    note = _note(world)
    with pytest.raises(ValidationError):
        exports.final_note_for_archive(note)
    _advance(note, world["users"]["rapporteur"], "open_for_comments", "joint_proposal", "submitted")
    content, title = exports.final_note_for_archive(note)
    assert content.startswith(b"%PDF") and title == note.title


def test_direction_follows_the_first_strong_letter():
    assert exports.direction_of("123 مرحبا hello") == "rtl"
    assert exports.direction_of("Hello مرحبا") == "ltr"
    assert exports.direction_of("123", default="ltr") == "ltr"


# --- the outputs inbox and the Special Envoy's decision ------------------------------------------


def test_outputs_inbox_shows_submitted_notes_to_the_political_officer_and_staff(world, clients, other_space):
    note = _note(world)
    draft_note = services.final_note_create(
        actor=factories.add_member(other_space, role="rapporteur", username="r2", display_name="مقرر ثان"),
        space=other_space,
        title="مذكرة مجموعة أخرى",
    )
    _advance(note, world["users"]["rapporteur"], "open_for_comments", "joint_proposal", "submitted")
    inbox = reverse("documents:outputs-inbox")
    officer_page = clients["political_officer"].get(inbox)
    assert list(officer_page.context["page"]) == [note]
    assert officer_page.context["decision_form"] is None
    assert list(clients["staff"].get(inbox).context["page"]) == [note]
    assert draft_note.title not in clients["staff"].get(inbox).content.decode()
    assert clients["member"].get(inbox).status_code == 404


def test_staff_record_the_special_envoys_decision(world, clients):
    note = _note(world)
    _advance(note, world["users"]["rapporteur"], "open_for_comments", "joint_proposal", "submitted")
    url = reverse("documents:output-decision", args=[note.pk])
    assert (
        clients["political_officer"].post(url, {"decision": "public", "decided_on": "2026-11-20"}).status_code
        == 404
    )
    assert clients["staff"].post(url, {"decision": "nonsense", "decided_on": "2026-11-20"}).status_code == 302
    assert not SharingDecision.objects.exists()
    clients["staff"].post(url, {"decision": "public", "decided_on": "2026-11-20", "note": "في الإحاطة"})
    clients["staff"].post(url, {"decision": "member_states", "decided_on": "2026-11-21"})
    decision = SharingDecision.objects.get()
    assert decision.decision == "member_states" and decision.recorded_by == world["users"]["staff"]
    page = clients["political_officer"].get(reverse("documents:outputs-inbox")).content.decode()
    assert "Shared with the member states" in page or "الدول الأعضاء" in page


def test_a_decision_needs_a_submitted_note(world, clients):
    note = _note(world)
    response = clients["staff"].post(
        reverse("documents:output-decision", args=[note.pk]),
        {"decision": "public", "decided_on": "2026-11-20"},
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.sharing_decision_record(
            actor=world["users"]["staff"], draft=note, decision="public", decided_on="2026-11-20"
        )


def test_digest_lists_notes_opened_for_comments(world):
    from datetime import timedelta

    from django.utils import timezone

    from workgroups.digests import SOURCES

    note = _note(world)
    _advance(note, world["users"]["rapporteur"], "open_for_comments")
    source = next(source for source in SOURCES if source.key == "final_notes")
    now = timezone.now()
    items = list(source.collect({world["space"].pk}, now - timedelta(hours=1), now + timedelta(seconds=1)))
    assert [item.title for item in items] == [note.title]
    assert items[0].author_id == world["users"]["rapporteur"].pk


def test_demo_has_drafts_a_note_open_for_comments_and_a_decided_note(
    settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    ordinary = Draft.objects.get(kind=Draft.Kind.ORDINARY)
    assert SectionRevision.objects.filter(section__draft=ordinary).count() >= 4
    assert SectionComment.objects.filter(section__draft=ordinary, parent__isnull=False).exists()
    open_note = Draft.objects.get(status=Draft.Status.OPEN_FOR_COMMENTS)
    assert Section.objects.filter(draft=open_note, key="agreement").exclude(text="").exists()
    assert services.draft_member_names(open_note) == []
    decided = Draft.objects.get(status=Draft.Status.SUBMITTED)
    assert decided.sharing_decision.decision == SharingDecision.Decision.MEMBER_STATES
    assert decided.space.status == "concluded"


# --- publishing a submitted note of a concluded space to the knowledge archive -------------------


def test_staff_publish_a_submitted_note_of_a_concluded_space_to_the_archive(world, clients):
    from documents.models import ArchiveEntry

    note = _note(world)
    _advance(note, world["users"]["rapporteur"], "open_for_comments", "joint_proposal", "submitted")
    changelist = reverse("admin:documents_draft_changelist")
    action = {"action": "publish_to_archive", "_selected_action": [note.pk]}
    clients["staff"].post(changelist, action)
    assert not ArchiveEntry.objects.exists()  # the space is still active
    workgroup_services.space_set_status(
        actor=world["users"]["staff"], space=world["space"], status="concluded"
    )
    assert clients["staff"].post(changelist, action).status_code == 302
    entry = ArchiveEntry.objects.get()
    assert entry.kind == ArchiveEntry.Kind.FINAL_NOTE and entry.final_note == note
    assert entry.title_ar == note.title and SENTENCE_1 in entry.summary_ar and SENTENCE_2 in entry.summary_ar
    assert "المتساويه" in entry.search_text  # normalised for search (ta marbuta)
    for name in ("عمر الخطيب", "ليلى حداد", "member", "rapporteur"):
        assert name not in entry.summary_ar
    clients["staff"].post(changelist, action)  # once only
    assert ArchiveEntry.objects.count() == 1
    page = clients["outsider"].get(reverse("documents:archive-detail", args=[entry.pk]))
    download = reverse("documents:archive-download", args=[entry.pk])
    assert download in page.content.decode()
    response = clients["outsider"].get(download)  # any participant, never in the space
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # The note's own export (whose Arabic text and anonymity the export tests check), with its title.
    text = _pdf_text(response.content)
    assert _words(text) == _words(_pdf_text(exports.draft_pdf(note)))
    assert _words(note.title) <= _words(text) and "المتساوية" in unicodedata.normalize("NFKC", text)
    assert clients["anonymous"].get(download).status_code == 302


def test_a_note_in_progress_is_not_archived(world):
    note = _note(world)
    with pytest.raises(ValidationError):
        services.final_note_publish_to_archive(actor=world["users"]["staff"], draft=note)
