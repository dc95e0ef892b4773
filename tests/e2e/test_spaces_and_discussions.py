"""Spaces and discussions in a real browser, in Arabic, on a phone-sized screen."""

import pytest
from django.urls import reverse

from tests import factories
from workgroups.models import Post, PostReport, Role

from .conftest import html_lang_dir, login, logout, path_of

MINE, OTHER = "مجموعة القضايا الدستورية", "مجموعة القضايا الانتخابية"


@pytest.fixture
def spaces(conduct):
    mine = factories.make_space(name=MINE, name_en="Constitutional issues")
    other = factories.make_space(name=OTHER, name_en="Electoral issues")
    users = {
        "rana": factories.add_member(mine, username="rana", display_name="رنا"),
        "omar": factories.add_member(mine, username="omar", display_name="عمر"),
        "tariq": factories.add_member(
            mine, role=Role.TECHNICAL_OFFICER, username="tariq", display_name="طارق"
        ),
        "sami": factories.add_member(other, username="sami", display_name="سامي"),
    }
    return {"mine": mine, "other": other, "users": users}


def test_another_groups_page_is_a_404_in_arabic(new_page, live_server, spaces, artifacts_dir):
    page = new_page()
    login(page, live_server, "rana")
    assert page.locator("#main article.space-card").count() == 1
    assert OTHER not in page.content()
    response = page.goto(f"{live_server.url}{reverse('workgroups:space-detail', args=[spaces['other'].pk])}")
    assert response.status == 404
    assert html_lang_dir(page) == ("ar", "rtl")
    assert OTHER not in page.content()
    assert page.locator("#main .error-page").count() == 1
    page.screenshot(path=str(artifacts_dir / "space-404-ar.png"), full_page=True)


def test_two_members_discuss_and_the_technical_officer_hides_a_reported_post(
    new_page, live_server, spaces, artifacts_dir
):
    space = spaces["mine"]
    discussions = f"{live_server.url}{reverse('workgroups:thread-list', args=[space.pk])}"

    rana = new_page()
    login(rana, live_server, "rana")
    rana.goto(discussions)
    rana.fill("input[name=title]", "المبادئ فوق الدستورية")
    rana.fill("textarea[name=body]", "ما هي المبادئ التي يجب أن **تضمنها** أي تسوية؟")
    rana.locator("#main form.form-stack button[type=submit]").click()
    assert "/discussions/" in path_of(rana)
    thread_url = rana.url.split("?")[0]
    assert rana.locator("article.post strong", has_text="تضمنها").count() == 1

    omar = new_page()
    login(omar, live_server, "omar")
    omar.goto(thread_url)
    omar.fill("textarea[name=body]", "أقترح البدء بضمانات الحقوق والحريات، وهذا رد مسيء")
    omar.locator("#reply button[type=submit]").click()
    assert omar.locator("article.post").count() == 2
    reply = Post.objects.filter(author=spaces["users"]["omar"]).get()

    # Rana sees the reply, and reports it to the technical officer.
    rana.goto(thread_url)
    assert rana.get_by_text("ضمانات الحقوق والحريات").count() == 1
    rana.locator(f"#post-{reply.pk} a[href$='/report/']").click()
    rana.fill("textarea[name=reason]", "عبارة مسيئة")
    rana.locator("#main form button[type=submit]").click()
    assert PostReport.objects.filter(post=reply, outcome="open").count() == 1

    tariq = new_page()
    login(tariq, live_server, "tariq")
    tariq.goto(f"{live_server.url}{reverse('workgroups:moderation-queue', args=[space.pk])}")
    tariq.fill("#main textarea[name=reason]", "مخالفة لمدونة قواعد السلوك")
    tariq.locator("#main button[value=hide]").click()
    reply.refresh_from_db()
    assert reply.hidden_at is not None

    omar.goto(thread_url)
    assert omar.get_by_text("ضمانات الحقوق والحريات").count() == 0
    assert html_lang_dir(omar) == ("ar", "rtl")
    omar.screenshot(path=str(artifacts_dir / "discussion-ar.png"), full_page=True)
    logout(omar)
