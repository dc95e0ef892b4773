"""The sessions page on a 360 px phone, in Arabic: each session a card, nothing scrolls sideways, and
a session signed out from its row is gone.

Assertions rest on structure (classes, forms, lang/dir), not on translated interface strings.
"""

import pytest

from tests import factories

from .conftest import html_lang_dir, login, path_of, sideways_overflow

SESSIONS = "/accounts/sessions/"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"


@pytest.fixture
def participant(conduct):
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    return factories.add_member(space, username="samar", display_name="سمر")


def test_sessions_page_is_cards_on_a_phone_and_ends_one_session(
    new_page, live_server, participant, artifacts_dir
):
    from allauth.usersessions.models import UserSession

    laptop = new_page(viewport={"width": 1280, "height": 800})
    laptop.context.set_extra_http_headers({"User-Agent": FIREFOX_WINDOWS})
    login(laptop, live_server, "samar")
    phone = new_page()
    login(phone, live_server, "samar")
    phone.goto(f"{live_server.url}{SESSIONS}")

    assert html_lang_dir(phone) == ("ar", "rtl")
    rows = phone.locator("table.sessions-table tbody tr.session-row")
    assert rows.count() == 2
    assert phone.locator("tr.session-current").count() == 1
    # Stacked: the header row is hidden and each row is a block as wide as the page.
    assert phone.locator("table.sessions-table thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    assert rows.first.evaluate("e => getComputedStyle(e).display") == "block"
    assert "Firefox" in phone.locator("tr.session-row:not(.session-current)").inner_text()
    assert sideways_overflow(phone) == []
    screenshot = artifacts_dir / "sessions-phone-ar.png"
    screenshot.unlink(missing_ok=True)
    phone.screenshot(path=screenshot, full_page=True)

    with phone.expect_navigation():
        phone.locator("tr.session-row:not(.session-current) form button").click()
    assert path_of(phone) == SESSIONS
    assert phone.locator("tr.session-row").count() == 1
    assert UserSession.objects.filter(user=participant).count() == 1
    laptop.goto(f"{live_server.url}/")
    assert path_of(laptop) == "/accounts/login/"  # signed out there
