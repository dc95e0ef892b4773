"""Signing in: admin only through the platform's sign-in with the second factor, who must use a second
factor in every session, throttling that stops guessing but not a workshop, and the client address
read only from what the trusted proxy wrote."""

import logging
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.translation import override

from accounts import throttle
from accounts.network import client_ip, network_of
from workgroups import services as workgroup_services
from workgroups.models import Membership, Role

from . import factories
from .conftest import TOTP_FROZEN_AT, client_for, frozen_totp, totp_code

pytestmark = pytest.mark.django_db

HOME, ELSEWHERE, ATTACKER = "203.0.113.5", "192.0.2.44", "198.51.100.9"


# --- Helpers ---------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: `clock.advance(seconds)`."""

    class Clock:
        at = 1_900_000_000.0

        def advance(self, seconds):
            self.at += seconds

    instance = Clock()
    monkeypatch.setattr(throttle, "now", lambda: instance.at)
    return instance


def sign_in(client, login, password=factories.PASSWORD, *, next_url=None):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": login, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


def body(response):
    return response.content.decode()


def account_wait(seconds):
    with override("ar"):
        return throttle._account_message(seconds)


def network_wait(seconds):
    with override("ar"):
        return throttle._address_message(seconds)


def user_with_totp(**fields):
    user = factories.UserFactory(**fields)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


# --- Admin: only through the platform's sign-in, with the second factor ----------------------


def test_admin_login_page_only_leads_to_the_platform_sign_in():
    staff = factories.StaffFactory(username="ops")
    client = Client()
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    # Its form posts are never checked against the password: nothing to guess there.
    response = client.post(reverse("admin:login"), {"username": "ops", "password": factories.PASSWORD})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("account_login")
    assert not signed_in(client)
    assert staff.pk


