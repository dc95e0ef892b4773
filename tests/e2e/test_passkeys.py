"""Passkeys in Chromium, with its virtual authenticator (DevTools protocol, WebAuthn domain).

A member adds a passkey (and is shown recovery codes), signs in with password + passkey, then with the
passkey alone; a passkey the device does not hold, one made for another site, and one removed from the
account are refused with a message, and nothing changes. Every page is a 360 px phone page watched by
the `new_page` fixture: any console error, uncaught exception or CSP violation fails the test.
"""

import base64
import concurrent.futures

import pytest
from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import translation
from playwright.sync_api import expect

from accounts.passkeys import USE_REFUSED
from tests import factories

from .conftest import html_lang_dir, login, logout, path_of, sideways_overflow

SPACE = "مجموعة القضايا الدستورية"
HOME = "/"
SIGN_IN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"
RECOVERY_CODES = "/accounts/2fa/recovery-codes/"
PASSKEY_NAME = "هاتفي الشخصي"


@pytest.fixture
def member(conduct, settings, live_server):
    """A member of one space. The relying party is SITE_URL's host: here the live server's (localhost)."""
    settings.SITE_URL = live_server.url

    def make():
        space = factories.make_space(name=SPACE, name_en="Constitutional issues")
        return factories.add_member(space, username="huda", display_name="هدى")

    # Made off the test thread: Playwright's sync API keeps an event loop running in it, and saving a
    # user may reach code that enters one with async_to_sync (the chat's socket signals), which
    # cannot run where a loop is running.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def virtual_authenticator(page):
    """A platform authenticator (resident keys, user verification) for `page`; returns (cdp, id)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def credentials(cdp, authenticator_id):
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def enrol(page, live_server, member):
    """Sign in, open the passkeys from the profile, confirm the password, add a passkey; ends on the
    recovery codes page."""
    login(page, live_server, member.username)
    page.goto(f"{live_server.url}/accounts/profile/")
    with page.expect_navigation():
        page.locator('a[href="/accounts/2fa/webauthn/"]').click()
    with page.expect_navigation():
        page.locator('#main a[href="/accounts/2fa/webauthn/add/"]').click()
    # Adding a passkey is sensitive: the password is asked for again, then the page comes back.
    page.locator('#main input[name="password"]').fill(factories.PASSWORD)
    with page.expect_navigation():
        page.locator('#main form button[type="submit"]').first.click()
    assert path_of(page) == "/accounts/2fa/webauthn/add/"
    form = page.locator('form[data-passkey="create"]')
    form.locator('input[name="name"]').fill(PASSKEY_NAME)
    assert form.locator('input[name="passwordless"]').is_checked()
    assert sideways_overflow(page) == []
    start(form)
    page.wait_for_url(f"**{RECOVERY_CODES}")


def signed_in_as(page, member):
    expect(page.locator("#main-nav").get_by_text(member.display_name)).to_have_count(1)


def session_user_id(page):
    from django.contrib.sessions.models import Session

    cookie = next((c for c in page.context.cookies() if c["name"] == "sessionid"), None)
    if cookie is None:
        return None
    session = Session.objects.filter(session_key=cookie["value"]).first()
    return session.get_decoded().get("_auth_user_id") if session else None


def start(form):
    """Click the passkey button of `form` once passkeys.js has taken the form over: a click before
    that posts the form without a credential, as a browser without JavaScript does."""
    expect(form).to_have_attribute("data-passkey-ready", "true")
    form.locator("[data-passkey-start]").click()


def test_member_adds_a_passkey_gets_recovery_codes_and_uses_it_as_second_step(
    new_page, live_server, member, artifacts_dir
):
    page = new_page()
    # `new_page` fails the test on any console error; this names CSP reports on these pages explicitly.
    csp_reports = []
    page.on(
        "console",
        lambda message: (
            csp_reports.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None
        ),
    )
    cdp, authenticator_id = virtual_authenticator(page)
    enrol(page, live_server, member)

    # The recovery codes are shown once the first passkey is added, in a list that fits the phone.
    codes = (
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    shown = page.locator("ol.recovery-codes li").all_inner_texts()
    assert shown == codes and len(codes) == 10
    assert html_lang_dir(page) == ("ar", "rtl")
    assert sideways_overflow(page) == []
    page.screenshot(path=artifacts_dir / "passkey-recovery-codes-ar.png", full_page=True)

    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == PASSKEY_NAME and key.wrap().is_passwordless is True
    (held,) = credentials(cdp, authenticator_id)
    assert held["rpId"] == "localhost" and held["isResidentCredential"]

    # The two-factor page and the passkeys page list it by name.
    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.locator("#passkeys")).to_contain_text(PASSKEY_NAME)
    assert sideways_overflow(page) == []
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    expect(page.locator(".passkey-list .passkey-name")).to_have_text(PASSKEY_NAME)
    assert sideways_overflow(page) == []

    logout(page)
    login(page, live_server, member.username)
    assert path_of(page) == SECOND_STEP
    assert session_user_id(page) is None
    # The second step offers the passkey and a code (authenticator app or recovery code).
    expect(page.locator('form[data-passkey="get"] [data-passkey-start]')).to_be_visible()
    expect(page.locator('#main input[name="code"]')).to_be_visible()
    assert sideways_overflow(page) == []
    page.screenshot(path=artifacts_dir / "passkey-second-step-ar.png", full_page=True)
    with page.expect_navigation():
        start(page.locator('form[data-passkey="get"]'))
    page.wait_for_url(f"{live_server.url}{HOME}")
    signed_in_as(page, member)
    assert session_user_id(page) == str(member.pk)
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert csp_reports == []


def test_member_signs_in_with_the_passkey_alone(new_page, live_server, member, artifacts_dir):
    page = new_page()
    virtual_authenticator(page)
    enrol(page, live_server, member)
    logout(page)

    assert path_of(page) == SIGN_IN
    button = page.locator('form[data-passkey="login"] [data-passkey-start]')
    expect(button).to_be_visible()
    assert sideways_overflow(page) == []
    page.screenshot(path=artifacts_dir / "passkey-sign-in-ar.png", full_page=True)
    start(page.locator('form[data-passkey="login"]'))
    page.wait_for_url(f"{live_server.url}{HOME}")
    signed_in_as(page, member)
    assert session_user_id(page) == str(member.pk)


def _other_site_credential(member):
    """A resident credential of `member` (same user handle) made for another site."""
    key = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "credentialId": base64.b64encode(b"other-site-credential").decode(),
        "isResidentCredential": True,
        "rpId": "other.example",
        "privateKey": base64.b64encode(pkcs8).decode(),
        "userHandle": base64.b64encode(str(member.pk).encode()).decode(),
        "signCount": 0,
    }


def _refusal_shown(form):
    """The browser found no passkey of this site for the member: the form says so (in the page's
    language, from its data-text-cancelled) and lets them try again."""
    alert = form.locator("[data-passkey-error]")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(form.get_attribute("data-text-cancelled"))
    expect(form.locator("[data-passkey-start]")).to_be_enabled()  # the member can try again


def test_a_passkey_the_device_does_not_hold_or_of_another_site_is_refused(
    new_page, live_server, member, artifacts_dir
):
    page = new_page()
    cdp, first = virtual_authenticator(page)
    enrol(page, live_server, member)
    before = sorted(Authenticator.objects.filter(user=member).values_list("pk", "data", "last_used_at"))
    logout(page)

    # Another device: its only passkey of this member was made for another site.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    _, second = virtual_authenticator(page)
    cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": second, "credential": _other_site_credential(member)}
    )

    login_form = page.locator('form[data-passkey="login"]')
    start(login_form)
    _refusal_shown(login_form)
    assert path_of(page) == SIGN_IN and session_user_id(page) is None
    assert sideways_overflow(page) == []
    page.screenshot(path=artifacts_dir / "passkey-refused-ar.png", full_page=True)

    login(page, live_server, member.username)
    assert path_of(page) == SECOND_STEP
    step_form = page.locator('form[data-passkey="get"]')
    start(step_form)
    _refusal_shown(step_form)
    assert path_of(page) == SECOND_STEP and session_user_id(page) is None
    assert (
        sorted(Authenticator.objects.filter(user=member).values_list("pk", "data", "last_used_at")) == before
    )


def test_a_passkey_removed_from_the_account_is_refused_by_the_platform(new_page, live_server, member):
    page = new_page()
    cdp, authenticator_id = virtual_authenticator(page)
    enrol(page, live_server, member)

    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    with page.expect_navigation():
        page.locator(".passkey-list a.btn-outline-danger").click()
    expect(page.locator("#main")).to_contain_text(PASSKEY_NAME)
    with page.expect_navigation():
        page.locator('#main form button[type="submit"]').click()
    assert not Authenticator.objects.filter(user=member).exists()  # the recovery codes went with it
    assert len(credentials(cdp, authenticator_id)) == 1  # ...but the device still holds the passkey
    logout(page)

    # The browser signs with it; the platform no longer knows it, and says so on the sign-in page.
    with page.expect_navigation():
        start(page.locator('form[data-passkey="login"]'))
    assert path_of(page) == SIGN_IN
    with translation.override("ar"):
        refusal = str(USE_REFUSED)
    expect(page.locator("#main .messages")).to_contain_text(refusal)
    assert session_user_id(page) is None
    assert not Authenticator.objects.filter(user=member).exists()
