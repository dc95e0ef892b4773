"""Passkeys (WebAuthn): enrolment with recovery codes, second step, passwordless sign-in, and refusals.

A software authenticator (tests/soft_passkey.py, built on fido2's own data types) answers the options the
pages hand to the browser, so every ceremony runs through the real views and fido2's verification
without a browser; tests/e2e/test_passkeys.py does the same with Chromium's virtual authenticator.
"""

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.passkeys import ADD_REFUSED, USE_REFUSED

from . import factories
from .soft_passkey import RP_ID, SITE, SoftPasskey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _arabic(message):
    """`message` as an Arabic page shows it (the users here, and signed-out visitors, read Arabic)."""
    with translation.override("ar"):
        return str(message)


def _sign_in_with_password(client, user):
    response = client.post(reverse("account_login"), {"login": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return response


def _confirm_access(client):
    """Adding or changing a passkey is sensitive: allauth asks for the password again first."""
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})


def _add_passkey(client, passkey, name="هاتفي"):
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200
    credential = passkey.create(response.context["js_data"]["creation_options"])
    return client.post(
        reverse("mfa_add_webauthn"),
        {"name": name, "passwordless": "on", "credential": json.dumps(credential)},
    )


@pytest.fixture
def member(db):
    return factories.UserFactory(username="huda", display_name="هدى", preferred_language="ar")


@pytest.fixture
def enrolled(member):
    """`member` with one passkey, and a client signed in with fresh access confirmation."""
    client = Client()
    _sign_in_with_password(client, member)
    _confirm_access(client)
    passkey = SoftPasskey()
    assert _add_passkey(client, passkey).status_code == 302
    return member, passkey, client


def _passkeys(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)


def _snapshot(user):
    return sorted(Authenticator.objects.filter(user=user).values_list("pk", "type", "data", "last_used_at"))


def _executable_inline_scripts(body):
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", body)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]


# --- Enrolment ---------------------------------------------------------------------------------


