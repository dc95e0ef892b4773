"""The shell a participant meets first, in a real browser on a phone-sized screen.

Assertions rest on structure (URLs, element names, lang/dir) and on the Arabic data created here,
not on translated interface strings, so they hold whatever the Arabic catalogue says.
"""

import pytest
from django.utils.translation import get_language_info

from accounts.models import ConductAcceptance
from tests import factories

from .conftest import PHONE, html_lang_dir, login, logout, path_of, sideways_overflow

HOME = "/"
CONDUCT = "/accounts/conduct/"
MY_SPACE_AR, MY_SPACE_EN = "مجموعة القضايا الدستورية", "Constitutional issues"
OTHER_SPACE_AR, OTHER_SPACE_EN = "مجموعة القضايا الانتخابية", "Electoral issues"


@pytest.fixture
def participant(conduct):
    """A participant (code of conduct accepted) in one space, and another space they are not in."""
    mine = factories.make_space(name=MY_SPACE_AR, name_en=MY_SPACE_EN)
    factories.make_space(name=OTHER_SPACE_AR, name_en=OTHER_SPACE_EN)
    user = factories.add_member(mine, username="rana", display_name="رنا")
    assert ConductAcceptance.objects.filter(user=user, conduct=conduct).exists()
    return user


def test_participant_signs_in_in_arabic_and_sees_only_their_groups(
    new_page, live_server, participant, artifacts_dir
):
    # The browser asks for English; the platform is Arabic-first and ignores Accept-Language.
    page = new_page(locale="en-US")
    page.goto(f"{live_server.url}{HOME}")
    assert path_of(page) == "/accounts/login/"  # nothing is public: the home page asks to sign in first
    assert html_lang_dir(page) == ("ar", "rtl")

    login(page, live_server, "rana")

    assert path_of(page) == HOME
    assert html_lang_dir(page) == ("ar", "rtl")
    nav_home = page.locator('#main-nav a[aria-current="page"]')
    assert nav_home.get_attribute("href") == HOME  # "My groups" is the current page
    cards = page.locator("#main article.space-card")
    assert cards.count() == 1
    link = cards.get_by_role("link", name=MY_SPACE_AR)
    assert link.is_visible()
    assert link.get_attribute("dir") == "auto"
    assert OTHER_SPACE_AR not in page.content()
    assert OTHER_SPACE_EN not in page.content()
    assert page.locator("#main-nav").get_by_text("رنا").count() == 1  # the header shows who is signed in

    # The sign-in really holds over plain http://localhost, in a cookie scripts cannot read.
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["httpOnly"] and session["sameSite"] == "Lax"

    screenshot = artifacts_dir / "home-ar.png"
    screenshot.unlink(missing_ok=True)
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.is_file() and screenshot.stat().st_size > 0


def test_language_switch_to_english_is_remembered_on_the_account(new_page, live_server, participant):
    page = new_page()
    login(page, live_server, "rana")
    assert html_lang_dir(page) == ("ar", "rtl")

    switcher = page.locator("footer form.language-switcher")
    with page.expect_navigation():
        switcher.get_by_role("button", name="English").click()

    assert path_of(page) == HOME
    assert html_lang_dir(page) == ("en", "ltr")
    assert page.locator("#main article.space-card").get_by_role("link", name=MY_SPACE_EN).is_visible()
    # ...and the way back, named in Arabic whatever the interface language ("العربيّة", Django's name).
    assert switcher.get_by_role("button", name=get_language_info("ar")["name_local"], exact=True).is_visible()
    participant.refresh_from_db()
    assert participant.preferred_language == "en"

    logout(page)
    assert path_of(page) == "/accounts/login/"
    # Forget the language cookie too: only the account can remember the choice now.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    assert html_lang_dir(page) == ("ar", "rtl")

    login(page, live_server, "rana")
    assert path_of(page) == HOME
    assert html_lang_dir(page) == ("en", "ltr")
    assert page.locator("#main article.space-card").get_by_role("link", name=MY_SPACE_EN).is_visible()


def test_code_of_conduct_must_be_accepted_before_anything_else(new_page, live_server, conduct):
    space = factories.make_space(name=MY_SPACE_AR, name_en=MY_SPACE_EN)
    user = factories.add_member(
        space, user=factories.UserFactory(username="newcomer", accepted_conduct=False)
    )
    assert not ConductAcceptance.objects.filter(user=user).exists()
    page = new_page()

    login(page, live_server, "newcomer")

    assert path_of(page) == CONDUCT
    assert html_lang_dir(page) == ("ar", "rtl")
    assert page.locator("#main h1").inner_text().strip() == conduct.title_ar
    form = page.locator('#main form[method="post"]')
    agree = form.locator('input[name="agree"]')
    assert not agree.is_checked()

    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert path_of(page) == CONDUCT
    assert page.locator("#main .errorlist").is_visible()
    assert not ConductAcceptance.objects.filter(user=user).exists()

    # Other pages stay closed until the code is accepted.
    page.goto(f"{live_server.url}{HOME}")
    assert path_of(page) == CONDUCT

    form.locator('label[for="id_agree"]').click()  # the label is the tap target on a phone
    assert agree.is_checked()
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()

    assert path_of(page) == HOME
    assert page.locator("#main article.space-card").get_by_role("link", name=MY_SPACE_AR).is_visible()
    assert ConductAcceptance.objects.filter(user=user, conduct=conduct).exists()


def test_phone_width_has_no_horizontal_scroll(new_page, live_server, participant):
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("window.innerWidth") == 360
    assert not sideways_overflow(page), "the sign-in page scrolls sideways at 360 px"

    login(page, live_server, "rana")
    assert path_of(page) == HOME
    assert not sideways_overflow(page), "the home page scrolls sideways at 360 px"
