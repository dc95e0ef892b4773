"""How long a session lives, what it keeps, and which browsers a person has signed in from.

- **Lifetime.** A session ends after `CSSR_SESSION_IDLE_SECONDS` without a request, and at the latest
  `CSSR_SESSION_MAX_SECONDS` after the sign-in. Two stamps in the session (sign-in time, last activity,
  whole seconds) decide it. The last-activity stamp is written at most once a minute, so a page view
  costs no write; the same write moves the session's `last_seen_at` on the sessions page.
- **Enforced in the store.** `SessionStore` (this module is the `SESSION_ENGINE`) refuses a session
  past either limit and writes the limit as the row's expiry, so every reader of sessions — pages,
  chat websockets, `clearsessions` — sees it end at the same moment. `SessionLifetimeMiddleware`
  stamps activity, and signs out a session the store did not already refuse.
- **Telling the person.** The store forgets a session it refuses, so a small signed cookie
  (`cssr_session_end`: the deadline, its reason and the language, nothing else) lets the next page say
  "You were signed out after 2 hours of inactivity" instead of a bare sign-in page.
- **Known devices.** Each sign-in through allauth is matched against the browser's device cookie
  (`cssr_device`, HttpOnly, long-lived; only token hashes are stored): a browser not seen before for
  that user gets a `KnownDevice` and, unless it is the user's very first, an e-mail through the outbox
  (`accounts.services_sessions.known_device_sign_in`).
- **Less metadata.** allauth's `UserSession` rows keep the truncated network instead of the address
  and "Chrome · Android" instead of the User-Agent header: they are rewritten before every save.
"""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends import db
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import useragents
from .network import client_ip, network_of

STARTED = "cssr:session-started"
SEEN = "cssr:session-seen"
IDLE, MAXIMUM = "idle", "max"
# The last-activity stamp (and the sessions page's "last activity") moves at most this often.
ACTIVITY_WRITE_SECONDS = 60

END_COOKIE = "cssr_session_end"
END_COOKIE_SALT = "accounts.sessions.end"
END_COOKIE_AGE = 30 * 24 * 3600
DEVICE_COOKIE = "cssr_device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
DEVICE_TOKENS_KEPT = 4  # accounts that share one browser each keep their token in its cookie


def now():
    """Seconds since the epoch; tests replace it to move the clock."""
    return int(time.time())


def session_deadline(data):
    """(deadline in epoch seconds, IDLE or MAXIMUM) of a session's data; None for a session without
    the stamps (anonymous, or signed in before they existed: the middleware stamps it)."""
    started, seen = data.get(STARTED), data.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return None
    idle_end = seen + settings.CSSR_SESSION_IDLE_SECONDS
    maximum_end = started + settings.CSSR_SESSION_MAX_SECONDS
    return (maximum_end, MAXIMUM) if maximum_end <= idle_end else (idle_end, IDLE)


def _is_over(data, at):
    deadline = session_deadline(data)
    return deadline is not None and deadline[0] <= at


class SessionStore(db.SessionStore):
    """Django's database sessions, ending at the idle or absolute limit of the platform."""

    def load(self):
        data = super().load()
        return self._within_lifetime(data)

    async def aload(self):
        data = await super().aload()
        return self._within_lifetime(data)

    def _within_lifetime(self, data):
        if data and _is_over(data, now()):
            self._session_key = None  # as if it had expired: a save starts a new, empty session
            return {}
        return data

    def _deadline_datetime(self):
        deadline = session_deadline(self._get_session())
        return None if deadline is None else datetime.fromtimestamp(deadline[0], tz=UTC)

    def get_expiry_date(self, **kwargs):
        expiry = super().get_expiry_date(**kwargs)
        deadline = self._deadline_datetime()
        return expiry if deadline is None else min(expiry, deadline)

    def get_expiry_age(self, **kwargs):
        age = super().get_expiry_age(**kwargs)
        deadline = self._deadline_datetime()
        if deadline is None:
            return age
        modification = kwargs.get("modification") or datetime.fromtimestamp(now(), tz=UTC)
        return max(0, min(age, int((deadline - modification).total_seconds())))