def test_a_staff_password_alone_does_not_open_admin():
    staff = factories.StaffFactory(username="ops", totp=False)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = Client()
    response = sign_in(client, "ops", next_url="/admin/")
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert urlsplit(client.get(reverse("admin:index"))["Location"]).path in (
        reverse("admin:login"),
        reverse("account_login"),
    )
    with frozen_totp():
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_staff_session_that_did_not_use_the_second_factor_is_asked_for_it():
    staff = factories.StaffFactory(totp=False)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = client_for(staff, second_factor=False)
    response = client.get(reverse("admin:index"))
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fadmin%2F"
    with frozen_totp():
        refused = client.post(
            response["Location"], {"code": totp_code(secret, TOTP_FROZEN_AT - 90)}
        )  # expired
        assert refused.status_code == 200 and refused.context["form"].errors
        assert client.get(reverse("admin:index")).status_code == 302
        response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_sign_out_is_the_platform_sign_out():
    staff = factories.StaffFactory()
    client = client_for(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    confirm = client.get(reverse("admin:logout"))
    assert confirm.status_code == 200 and "account/logout.html" in [t.name for t in confirm.templates]
    assert signed_in(client)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 302
    assert not signed_in(client)
    assert not UserSession.objects.filter(user=staff).exists()


def test_a_signed_in_participant_gets_403_from_the_admin_login_page():
    client = client_for(factories.UserFactory())
    assert client.get(reverse("admin:login")).status_code == 403


def test_admin_sign_in_is_throttled_through_both_login_urls(clock):
    factories.StaffFactory(username="ops")
    client = Client()
    for attempt in range(25):
        response = client.post(
            reverse("admin:login") + "?next=/admin/", {"username": "ops", "password": f"guess-{attempt}"}
        )
        assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("account_login")
    assert not signed_in(client)
    refused = [
        attempt
        for attempt in range(25)
        if account_wait(15) in body(sign_in(client, "ops", f"guess-{attempt}", next_url="/admin/"))
    ]
    assert refused == list(range(5, 25))  # five tries, then the account waits
    response = sign_in(client, "ops", next_url="/admin/")
    assert account_wait(15) in body(response) and not signed_in(client)
    assert "mfa_authenticate" not in response.get("Location", "")


# --- Who must use a second factor --------------------------------------------------------------


@pytest.mark.parametrize("role", ["rapporteur", "technical_officer", "political_officer", "staff"])
def test_officers_rapporteurs_and_staff_without_a_second_factor_are_sent_to_set_one_up(world, role):
    user = world["users"][role]
    Authenticator.objects.filter(user=user).delete()
    client = client_for(user, second_factor=False)
    for url in (
        reverse("workgroups:space-list"),
        reverse("workgroups:space-detail", args=[world["space"].pk]),
        reverse("accounts:profile"),
        reverse("mfa_reauthenticate"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index"), url
    messages = [str(message) for message in client.get(reverse("mfa_index")).context["messages"]]
    assert any("two-factor" in message or "المصادقة" in message for message in messages)
    # Setting one up, switching the language and signing out stay open.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert urlsplit(client.get(reverse("mfa_activate_totp"))["Location"]).path == reverse(
        "account_reauthenticate"
    )
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.post(reverse("accounts:language-set"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert not signed_in(client)


@pytest.mark.parametrize("role", ["rapporteur", "technical_officer", "political_officer"])
def test_a_session_that_did_not_use_the_second_factor_is_asked_for_it_and_nothing_else_opens(world, role):
    user = world["users"][role]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = client_for(user, second_factor=False)
    space_url = reverse("workgroups:space-detail", args=[world["space"].pk])
    for url in (
        space_url,
        reverse("mfa_index"),
        reverse("mfa_activate_totp"),
        reverse("account_reauthenticate"),
    ):
        response = client.get(url)
        assert urlsplit(response["Location"]).path == reverse("mfa_reauthenticate"), url
    # A form posted meanwhile changes nothing.
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "changed", "title": "", "preferred_language": "ar", "time_zone": "Asia/Damascus"},
    )
    assert response["Location"] == reverse("mfa_reauthenticate")
    user.refresh_from_db()
    assert user.display_name != "changed"
    with frozen_totp():
        response = client.post(
            reverse("mfa_reauthenticate") + f"?next={space_url}", {"code": totp_code(secret)}
        )
    assert response["Location"] == space_url
    assert client.get(space_url).status_code == 200


def test_members_need_no_second_factor_unless_everyone_must(world, settings):
    member = world["users"]["member"]
    client = client_for(member)
    assert client.get(reverse("workgroups:space-list")).status_code == 200
    settings.CSSR_REQUIRE_MFA_FOR_EVERYONE = True
    assert client.get(reverse("workgroups:space-list"))["Location"] == reverse("mfa_index")


def test_the_role_list_decides_who_must_use_a_second_factor(world, settings):
    rapporteur, staff = world["users"]["rapporteur"], world["users"]["staff"]
    settings.CSSR_MFA_REQUIRED_ROLES = ["technical_officer"]
    assert (
        client_for(rapporteur, second_factor=False).get(reverse("workgroups:space-list")).status_code == 200
    )
    assert client_for(staff, second_factor=False).get(reverse("admin:index")).status_code == 200
    settings.CSSR_MFA_REQUIRED_ROLES = ["staff"]
    assert client_for(staff, second_factor=False).get(reverse("admin:index")).status_code == 302


def test_becoming_a_rapporteur_asks_for_a_second_factor_at_the_next_page_and_leaving_releases_it(world):
    member = world["users"]["member"]
    client = client_for(member)
    url = reverse("workgroups:space-list")
    assert client.get(url).status_code == 200
    membership = Membership.objects.get(user=member, space=world["space"])
    workgroup_services.membership_change_role(
        actor=world["users"]["staff"], membership=membership, role=Role.RAPPORTEUR
    )
    assert client.get(url)["Location"] == reverse("mfa_index")
    workgroup_services.membership_leave(actor=None, membership=Membership.objects.get(pk=membership.pk))
    assert client.get(url).status_code == 200


@pytest.mark.django_db(
    transaction=True
)  # allauth tells of the new authenticator on commit, within the request
def test_setting_up_the_first_authenticator_counts_as_this_sessions_second_factor(world):
    rapporteur = world["users"]["rapporteur"]
    Authenticator.objects.filter(user=rapporteur).delete()
    client = Client()
    response = sign_in(client, "rapporteur")
    assert signed_in(client)  # no authenticator yet: the password signs in, and every page asks for one
    assert client.get(reverse("workgroups:space-list"))["Location"] == reverse("mfa_index")
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]
    with frozen_totp():
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("workgroups:space-list")).status_code == 200


