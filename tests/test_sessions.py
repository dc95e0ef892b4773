"""Sessions a person can see and end, their lifetime, re-authentication, the new-device e-mail and the
metadata kept about sign-ins (accounts/sessions.py, accounts/useragents.py)."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services_sessions, sessions, useragents
from accounts.models import AuditEvent, KnownDevice
from accounts.tasks import forget_old_metadata
from workgroups.models import OutgoingEmail

from . import factories

pytestmark = pytest.mark.django_db

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
)


# --- The user-agent parser ------------------------------------------------------------------------

USER_AGENTS = [
    (CHROME_ANDROID, "Chrome", "Android"),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36",
        "Chrome",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome",
        "macOS",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36",
        "Chrome",
        "Linux",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        "Chrome",
        "iOS",
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36",
        "Chrome",
        "ChromeOS",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.6099.224 Safari/537.36",
        "Chrome",
        "Linux",
    ),
    (FIREFOX_WINDOWS, "Firefox", "Windows"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox", "Linux"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0", "Firefox", "Android"),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "FxiOS/125.0 Mobile/15E148 Safari/605.1.15",
        "Firefox",
        "iOS",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox",
        "macOS",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
        "Safari",
        "macOS",
    ),
    (SAFARI_IPHONE, "Safari", "iOS"),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
        "Mobile/15E148 Safari/604.1",
        "Safari",
        "iPadOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36 Edg/124.0.2478.80",
        "Edge",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
        "Safari/537.36 EdgA/124.0.2478.64",
        "Edge",
        "Android",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 EdgiOS/124.2478.71 Mobile/15E148 Safari/605.1.15",
        "Edge",
        "iOS",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Samsung Internet",
        "Android",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36 OPR/110.0.0.0",
        "Opera",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
        "Safari/537.36 OPR/81.1.4292.78446",
        "Opera",
        "Android",
    ),
    (
        "Opera/9.80 (Android; Opera Mini/36.2.2254/119.132; U; id) Presto/2.12.423 Version/12.16",
        "Opera",
        "Android",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
        "YaBrowser/24.4.0.0 Safari/537.36",
        "Yandex Browser",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "YaBrowser/24.1.1.123.00 SA/3 Mobile Safari/537.36",
        "Yandex Browser",
        "Android",
    ),
    # An old Android browser says "Safari" too; it is not Safari.
    (
        "Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebKit/534.30 (KHTML, like "
        "Gecko) Version/4.0 Mobile Safari/534.30",
        "",
        "Android",
    ),
    ("curl/8.5.0", "", ""),
    ("", "", ""),
]


@pytest.mark.parametrize(
    ("header", "browser", "system"),
    USER_AGENTS,
    ids=[f"{b or '?'}-{s or '?'}-{i}" for i, (_h, b, s) in enumerate(USER_AGENTS)],
)
def test_user_agent_table(header, browser, system):
    agent = useragents.parse(header)
    assert (agent.browser, agent.system) == (browser, system)
    # The stored form keeps nothing else, and parses back to the same thing.
    assert useragents.parse(agent.reduced) == agent
    assert not re.search(r"\d", agent.reduced)


def test_labels_say_browser_on_system():
    with translation.override("en"):
        assert useragents.label(CHROME_ANDROID) == "Chrome on Android"
        assert useragents.label(FIREFOX_WINDOWS) == "Firefox on Windows"
        assert useragents.label("Chrome · ?") == "Chrome"
        assert useragents.label("? · Linux") == "A browser on Linux"
        assert useragents.label("something odd") == "An unknown browser"


# --- Helpers --------------------------------------------------------------------------------------


def _sign_in(user, *, agent=CHROME_ANDROID, address="203.0.113.77", client=None):
    client = client or Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(reverse("account_login"), {"login": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.session.get(SESSION_KEY) == str(user.pk)
    return client


class Clock:
    """The sessions module's clock, moved by hand."""

    def __init__(self, monkeypatch):
        self.at = int(time.time())
        monkeypatch.setattr(sessions, "now", lambda: self.at)

    def advance(self, seconds):
        self.at += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


# --- Lifetime -------------------------------------------------------------------------------------


def test_signing_in_gives_a_fresh_session_key():
    user = factories.UserFactory(username="fresh")
    client = Client()
    anonymous = client.session
    anonymous["before-sign-in"] = "x"
    anonymous.save()
    before = anonymous.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert Session.objects.filter(session_key=before).exists()
    _sign_in(user, client=client)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    # The session that signed in is not reachable by the old key either.
    assert sessions.SessionStore(session_key=before).load() == {}