def duration_text(seconds):
    """ "2 hours", "90 minutes" in the active language."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def ended_message(reason, language):
    """Why the session ended, in `language`."""
    with translation.override(language or settings.LANGUAGE_CODE):
        if reason == IDLE:
            return _("You were signed out after %(duration)s of inactivity. Please sign in again.") % {
                "duration": duration_text(settings.CSSR_SESSION_IDLE_SECONDS)
            }
        if reason == MAXIMUM:
            return _(
                "You were signed out because a session lasts at most %(duration)s. Please sign in again."
            ) % {"duration": duration_text(settings.CSSR_SESSION_MAX_SECONDS)}
        return _("You were signed out. Please sign in again.")


def _read_end_cookie(request):
    try:
        value = request.get_signed_cookie(END_COOKIE, salt=END_COOKIE_SALT)
        reason, deadline, language = value.split(":")
        return reason, int(deadline), language
    except (KeyError, signing.BadSignature, ValueError):
        return None


class SessionLifetimeMiddleware:
    """Stamps activity (at most once a minute), signs out a session past its limits with a message in
    the person's language, and keeps the device and session-end cookies. Sits right after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        at = now()
        notice = None
        end_cookie = _read_end_cookie(request) if END_COOKIE in request.COOKIES else None
        if request.user.is_authenticated:
            notice = self._enforce(request, at)
        elif end_cookie is not None:
            reason, deadline, language = end_cookie
            notice = ended_message(reason if deadline <= at else "", language)
        request.cssr_session_notice = notice
        response = self.get_response(request)
        return self._cookies(request, response, had_end_cookie=END_COOKIE in request.COOKIES)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The message store exists only once MessageMiddleware, further down the list, has run.
        notice = getattr(request, "cssr_session_notice", None)
        if notice:
            messages.info(request, notice)
            request.cssr_session_notice = None

    def _enforce(self, request, at):
        from . import services_sessions

        session = request.session
        deadline = session_deadline(session)
        if deadline is not None and deadline[0] <= at:
            user, key = request.user, session.session_key
            logout(request)
            services_sessions.user_session_forget(session_key=key)
            return ended_message(deadline[1], user.preferred_language)
        if deadline is None:
            session[STARTED] = session[SEEN] = at
        elif at - session[SEEN] >= ACTIVITY_WRITE_SECONDS:
            session[SEEN] = at
        else:
            return None
        request.cssr_session_stamped = True
        services_sessions.user_session_touch(
            user=request.user,
            session_key=session.session_key,
            at=at,
            network=network_of(client_ip(request)),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return None

    def _cookies(self, request, response, *, had_end_cookie):
        secure = settings.SESSION_COOKIE_SECURE
        tokens = getattr(request, "cssr_device_tokens", None)
        if tokens:
            response.set_cookie(
                DEVICE_COOKIE,
                ".".join(tokens),
                max_age=DEVICE_COOKIE_AGE,
                secure=secure,
                httponly=True,
                samesite="Lax",
            )
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and getattr(request, "cssr_session_stamped", False):
            deadline = session_deadline(request.session)
            if deadline is not None:
                value = f"{deadline[1]}:{deadline[0]}:{user.preferred_language}"
                response.set_signed_cookie(
                    END_COOKIE,
                    value,
                    salt=END_COOKIE_SALT,
                    max_age=END_COOKIE_AGE,
                    secure=secure,
                    httponly=True,
                    samesite="Lax",
                )
        elif not signed_in and had_end_cookie:
            response.delete_cookie(END_COOKIE, samesite="Lax")
        return response


def device_tokens(request):
    """The device tokens the browser's cookie holds (newest first)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return [token for token in value.split(".") if 20 <= len(token) <= 64][:DEVICE_TOKENS_KEPT]


def on_signed_in(sender, request, user, **kwargs):
    """Django's `user_logged_in` (every sign-in, after the key was cycled): start the lifetime."""
    session = getattr(request, "session", None)
    if session is not None:
        session[STARTED] = session[SEEN] = now()
        request.cssr_session_stamped = True


def on_allauth_signed_in(sender, request, user, **kwargs):
    """allauth's `user_logged_in` (a person signing in on the sign-in page, after two-factor): is this
    browser known for this user? The device cookie is set by the middleware on the way out."""
    from . import services_sessions

    request.cssr_device_tokens = services_sessions.known_device_sign_in(
        user=user,
        tokens=device_tokens(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        network=network_of(client_ip(request)),
    )


def on_user_session_save(sender, instance, **kwargs):
    """Whatever allauth writes, a UserSession keeps the truncated network and the browser family."""
    instance.ip = network_of(instance.ip or "").split("/")[0] or "0.0.0.0"  # noqa: S104 - "no address"
    instance.user_agent = useragents.reduce(instance.user_agent)


def connect():
    from allauth.account import signals as account_signals
    from allauth.usersessions.models import UserSession
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import pre_save

    user_logged_in.connect(on_signed_in, dispatch_uid="accounts.sessions.lifetime")
    account_signals.user_logged_in.connect(on_allauth_signed_in, dispatch_uid="accounts.sessions.devices")
    pre_save.connect(on_user_session_save, sender=UserSession, dispatch_uid="accounts.sessions.minimise")