def test_removing_the_last_authenticator_sends_every_session_back_to_set_one_up(world):
    rapporteur = world["users"]["rapporteur"]
    client = client_for(rapporteur)
    assert client.get(reverse("workgroups:space-list")).status_code == 200
    Authenticator.objects.filter(user=rapporteur).delete()
    assert client.get(reverse("workgroups:space-list"))["Location"] == reverse("mfa_index")


def test_a_passkey_is_a_second_factor(world):
    officer = world["users"]["political_officer"]
    Authenticator.objects.filter(user=officer).delete()
    passkey = Authenticator.objects.create(
        user=officer, type=Authenticator.Type.WEBAUTHN, data={"name": "phone"}
    )
    client = client_for(officer, second_factor=False)
    response = client.get(reverse("workgroups:space-list"))
    assert urlsplit(response["Location"]).path == reverse("mfa_reauthenticate_webauthn")
    client = client_for(officer)  # a session that used the passkey
    assert client.get(reverse("workgroups:space-list")).status_code == 200
    assert passkey.pk


def test_the_gate_costs_no_query_per_request(world, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(client, url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    gated = client_for(world["users"]["rapporteur"])
    url = reverse("workgroups:space-list")
    gated.get(url)
    with_gate = queries(gated, url)
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "accounts.middleware.TwoFactorMiddleware"
    ]
    ungated = Client()  # a new handler, built without the gate, on the same session
    ungated.cookies = gated.cookies
    assert queries(ungated, url) == with_gate


# --- Second-factor codes: wrong, replayed, expired, throttled ---------------------------------


def test_wrong_replayed_and_expired_codes_are_refused_and_sign_nobody_in():
    user, secret = user_with_totp(username="layla")

    def refused(code):
        client = Client()
        sign_in(client, "layla")
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        return response.status_code == 200 and bool(response.context["form"].errors) and not signed_in(client)

    with frozen_totp():
        # Wrong, expired, not yet valid, in Arabic-Indic digits (fewer than the five a window allows).
        expired, not_yet = totp_code(secret, TOTP_FROZEN_AT - 60), totp_code(secret, TOTP_FROZEN_AT + 60)
        for code in ("000000", expired, not_yet, "١٢٣٤٥٦"):
            assert refused(code), code
        first = Client()
        sign_in(first, "layla")
        first.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert signed_in(first)
        assert refused(totp_code(secret))  # a code works once
        for code in ("x" * 5000, "' OR 1=1 --", ""):
            assert refused(code), code[:10]
    assert Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).last_used_at is not None


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EASTERN_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_a_code_typed_in_arabic_indic_digits_is_the_same_code_everywhere_it_is_asked(world):
    """A phone keyboard set to Arabic types ٠-٩ (or ۰-۹ in Persian layouts): sign-in, confirming it is
    you, and setting up an authenticator accept the code, and a code used once stays used in any digits."""
    user, secret = user_with_totp(username="layla")
    with frozen_totp():
        client = Client()
        sign_in(client, "layla")
        response = client.post(
            reverse("mfa_authenticate"), {"code": totp_code(secret).translate(ARABIC_INDIC)}
        )
        assert response.status_code == 302 and signed_in(client)
        replay = Client()
        sign_in(replay, "layla")
        response = replay.post(
            reverse("mfa_authenticate"), {"code": totp_code(secret).translate(EASTERN_ARABIC_INDIC)}
        )
        assert response.status_code == 200 and response.context["form"].errors and not signed_in(replay)
    later = TOTP_FROZEN_AT + 90
    with frozen_totp(later):
        response = client.post(
            reverse("mfa_reauthenticate"),
            {"code": f" {totp_code(secret, later).translate(EASTERN_ARABIC_INDIC)} "},
        )
        assert response.status_code == 302, response.context["form"].errors
    rapporteur = world["users"]["rapporteur"]
    Authenticator.objects.filter(user=rapporteur).delete()
    client = Client()
    sign_in(client, "rapporteur")
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    new_secret = client.session["mfa.totp.secret"]
    with frozen_totp():
        response = client.post(
            reverse("mfa_activate_totp"), {"code": totp_code(new_secret).translate(ARABIC_INDIC)}
        )
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=rapporteur, type=Authenticator.Type.TOTP).exists()
    assert user.pk