def test_an_idle_session_ends_with_a_message_in_the_users_language(clock):
    user = factories.UserFactory(username="idle", preferred_language="en")
    client = _sign_in(user)
    key = client.session.session_key
    clock.advance(settings.CSSR_SESSION_IDLE_SECONDS - 120)
    assert client.get(reverse("accounts:profile")).status_code == 200  # still within the limit
    clock.advance(settings.CSSR_SESSION_IDLE_SECONDS + 1)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 2 hours of inactivity" in page
    # The old session authenticates nothing anywhere (pages, websockets): the store refuses it.
    assert SESSION_KEY not in sessions.SessionStore(session_key=key).load()
    # The message is said once.
    assert "inactivity" not in client.get(reverse("account_login")).content.decode()


def test_arabic_is_the_language_of_the_message_for_an_arabic_speaker(clock):
    user = factories.UserFactory(username="arabic", preferred_language="ar")
    client = _sign_in(user)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    clock.advance(settings.CSSR_SESSION_IDLE_SECONDS + 1)
    client.get(reverse("accounts:profile"))
    with translation.override("ar"):
        expected = sessions.ended_message(sessions.IDLE, "ar")
    assert expected in client.get(reverse("account_login")).content.decode()


def test_activity_keeps_a_session_until_the_absolute_limit(clock):
    user = factories.UserFactory(username="busy", preferred_language="en")
    client = _sign_in(user)
    hours = settings.CSSR_SESSION_MAX_SECONDS // 3600
    for _hour in range(hours - 1):
        clock.advance(3600)
        assert client.get(reverse("accounts:profile")).status_code == 200
    clock.advance(3600 + 1)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because a session lasts at most 12 hours" in page