def test_adding_the_first_passkey_makes_recovery_codes_and_shows_them(member):
    client = Client()
    _sign_in_with_password(client, member)
    _confirm_access(client)
    response = _add_passkey(client, SoftPasskey(), name="هاتف العمل")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    key = _passkeys(member).get()
    assert key.wrap().name == "هاتف العمل" and key.wrap().is_passwordless is True
    codes = (
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    assert len(codes) == 10
    page = client.get(response["Location"]).content.decode()
    for code in codes:
        assert f"<li>{code}</li>" in page


def test_a_second_passkey_keeps_the_recovery_codes(enrolled):
    member, _, client = enrolled
    codes = (
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    response = _add_passkey(client, SoftPasskey(), name="مفتاح الأمان")
    assert response["Location"] == reverse("mfa_index")
    assert _passkeys(member).count() == 2
    assert (
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
        == codes
    )


def test_the_relying_party_is_the_site_address_whatever_host_the_request_names(member, settings):
    settings.ALLOWED_HOSTS = ["cssr.test", "www.cssr.test"]
    client = Client(HTTP_HOST="www.cssr.test")
    _sign_in_with_password(client, member)
    _confirm_access(client)
    options = client.get(reverse("mfa_add_webauthn")).context["js_data"]["creation_options"]["publicKey"]
    assert options["rp"]["id"] == RP_ID
    assert options["user"]["name"] == "huda"  # the username, not the e-mail address
    assert "@" not in json.dumps(options)


GARBAGE = [
    "",
    "not json",
    "null",
    "0",
    "false",
    "[]",
    '"text"',
    "{}",
    '{"id": 5}',
    json.dumps({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}),
    json.dumps(
        {
            "id": "AAAA",
            "rawId": "AAAA",
            "type": "public-key",
            "response": {"clientDataJSON": "!!!", "attestationObject": "AAAA"},
        }
    ),
    json.dumps({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": []}),
]


@pytest.mark.parametrize("credential", GARBAGE)
def test_garbage_posted_to_add_a_passkey_is_refused_with_a_message(enrolled, credential):
    member, _, client = enrolled
    before = _snapshot(member)
    client.get(reverse("mfa_add_webauthn"))
    response = client.post(reverse("mfa_add_webauthn"), {"name": "x", "credential": credential})
    assert response.status_code == 200
    assert _arabic(ADD_REFUSED) in response.content.decode()
    assert _snapshot(member) == before


@pytest.mark.parametrize(
    "wrong", [{"rp_id": "evil.example"}, {"origin": "https://evil.example"}, {"origin": "http://cssr.test"}]
)
def test_a_passkey_made_for_another_site_is_not_added(member, wrong):
    client = Client()
    _sign_in_with_password(client, member)
    _confirm_access(client)
    options = client.get(reverse("mfa_add_webauthn")).context["js_data"]["creation_options"]
    credential = SoftPasskey().create(options, **wrong)
    response = client.post(reverse("mfa_add_webauthn"), {"name": "x", "credential": json.dumps(credential)})
    assert response.status_code == 200
    assert _arabic(ADD_REFUSED) in response.content.decode()
    assert not Authenticator.objects.filter(user=member).exists()


def test_a_replayed_registration_is_not_added_twice(member):
    client = Client()
    _sign_in_with_password(client, member)
    _confirm_access(client)
    options = client.get(reverse("mfa_add_webauthn")).context["js_data"]["creation_options"]
    credential = json.dumps(SoftPasskey().create(options))
    assert (
        client.post(reverse("mfa_add_webauthn"), {"name": "a", "credential": credential}).status_code == 302
    )
    response = client.post(reverse("mfa_add_webauthn"), {"name": "b", "credential": credential})
    assert _arabic(ADD_REFUSED) in response.content.decode()
    assert _passkeys(member).count() == 1


def test_adding_a_passkey_needs_the_password_again(member):
    client = Client()
    _sign_in_with_password(client, member)
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


# --- Passwordless sign-in ----------------------------------------------------------------------


def _login_options(client):
    response = client.get(reverse("mfa_login_webauthn"), headers={"accept": "application/json"})
    assert response.status_code == 200
    return response.json()["request_options"]


def test_passwordless_sign_in_with_the_passkey(enrolled):
    member, passkey, _ = enrolled
    client = Client()
    credential = passkey.get(_login_options(client))
    response = client.post(reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    assert _passkeys(member).get().last_used_at is not None


@pytest.mark.parametrize("credential", GARBAGE)
def test_garbage_posted_to_passkey_sign_in_is_refused_with_a_message(enrolled, credential):
    member, _, _ = enrolled
    before = _snapshot(member)
    client = Client()
    _login_options(client)
    response = client.post(reverse("mfa_login_webauthn"), {"credential": credential}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    body = response.content.decode()
    assert _arabic(USE_REFUSED) in body
    assert 'lang="ar" dir="rtl"' in body
    assert "_auth_user_id" not in client.session
    assert _snapshot(member) == before


@pytest.mark.parametrize("wrong", [{"rp_id": "evil.example"}, {"origin": "https://evil.example"}])
def test_a_passkey_of_another_site_does_not_sign_in(enrolled, wrong):
    member, passkey, _ = enrolled
    before = _snapshot(member)
    client = Client()
    credential = passkey.get(_login_options(client), **wrong)
    response = client.post(reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)}, follow=True)
    assert _arabic(USE_REFUSED) in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _snapshot(member) == before


def test_a_passkey_cannot_sign_in_as_another_account(enrolled):
    member, passkey, _ = enrolled
    other = factories.UserFactory(username="fadi")
    client = Client()
    other_handle = str(other.pk).encode()
    credential = passkey.get(_login_options(client), user_handle=other_handle)
    response = client.post(reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)}, follow=True)
    assert _arabic(USE_REFUSED) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_removed_passkey_no_longer_signs_in(enrolled):
    member, passkey, client = enrolled
    key = _passkeys(member).get()
    assert client.post(reverse("mfa_remove_webauthn", args=[key.pk])).status_code == 302
    assert not Authenticator.objects.filter(user=member).exists()  # the recovery codes went with it
    anonymous = Client()
    credential = passkey.get(_login_options(anonymous))
    response = anonymous.post(
        reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)}, follow=True
    )
    assert _arabic(USE_REFUSED) in response.content.decode()
    assert "_auth_user_id" not in anonymous.session


# --- Second step -------------------------------------------------------------------------------


