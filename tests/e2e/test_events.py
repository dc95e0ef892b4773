"""Events in a real browser, in Arabic, on a phone: plan a meeting, answer it, download its .ics."""

import icalendar
import pytest
from django.urls import reverse

from events.models import Event, EventAnswer
from tests import factories

from .conftest import html_lang_dir, login, path_of


@pytest.fixture
def space(conduct):
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    factories.add_member(space, username="rana", display_name="رنا")
    factories.add_member(space, username="omar", display_name="عمر")
    return space


def test_plan_answer_and_download_an_event(new_page, live_server, space, artifacts_dir, tmp_path):
    rana = new_page()
    login(rana, live_server, "rana")
    rana.goto(f"{live_server.url}{reverse('events:event-list', args=[space.pk])}")
    assert html_lang_dir(rana) == ("ar", "rtl")
    rana.locator("a", has_text="تخطيط فعالية").click()
    rana.fill("input[name=title]", "اجتماع حول «المبادئ الدستورية»")
    rana.fill("textarea[name=description]", "نقاش المسودة الأولى")
    rana.fill("input[name=starts_at]", "2026-12-10T18:00")
    rana.fill("input[name=ends_at]", "2026-12-10T17:00")  # before the start: refused with a message
    rana.select_option("select[name=time_zone]", "Europe/Istanbul")
    rana.locator("#main form button[type=submit]").click()
    assert "يجب أن تنتهي الفعالية بعد بدئها." in rana.content()
    assert not Event.objects.exists()
    rana.fill("input[name=ends_at]", "2026-12-10T19:30")
    rana.locator("#main form button[type=submit]").click()
    event = Event.objects.get()
    assert path_of(rana) == reverse("events:event-detail", args=[space.pk, event.pk])
    assert rana.locator("h1", has_text="المبادئ الدستورية").count() == 1
    rana.screenshot(path=str(artifacts_dir / "event-detail-ar.png"), full_page=True)

    omar = new_page()
    login(omar, live_server, "omar")
    omar.goto(f"{live_server.url}{reverse('events:event-detail', args=[space.pk, event.pk])}")
    omar.locator("button[name=answer][value=going]").click()
    assert omar.locator(".alert", has_text="حُفظ ردك.").count() == 1
    assert omar.locator("button[name=answer][value=going][aria-pressed=true]").count() == 1
    assert EventAnswer.objects.get(event=event).answer == "going"

    with omar.expect_download() as download_info:
        omar.locator("a", has_text="إضافة إلى تقويمي").click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    component = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")[0]
    assert str(component["SUMMARY"]) == "اجتماع حول «المبادئ الدستورية»"
    assert str(component["UID"]) == event.uid
    assert component.decoded("DTSTART").isoformat() == "2026-12-10T15:00:00+00:00"  # 18:00 in Istanbul

    omar.goto(f"{live_server.url}{reverse('events:event-month', args=[space.pk])}?month=2026-12")
    # a phone shows the month as an agenda, the grid from 768 px up
    assert omar.locator(".month-agenda .month-event", has_text="المبادئ الدستورية").is_visible()
    assert omar.locator(".month-grid").is_hidden()
    omar.screenshot(path=str(artifacts_dir / "event-month-ar.png"), full_page=True)