def test_second_factor_codes_are_throttled_per_account():
    _user, secret = user_with_totp(username="layla")
    client = Client()
    sign_in(client, "layla")
    with frozen_totp():
        for attempt in range(5):
            client.post(reverse("mfa_authenticate"), {"code": f"00000{attempt}"})
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 200 and response.context["form"].errors
    assert not signed_in(client)


# --- Throttling: stops guessing, not a workshop ----------------------------------------------


def test_25_wrong_passwords_for_one_account_are_stopped_then_it_waits_longer_each_time(clock):
    factories.UserFactory(username="omar")
    client = Client()
    answers = [body(sign_in(client, "omar", f"guess-{attempt}")) for attempt in range(25)]
    assert [account_wait(15) in answer for answer in answers] == [False] * 5 + [True] * 20
    assert account_wait(15) in body(sign_in(client, "omar"))  # the right password too, while it waits
    assert not signed_in(client)
    for expected in (15, 30, 60, 120, 240, 300, 300):
        clock.advance(expected)
        sign_in(client, "omar", "still-guessing")
        assert account_wait(min(expected * 2, 300)) in body(sign_in(client, "omar")), expected
    clock.advance(300)
    sign_in(client, "omar")
    assert signed_in(client)


def test_a_workshop_of_thirty_on_one_wifi_signs_in_within_a_minute_despite_typos(clock):
    people = [factories.UserFactory(username=f"participant{n}") for n in range(30)]
    for index, person in enumerate(people):
        client = Client(REMOTE_ADDR=HOME)
        if index % 6 == 0:
            assert not signed_in(client) and "غير صحيح" in body(sign_in(client, person.username, "typo"))
        clock.advance(1)
        sign_in(client, person.username)
        assert signed_in(client), person.username


def test_one_address_cannot_try_passwords_across_many_accounts(clock):
    for n in range(31):
        factories.UserFactory(username=f"target{n}")
    client = Client(REMOTE_ADDR=ATTACKER)
    for n in range(30):
        assert network_wait(1) not in body(sign_in(client, f"target{n}", "Password123!"))
    response = sign_in(client, "target30")
    assert network_wait(600) in body(response) and not signed_in(client)
    other = Client(REMOTE_ADDR=HOME)  # another address is not held
    sign_in(other, "target30")
    assert signed_in(other)
    clock.advance(601)
    sign_in(client, "target29")
    assert signed_in(client)


def test_failing_on_purpose_does_not_keep_a_person_out(clock):
    factories.UserFactory(username="huda")
    home = Client(REMOTE_ADDR=HOME)
    sign_in(home, "huda")
    assert signed_in(home)
    home.post(reverse("account_logout"))
    attacker = Client(REMOTE_ADDR=ATTACKER)

    def attack():
        for _ in range(25):
            sign_in(attacker, "huda", "guess")
            clock.advance(20)

    # From a network she never used she waits, at most five minutes after the last failure.
    attack()
    travelling = Client(REMOTE_ADDR=ELSEWHERE)
    sign_in(travelling, "huda")
    assert not signed_in(travelling)
    clock.advance(300)
    sign_in(travelling, "huda")
    assert signed_in(travelling)
    # From her usual network (another address in it, too) she signs in at once.
    attack()
    at_home = Client(REMOTE_ADDR="203.0.113.77")
    sign_in(at_home, "huda")
    assert signed_in(at_home)


