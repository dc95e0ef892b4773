"""The final briefing note in a real browser, in Arabic on a phone: a rapporteur drafts, a member
comments, the rapporteur is warned about a member's name and submits the note to OSE."""

import pytest
from django.urls import reverse

from documents.models import Draft, SectionComment
from tests import factories
from workgroups.models import Role

from .conftest import html_lang_dir, login

INTRODUCTION = "تعرض هذه المذكرة خلاصة نقاشات المجموعة حول المبادئ الدستورية"


@pytest.fixture
def group(conduct):
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    users = {
        "layla": factories.add_member(
            space, role=Role.RAPPORTEUR, username="layla", display_name="ليلى حداد"
        ),
        "omar": factories.add_member(space, username="omar", display_name="عمر الخطيب"),
        "nadia": factories.add_member(
            space, role=Role.POLITICAL_OFFICER, username="nadia", display_name="نادية"
        ),
    }
    return {"space": space, "users": users}


def test_rapporteur_drafts_member_comments_rapporteur_submits(new_page, live_server, group, artifacts_dir):
    space = group["space"]
    drafts_url = f"{live_server.url}{reverse('documents:draft-list', args=[space.pk])}"

    layla = new_page()
    login(layla, live_server, "layla")
    layla.goto(drafts_url)
    assert html_lang_dir(layla) == ("ar", "rtl")
    layla.locator("form[action$='/drafts/final-note/'] button").click()
    note = Draft.objects.get(kind=Draft.Kind.FINAL_NOTE)
    note_url = f"{live_server.url}{reverse('documents:draft-detail', args=[space.pk, note.pk])}"
    introduction = note.sections.get(key="introduction")
    layla.locator(f"#section-{introduction.pk} a[href$='/edit/']").click()
    # a member's name slips into the text: the submission step will warn about it
    layla.fill("textarea[name=text]", f"{INTRODUCTION}، كما اقترح عمر الخطيب.")
    layla.locator("#main form.form-stack button[type=submit]").click()
    assert layla.locator(f"#section-{introduction.pk} .draft-text-view").inner_text().startswith(INTRODUCTION)
    layla.locator("form[action$='/step/'] input[value=open_for_comments] + button").click()
    assert layla.locator("#draft-status").inner_text() == "مفتوحة لتعليقات الأعضاء"

    omar = new_page()
    login(omar, live_server, "omar")
    omar.goto(note_url)
    assert (
        omar.locator(f"#section-{introduction.pk} a[href$='/edit/']").count() == 0
    )  # rapporteurs write the note
    omar.fill(f"#comment-{introduction.pk}-body", "أقترح ذكر القرار 2254 في المقدمة.")
    omar.locator(f"#section-{introduction.pk} form.comment-form button").click()
    assert omar.get_by_text("أقترح ذكر القرار 2254 في المقدمة.").count() == 1
    assert SectionComment.objects.filter(author=group["users"]["omar"]).count() == 1

    layla.goto(note_url)
    assert layla.get_by_text("أقترح ذكر القرار 2254 في المقدمة.").count() == 1
    layla.locator("form[action$='/step/'] input[value=joint_proposal] + button").click()
    layla.locator("a[href$='/step/?to=submitted']").click()
    warning = layla.locator(".name-warning")
    assert warning.count() == 1 and "عمر الخطيب" in warning.inner_text()
    layla.screenshot(path=str(artifacts_dir / "final-note-name-warning-ar.png"), full_page=True)
    layla.locator("#main form button[type=submit]").click()
    assert layla.locator("#draft-status").inner_text() == "مرسلة إلى مكتب المبعوث الخاص"
    note.refresh_from_db()
    assert note.status == Draft.Status.SUBMITTED and note.submitted_at is not None
    assert layla.locator(f"#section-{introduction.pk} a[href$='/edit/']").count() == 0

    nadia = new_page()
    login(nadia, live_server, "nadia")
    nadia.goto(f"{live_server.url}{reverse('documents:outputs-inbox')}")
    assert nadia.locator(f"#note-{note.pk}").count() == 1
    nadia.screenshot(path=str(artifacts_dir / "outputs-inbox-ar.png"), full_page=True)