def test_a_stale_session_is_also_ended_by_the_middleware_with_a_plain_store(clock, settings):
    """With another session engine (no lifetime in the store) the middleware still signs it out."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = factories.UserFactory(username="plain", preferred_language="en")
    client = _sign_in(user)
    key = client.session.session_key
    assert UserSession.objects.filter(session_key=key).exists()
    clock.advance(settings.CSSR_SESSION_IDLE_SECONDS + 1)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert "of inactivity" in client.get(response["Location"]).content.decode()


def test_last_activity_is_written_at_most_once_a_minute(clock):
    user = factories.UserFactory(username="writer")
    client = _sign_in(user)
    key = client.session.session_key
    client.get(reverse("accounts:profile"))  # the first page after signing in notes the code of conduct
    row = UserSession.objects.get(session_key=key)
    data = Session.objects.get(session_key=key).session_data
    clock.advance(30)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:profile")).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(UPDATE|INSERT)", q["sql"])
        and ("django_session" in q["sql"] or "usersession" in q["sql"])
    ]
    assert writes == []
    assert Session.objects.get(session_key=key).session_data == data
    clock.advance(31)
    client.get(reverse("accounts:profile"))
    assert client.session[sessions.SEEN] == clock.at
    row_after = UserSession.objects.get(pk=row.pk)
    assert int(row_after.last_seen_at.timestamp()) == clock.at
    # The store's own expiry follows the limit, so `clearsessions` and every reader agree.
    expiry = Session.objects.get(session_key=key).expire_date
    assert int(expiry.timestamp()) == clock.at + settings.CSSR_SESSION_IDLE_SECONDS


def test_signing_out_clears_the_session_end_cookie(clock):
    user = factories.UserFactory(username="leaver", preferred_language="en")
    client = _sign_in(user)
    assert sessions.END_COOKIE in client.cookies
    response = client.post(reverse("account_logout"))
    assert response.cookies[sessions.END_COOKIE].value == ""
    client.get(reverse("account_login"))  # allauth's "You have signed out." is shown here
    clock.advance(settings.CSSR_SESSION_MAX_SECONDS + 1)
    assert "signed out" not in client.get(reverse("account_login")).content.decode()


def test_a_session_ended_elsewhere_says_so_without_blaming_inactivity():
    user = factories.UserFactory(username="elsewhere", preferred_language="en")
    phone = _sign_in(user)
    laptop = _sign_in(user, agent=FIREFOX_WINDOWS)
    laptop.post(reverse("usersessions_list"))  # sign out all other sessions
    response = phone.get(reverse("accounts:profile"))
    assert response.status_code == 302
    page = phone.get(response["Location"]).content.decode()
    assert "You were signed out. Please sign in again." in page
    assert "inactivity" not in page


def test_a_tampered_end_cookie_is_ignored():
    client = Client()
    client.cookies[sessions.END_COOKIE] = "idle:1:en"
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert "were signed out" not in response.content.decode()


# --- The sessions page ----------------------------------------------------------------------------


def test_sessions_page_shows_browsers_parsed_and_marks_this_one():
    user = factories.UserFactory(username="many", preferred_language="en")
    phone = _sign_in(user)
    _sign_in(user, agent=FIREFOX_WINDOWS, address="198.51.100.9")
    response = phone.get(reverse("usersessions_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chrome on Android" in page and "Firefox on Windows" in page
    assert page.count("This device") == 1
    assert "Mozilla" not in page and "124.0" not in page and "203.0.113" not in page
    assert "Sign out all other sessions" in page
    assert page.count("Sign out this session") == 1
    assert "Last activity" in page
    assert 'href="/static/css/sessions.css"' in page or "css/sessions." in page
    assert " style=" not in page and "<script>" not in page


def test_sessions_page_costs_the_same_queries_for_two_sessions_or_twelve_and_drops_ended_ones():
    user = factories.UserFactory(username="counted", preferred_language="en")
    phone = _sign_in(user)

    def page_queries():
        phone.get(reverse("usersessions_list"))  # caches warmed alike for both counts
        with CaptureQueriesContext(connection) as queries:
            page = phone.get(reverse("usersessions_list")).content.decode()
        return len(queries.captured_queries), page

    _sign_in(user, agent=FIREFOX_WINDOWS)
    few, page = page_queries()
    assert page.count("Sign out this session") == 1
    others = [_sign_in(user, agent=FIREFOX_WINDOWS, address=f"198.51.100.{n}") for n in range(10)]
    many, page = page_queries()
    assert many == few and page.count("Sign out this session") == 11
    # A session ended behind the list's back (its store row gone) is dropped from the list and its row.
    Session.objects.filter(session_key=others[0].session.session_key).delete()
    _count, page = page_queries()
    assert page.count("Sign out this session") == 10
    assert not UserSession.objects.filter(session_key=others[0].session.session_key).exists()


def test_sessions_page_is_arabic_and_right_to_left_by_default():
    user = factories.UserFactory(username="rtl")
    client = _sign_in(user)
    page = client.get(reverse("usersessions_list")).content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page


def test_signing_out_one_other_session():
    user = factories.UserFactory(username="one", preferred_language="en")
    phone = _sign_in(user)
    laptop = _sign_in(user, agent=FIREFOX_WINDOWS)
    laptop_row = UserSession.objects.get(session_key=laptop.session.session_key)
    response = phone.post(reverse("accounts:session-end", args=[laptop_row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("usersessions_list")
    assert not UserSession.objects.filter(pk=laptop_row.pk).exists()
    assert laptop.get(reverse("accounts:profile")).status_code == 302  # signed out there
    assert phone.get(reverse("accounts:profile")).status_code == 200  # still signed in here


def test_signing_out_this_session_from_its_row():
    user = factories.UserFactory(username="self")
    phone = _sign_in(user)
    row = UserSession.objects.get(session_key=phone.session.session_key)
    response = phone.post(reverse("accounts:session-end", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert not UserSession.objects.filter(pk=row.pk).exists()
    assert phone.get(reverse("accounts:profile")).status_code == 302


def test_someone_elses_session_is_a_404_and_stays():
    owner = factories.UserFactory(username="owner")
    intruder = factories.UserFactory(username="intruder")
    _sign_in(owner)
    row = UserSession.objects.get(user=owner)
    client = _sign_in(intruder)
    assert client.post(reverse("accounts:session-end", args=[row.pk])).status_code == 404
    assert client.post(reverse("accounts:session-end", args=[999999])).status_code == 404
    assert client.get(reverse("accounts:session-end", args=[row.pk])).status_code == 405
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert Session.objects.filter(session_key=row.session_key).exists()


def test_signing_out_all_other_sessions_keeps_this_one():
    user = factories.UserFactory(username="all")
    phone = _sign_in(user)
    _sign_in(user, agent=FIREFOX_WINDOWS)
    _sign_in(user, agent=SAFARI_IPHONE)
    assert UserSession.objects.filter(user=user).count() == 3
    phone.post(reverse("usersessions_list"))
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        phone.session.session_key
    ]
    assert phone.get(reverse("accounts:profile")).status_code == 200


# --- Minimal metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kept"), [("203.0.113.77", "203.0.113.0"), ("2001:db8:1:2::5", "2001:db8:1::")]
)
def test_user_sessions_keep_the_truncated_network_and_the_browser_family(address, kept):
    user = factories.UserFactory(username="minimal")
    client = _sign_in(user, address=address)
    row = UserSession.objects.get(session_key=client.session.session_key)
    assert row.ip == kept
    assert row.user_agent == "Chrome · Android"


def test_forget_old_metadata_blanks_old_addresses_in_one_update_per_place():
    user = factories.UserFactory(username="old")
    now = timezone.now()
    old = now - timedelta(days=settings.CSSR_METADATA_RETENTION_DAYS + 1)
    recent = now - timedelta(days=1)

    def make(count):
        for index in range(count):
            AuditEvent.objects.create(
                at=old, actor=user, action=AuditEvent.Action.EXPORT, address="203.0.113.0/24"
            )
            AuditEvent.objects.create(
                at=recent, actor=user, action=AuditEvent.Action.EXPORT, address="198.51.100.0/24"
            )
            UserSession.objects.create(
                user=user,
                session_key=f"old{count}-{index}".ljust(32, "x"),
                ip="203.0.113.5",
                user_agent=CHROME_ANDROID,
                created_at=old,
                last_seen_at=old,
            )
            UserSession.objects.create(
                user=user,
                session_key=f"new{count}-{index}".ljust(32, "x"),
                ip="198.51.100.5",
                user_agent=CHROME_ANDROID,
                created_at=recent,
                last_seen_at=recent,
            )
            KnownDevice.objects.create(
                user=user,
                token_hash=f"{count}-{index}".ljust(64, "a"),
                label="? · ?",
                last_seen=now - timedelta(days=401),
            )

    make(1)
    with CaptureQueriesContext(connection) as few:
        result = forget_old_metadata()
    assert result == {
        "audit_addresses": 1,
        "session_addresses": 1,
        "expired_sessions": 0,
        "forgotten_devices": 1,
    }
    make(5)
    with CaptureQueriesContext(connection) as many:
        forget_old_metadata()
    assert len(many.captured_queries) == len(few.captured_queries)  # set-based: not one per row
    assert set(AuditEvent.objects.filter(at=old).values_list("address", flat=True)) == {""}
    assert set(AuditEvent.objects.filter(at=recent).values_list("address", flat=True)) == {"198.51.100.0/24"}
    assert set(UserSession.objects.filter(last_seen_at=old).values_list("ip", flat=True)) == {
        services_sessions.NO_ADDRESS
    }
    assert set(UserSession.objects.filter(last_seen_at=recent).values_list("ip", flat=True)) == {
        "198.51.100.0"
    }
    assert not KnownDevice.objects.exists()
    # Idempotent: a second run finds nothing more to do.
    assert forget_old_metadata() == {
        "audit_addresses": 0,
        "session_addresses": 0,
        "expired_sessions": 0,
        "forgotten_devices": 0,
    }


def test_forget_old_metadata_deletes_expired_sessions(clock):
    user = factories.UserFactory(username="expired")
    client = _sign_in(user)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert forget_old_metadata()["expired_sessions"] == 1
    assert not Session.objects.filter(session_key=key).exists()


def test_the_retention_job_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-forget-old-metadata"]
    assert entry["task"] == "accounts.tasks.forget_old_metadata"


def test_no_analytics_anywhere():
    root = Path(settings.BASE_DIR)
    pattern = re.compile(
        r"google-analytics|googletagmanager|gtag\(|matomo|plausible|piwik|hotjar|segment\.io|"
        r"mixpanel|clarity\.ms|sentry",
        re.IGNORECASE,
    )
    places = [
        *(root / "templates").rglob("*.html"),
        *(root / "static" / "js").rglob("*.js"),
        *(root / "cssr").glob("*.py"),
    ]
    assert places
    offenders = [str(path) for path in places if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


# --- Re-authentication ----------------------------------------------------------------------------


def _make_stale(client):
    """Move every authentication record of the session past the re-authentication timeout."""
    session = client.session
    records = session.get("account_authentication_methods", [])
    for record in records:
        record["at"] -= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
    session["account_authentication_methods"] = records
    session.save()


def _reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    assert response.status_code == 302


def test_changing_the_email_address_asks_for_the_password_again():
    user = factories.UserFactory(username="mail")
    client = _sign_in(user)
    _reauthenticate(client)
    _make_stale(client)
    data = {"action_add": "", "email": "new-address@example.org"}
    response = client.post(reverse("account_email"), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="new-address@example.org").exists()
    _reauthenticate(client)
    client.post(reverse("account_email"), data)
    assert EmailAddress.objects.filter(user=user, email="new-address@example.org").exists()


def test_changing_the_password_asks_for_the_current_password():
    user = factories.UserFactory(username="pass")
    client = _sign_in(user)
    _make_stale(client)
    new = "Another-long-pass-4321"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-the-password", "password1": new, "password2": new},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": factories.PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_turning_two_factor_on_or_off_asks_for_the_password_again():
    user = factories.UserFactory(username="factor")
    client = _sign_in(user)
    _reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    _make_stale(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))

    TOTP.activate(user, generate_totp_secret())
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))


# --- New device e-mail ----------------------------------------------------------------------------


def _new_device_emails(user):
    return OutgoingEmail.objects.filter(recipient=user, kind=OutgoingEmail.Kind.OTHER)


def test_the_first_sign_in_records_the_browser_without_an_email():
    user = factories.UserFactory(username="first")
    client = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    response = client.post(reverse("account_login"), {"login": "first", "password": factories.PASSWORD})
    cookie = response.cookies[sessions.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert int(cookie["max-age"]) == sessions.DEVICE_COOKIE_AGE
    device = KnownDevice.objects.get(user=user)
    assert device.label == "Chrome · Android"
    assert device.token_hash != cookie.value and len(device.token_hash) == 64
    assert not _new_device_emails(user).exists()
    # The same browser again: known, no e-mail.
    client.post(reverse("account_logout"))
    _sign_in(user, client=client)
    assert KnownDevice.objects.filter(user=user).count() == 1
    assert not _new_device_emails(user).exists()


def test_a_sign_in_from_a_new_browser_emails_the_user_in_their_language():
    user = factories.UserFactory(username="second", preferred_language="en", time_zone="Europe/Berlin")
    _sign_in(user)
    _sign_in(user, agent=FIREFOX_WINDOWS, address="198.51.100.23")
    email = _new_device_emails(user).get()
    assert email.subject == "A new sign-in to your account"
    for text in (email.body, email.html):
        assert "Firefox on Windows" in text
        assert "198.51.100.0/24" in text and "198.51.100.23" not in text
        assert "Mozilla" not in text
        assert settings.SITE_URL + reverse("usersessions_list") in text
        assert settings.SITE_URL + reverse("account_change_password") in text
        assert "Europe/Berlin" in text
    assert 'dir="ltr"' in email.html
    assert KnownDevice.objects.filter(user=user).count() == 2


def test_the_new_device_email_is_arabic_for_an_arabic_speaker():
    user = factories.UserFactory(username="arabic-mail", preferred_language="ar")
    _sign_in(user)
    _sign_in(user, agent=FIREFOX_WINDOWS)
    email = _new_device_emails(user).get()
    assert 'dir="rtl"' in email.html and 'lang="ar"' in email.html


def test_the_device_cookie_is_secure_when_cookies_are(settings):
    settings.SESSION_COOKIE_SECURE = True
    user = factories.UserFactory(username="secure-cookie")
    client = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    response = client.post(reverse("account_login"), {"login": user.username, "password": factories.PASSWORD})
    assert response.cookies[sessions.DEVICE_COOKIE]["secure"]
    assert response.cookies[sessions.END_COOKIE]["secure"]


def test_an_invited_persons_first_sign_in_sends_no_email(django_capture_on_commit_callbacks):
    from accounts import services

    staff = factories.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=staff, email="rania@example.org", username="rania", display_name="رانيا"
        )
    user = invitation.user
    client = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    path = reverse("accounts:invitation-accept", args=[token])
    assert (
        client.post(path, {"password1": factories.PASSWORD, "password2": factories.PASSWORD}).status_code
        == 302
    )
    client.post(reverse("account_logout"))
    _sign_in(user, client=client)
    assert not _new_device_emails(user).exists()
    _sign_in(user, agent=SAFARI_IPHONE)
    assert _new_device_emails(user).count() == 1


def test_two_accounts_sharing_a_browser_each_stay_known():
    first, second = factories.UserFactory(username="sibling-a"), factories.UserFactory(username="sibling-b")
    shared = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    for user in (first, second, first, second):
        _sign_in(user, client=shared)
        shared.post(reverse("account_logout"))
    assert KnownDevice.objects.filter(user=first).count() == 1
    assert KnownDevice.objects.filter(user=second).count() == 1


def test_the_email_is_written_in_the_sign_ins_transaction(monkeypatch):
    from workgroups.services import outbox

    user = factories.UserFactory(username="atomic")
    services_sessions.known_device_sign_in(user=user, tokens=[], user_agent=CHROME_ANDROID, network="")

    def broken(messages):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(outbox, "outbox_add", broken)
    with pytest.raises(RuntimeError):
        services_sessions.known_device_sign_in(user=user, tokens=[], user_agent=FIREFOX_WINDOWS, network="")
    assert KnownDevice.objects.filter(user=user).count() == 1