@pytest.mark.parametrize("renewal", ["reset link", "staff in admin"])
def test_a_password_reset_lifts_the_wait_someone_else_caused(
    clock, renewal, mailoutbox, django_capture_on_commit_callbacks
):
    """Someone fails on purpose until she waits five minutes; she resets her password by the e-mailed
    link from a network she never used (or staff set one for her), and signs in with it at once."""
    huda = factories.UserFactory(username="huda", email="huda@example.org")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(25):
        sign_in(attacker, "huda", "guess")
        clock.advance(20)
    travelling = Client(REMOTE_ADDR=ELSEWHERE)
    page = body(sign_in(travelling, "huda"))
    assert any(account_wait(seconds) in page for seconds in range(1, 301)) and not signed_in(travelling)
    new_password = "Reset-secret-2254!"
    if renewal == "reset link":
        with django_capture_on_commit_callbacks(execute=True):  # the outbox sends once the request commits
            assert (
                travelling.post(reverse("account_reset_password"), {"email": huda.email}).status_code == 302
            )
        link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mailoutbox[-1].body).group(1)
        response = travelling.get(link, follow=True)
        form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
        response = travelling.post(form_url, {"password1": new_password, "password2": new_password})
        assert response.status_code == 302, body(response)[:500]
    else:
        staff = factories.StaffFactory(username="ops")
        response = client_for(staff).post(
            reverse("admin:auth_user_password_change", args=[huda.pk]),
            {"usable_password": "true", "password1": new_password, "password2": new_password},
        )
        assert response.status_code == 302
    sign_in(travelling, "huda", new_password)
    assert signed_in(travelling)
    # The attacker's own network is still held, even with the new password.
    page = body(sign_in(attacker, "huda", new_password))
    assert any(account_wait(seconds) in page for seconds in range(1, 301)) and not signed_in(attacker)


def test_unknown_names_and_both_spellings_of_an_account_are_counted_alike(clock):
    factories.UserFactory(username="salma", email="salma@example.org")
    client = Client()
    for login in ("salma", "SALMA@example.org", "salma", "salma@example.org", "Salma"):
        sign_in(client, login, "wrong")
    assert account_wait(15) in body(sign_in(client, "salma@example.org"))
    for _ in range(5):
        sign_in(client, "nobody-here", "wrong")
    assert account_wait(15) in body(sign_in(client, "nobody-here", "wrong"))


def test_the_throttle_logs_the_network_never_what_was_typed(clock, caplog):
    factories.UserFactory(username="dima")
    client = Client(REMOTE_ADDR=HOME)
    with caplog.at_level(logging.INFO, logger="cssr.security"):
        for _ in range(6):
            sign_in(client, "a-password-typed-as-a-name", "typed-secret")
    text = caplog.text
    assert "203.0.113.0/24" in text and "sign-in refused" in text
    assert "a-password-typed-as-a-name" not in text and "typed-secret" not in text and HOME not in text


# --- The client address: only what the trusted proxy wrote -------------------------------------


@pytest.mark.parametrize(
    ("count", "remote", "header", "expected"),
    [
        (0, "203.0.113.9", "6.6.6.6", "203.0.113.9"),  # no proxy: the header is ignored
        (0, "", "6.6.6.6", ""),  # no socket address: none to trust
        (0, "not an address", "", ""),
        (0, "::ffff:203.0.113.9", "", "203.0.113.9"),  # an IPv4 client on an IPv6 socket
        (0, "fe80::1%eth0", "", "fe80::1"),  # a zone names an interface, not a client
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own value is skipped
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "", "10.0.0.2"),  # straight to the app: the socket
        (1, "10.0.0.2", " , ,", "10.0.0.2"),
        (1, "10.0.0.2", "6.6.6.6, garbage", ""),  # the trusted hop is no address
        (1, "10.0.0.2", "6.6.6.6, 2001:db8:1:2::7", "2001:db8:1:2::7"),
        (1, "10.0.0.2", "1.1.1.1," * 5000 + "198.51.100.7", "198.51.100.7"),  # many hops
        (1, "10.0.0.2", "198.51.100.7:443", ""),  # with a port: not an address
        (1, "10.0.0.2", "١٩٨.٥١.١٠٠.٧", ""),  # Arabic-Indic digits
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "198.51.100.7", "10.0.0.3"),  # fewer hops than proxies
    ],
)
def test_client_ip_trusts_only_what_the_proxies_wrote(settings, count, remote, header, expected):
    settings.CSSR_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.9", "203.0.113.0/24"),
        ("2001:db8:1:2::7", "2001:db8:1::/48"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        ("fe80::1%eth0", "fe80::/48"),
        ("", ""),
        ("garbage", ""),
        ("203.0.113.0/24", ""),
        ("999.1.1.1", ""),
        ("<script>", ""),
        (None, ""),
    ],
)
def test_network_of_truncates_and_refuses_anything_else(address, network):
    assert network_of(address) == network