def test_second_step_with_the_passkey_after_the_password(enrolled):
    member, passkey, _ = enrolled
    client = Client()
    assert _sign_in_with_password(client, member)["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("mfa_authenticate"))
    body = page.content.decode()
    assert 'data-passkey="get"' in body and 'name="code"' in body  # a passkey, or a code
    credential = passkey.get(page.context["js_data"]["request_options"])
    response = client.post(reverse("mfa_authenticate"), {"credential": json.dumps(credential)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.parametrize("credential", GARBAGE)
def test_garbage_at_the_second_step_is_refused_with_a_message(enrolled, credential):
    member, _, _ = enrolled
    before = _snapshot(member)
    client = Client()
    _sign_in_with_password(client, member)
    client.get(reverse("mfa_authenticate"))
    response = client.post(reverse("mfa_authenticate"), {"credential": credential})
    assert response.status_code == 200
    assert _arabic(USE_REFUSED) in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _snapshot(member) == before


def test_another_accounts_passkey_is_refused_at_the_second_step(enrolled):
    member, _, _ = enrolled
    other = factories.UserFactory(username="salma")
    other_client = Client()
    _sign_in_with_password(other_client, other)
    _confirm_access(other_client)
    other_passkey = SoftPasskey()
    _add_passkey(other_client, other_passkey)

    client = Client()
    _sign_in_with_password(client, member)
    options = client.get(reverse("mfa_authenticate")).context["js_data"]["request_options"]
    response = client.post(
        reverse("mfa_authenticate"), {"credential": json.dumps(other_passkey.get(options))}
    )
    assert _arabic(USE_REFUSED) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_still_works_at_the_second_step(enrolled):
    member, _, _ = enrolled
    code = (
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()[0]
    )
    client = Client()
    _sign_in_with_password(client, member)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


# --- Managing passkeys -------------------------------------------------------------------------


def test_confirming_access_with_the_passkey_instead_of_the_password(enrolled):
    member, passkey, _ = enrolled
    client = Client()
    _sign_in_with_password(client, member)
    options = client.get(reverse("mfa_authenticate")).context["js_data"]["request_options"]
    client.post(reverse("mfa_authenticate"), {"credential": json.dumps(passkey.get(options))})
    assert client.get(reverse("mfa_add_webauthn")).status_code == 302  # signed in, but not confirmed yet
    page = client.get(reverse("mfa_reauthenticate_webauthn"), {"next": reverse("mfa_add_webauthn")})
    assert page.status_code == 200
    credential = passkey.get(page.context["js_data"]["request_options"])
    response = client.post(
        reverse("mfa_reauthenticate_webauthn"),
        {"credential": json.dumps(credential), "next": reverse("mfa_add_webauthn")},
    )
    assert response["Location"] == reverse("mfa_add_webauthn")
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200


def test_another_users_passkey_cannot_be_renamed_or_removed(enrolled):
    member, _, _ = enrolled
    key = _passkeys(member).get()
    before = _snapshot(member)
    other = factories.UserFactory(username="dima")
    client = Client()
    _sign_in_with_password(client, other)
    _confirm_access(client)
    assert client.get(reverse("mfa_edit_webauthn", args=[key.pk])).status_code == 404
    assert client.post(reverse("mfa_edit_webauthn", args=[key.pk]), {"name": "stolen"}).status_code == 404
    assert client.post(reverse("mfa_remove_webauthn", args=[key.pk])).status_code == 404
    assert _snapshot(member) == before


def test_renaming_a_passkey_and_refusing_a_name_too_long(enrolled):
    member, _, client = enrolled
    key = _passkeys(member).get()
    response = client.post(reverse("mfa_edit_webauthn", args=[key.pk]), {"name": "x" * 101})
    assert response.status_code == 200
    assert _passkeys(member).get().wrap().name == "هاتفي"
    assert (
        client.post(reverse("mfa_edit_webauthn", args=[key.pk]), {"name": "حاسوب المكتب"}).status_code == 302
    )
    assert _passkeys(member).get().wrap().name == "حاسوب المكتب"


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ar", "en"])
def test_passkey_pages_render_in_both_languages_without_inline_script(enrolled, language):
    member, _, client = enrolled
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    key = _passkeys(member).get()
    direction = "rtl" if language == "ar" else "ltr"
    pages = {
        reverse("mfa_index"): "هاتفي",
        reverse("mfa_list_webauthn"): reverse("mfa_remove_webauthn", args=[key.pk]),
        reverse("mfa_add_webauthn"): 'data-passkey="create"',
        reverse("mfa_edit_webauthn", args=[key.pk]): "هاتفي",
        reverse("mfa_remove_webauthn", args=[key.pk]): "هاتفي",
        reverse("mfa_reauthenticate_webauthn"): 'data-passkey="get"',
        reverse("mfa_view_recovery_codes"): 'class="recovery-codes',
        reverse("accounts:profile"): reverse("mfa_list_webauthn"),
    }
    for url, marker in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in body, url
        assert marker in body, url
        assert not _executable_inline_scripts(body), url
        assert not re.search(r"\sstyle=|\son[a-z]+=", body), url
        assert "Security key" not in body, url  # allauth's wording is replaced by the platform's


@pytest.mark.parametrize("language", ["ar", "en"])
def test_sign_in_page_offers_a_passkey_in_both_languages(language, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("account_login")).content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in body
    assert f'action="{reverse("mfa_login_webauthn")}"' in body
    assert "js/passkeys" in body and "mfa/js/webauthn-json" in body
    assert "<script" not in body.replace("<script src=", "")
    with translation.override(language):
        expected = translation.gettext("Sign in with a passkey")
    assert expected in body
    assert (expected == "Sign in with a passkey") == (language == "en")  # translated in Arabic


def test_passkey_sign_in_options_are_only_given_as_json():
    response = Client().get(reverse("mfa_login_webauthn"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