def test_a_forged_forwarded_for_escapes_neither_the_address_limit_nor_reaches_sessions_or_logs(
    settings, clock, caplog
):
    settings.CSSR_TRUSTED_PROXY_COUNT = 1
    for n in range(31):
        factories.UserFactory(username=f"target{n}")
    client = Client(REMOTE_ADDR="10.0.0.2")
    with caplog.at_level(logging.INFO, logger="cssr.security"):
        for n in range(30):
            client.post(
                reverse("account_login"),
                {"login": f"target{n}", "password": "guess"},
                HTTP_X_FORWARDED_FOR=f"6.6.{n}.6, 198.51.100.7",
            )
        response = client.post(
            reverse("account_login"),
            {"login": "target30", "password": factories.PASSWORD},
            HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.7",
        )
    assert network_wait(600) in body(response) and not signed_in(client)
    assert "6.6." not in caplog.text and "7.7.7.7" not in caplog.text and "198.51.100.0/24" in caplog.text
    user = factories.UserFactory(username="rana")
    other = Client(REMOTE_ADDR="10.0.0.2")
    other.post(
        reverse("account_login"),
        {"login": "rana", "password": factories.PASSWORD},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
    )
    assert signed_in(other)
    row = UserSession.objects.get(user=user)
    assert row.ip != "6.6.6.6" and network_of(row.ip) == "203.0.113.0/24"


def test_without_a_trusted_proxy_the_forwarded_for_header_is_ignored(clock):
    for n in range(31):
        factories.UserFactory(username=f"target{n}")
    client = Client(REMOTE_ADDR=ATTACKER)
    for n in range(30):
        client.post(
            reverse("account_login"),
            {"login": f"target{n}", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"6.6.{n}.6",
        )
    response = client.post(
        reverse("account_login"),
        {"login": "target30", "password": factories.PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert network_wait(600) in body(response) and not signed_in(client)


def test_an_address_that_cannot_be_trusted_is_refused_with_a_message_and_signs_nobody_in(settings):
    settings.CSSR_TRUSTED_PROXY_COUNT = 1
    factories.UserFactory(username="fadi")
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "fadi", "password": factories.PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7, <script>",
    )
    assert response.status_code == 403
    assert "operations support team" in body(response) or "فريق الدعم" in body(response)
    assert not signed_in(client) and not UserSession.objects.exists()


# --- The demo accounts ------------------------------------------------------------------------


def test_demo_officers_and_rapporteurs_have_an_authenticator_and_make_totp_prints_their_codes(capsys):
    from accounts import demo as accounts_demo
    from workgroups import demo as workgroups_demo

    required = {"ops"} | {
        username
        for spec in workgroups_demo.SPACES
        for username, role in spec["people"]
        if role in (Role.RAPPORTEUR, Role.TECHNICAL_OFFICER, Role.POLITICAL_OFFICER)
    }
    assert required == set(accounts_demo.DEMO_TOTP_SECRETS)
    users = accounts_demo.load()
    with mock.patch("accounts.management.commands.demo_totp.time") as wall:
        wall.time.return_value = TOTP_FROZEN_AT
        call_command("demo_totp")
    printed = dict(line.split() for line in capsys.readouterr().out.splitlines() if not line.startswith("("))
    with frozen_totp():
        for username in required:
            authenticator = Authenticator.objects.get(user=users[username], type=Authenticator.Type.TOTP)
            assert printed[username] == totp_code(accounts_demo.DEMO_TOTP_SECRETS[username])
            assert authenticator.wrap().validate_code(printed[username]), username
