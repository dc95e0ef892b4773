"""Writes of sessions, known devices and the metadata they carry (see accounts/sessions.py).

These trust their caller: the interfaces (the sessions middleware and signal receivers, the sessions
page, the retention job) have already decided who acts on what.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from cssr.mail import render_email
from workgroups.models import OutgoingEmail
from workgroups.services import outbox

from . import useragents
from .models import AuditEvent, KnownDevice
from .sessions import DEVICE_COOKIE_AGE, DEVICE_TOKENS_KEPT

NO_ADDRESS = "0.0.0.0"  # noqa: S104 - what a UserSession keeps once its network is forgotten


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def known_device_sign_in(*, user, tokens, user_agent, network, at=None):
    """Record a sign-in of `user` from the browser holding device `tokens`; returns the tokens its
    cookie should hold now (this user's first).

    A browser with none of this user's tokens is a new device: it gets a token, and the user an e-mail
    written in this transaction (browser and system, time, truncated network, what to do) — except for
    the first device the user ever signs in from (just invited), which is only recorded.
    """
    at = at or timezone.now()
    agent = useragents.parse(user_agent)
    with transaction.atomic():
        hashes = {_hash(token): token for token in tokens}
        device = (
            KnownDevice.objects.select_for_update()
            .filter(user=user, token_hash__in=hashes)
            .order_by("-last_seen")
            .first()
        )
        if device is not None:
            KnownDevice.objects.filter(pk=device.pk).update(last_seen=at, label=agent.reduced)
            token = hashes[device.token_hash]
            return [token, *(other for other in tokens if other != token)][:DEVICE_TOKENS_KEPT]
        first_device = not KnownDevice.objects.filter(user=user).exists()
        token = secrets.token_urlsafe(32)
        KnownDevice.objects.create(
            user=user, token_hash=_hash(token), label=agent.reduced, first_seen=at, last_seen=at
        )
        if not first_device and user.email and user.is_active:
            _write_new_device_email(user=user, agent=agent, network=network, at=at)
    return [token, *tokens][:DEVICE_TOKENS_KEPT]


def _write_new_device_email(*, user, agent, network, at):
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(user.time_zone or settings.CSSR_DEFAULT_TIME_ZONE):
        written = render_email(
            "accounts/email/new_device",
            {
                "recipient_name": user.public_name,
                "device": agent.label,
                "at": at,
                "time_zone": user.time_zone,
                "network": network,
                "sessions_link": settings.SITE_URL + reverse("usersessions_list"),
                "password_link": settings.SITE_URL + reverse("account_change_password"),
                "language": language,
            },
        )
    outbox.outbox_add([(user, OutgoingEmail.Kind.OTHER, written)])
    outbox.outbox_send_soon()


def user_session_touch(*, user, session_key, at, network, user_agent):
    """Move the session's "last activity" (called at most once a minute per session). A session that
    has no row yet (signed in through the invitation page, or before rows were kept) gets one."""
    seen = datetime.fromtimestamp(at, tz=UTC)
    if UserSession.objects.filter(session_key=session_key).update(last_seen_at=seen):
        return
    UserSession.objects.get_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip": network.split("/")[0] or NO_ADDRESS,
            "user_agent": user_agent,
            "created_at": seen,
            "last_seen_at": seen,
        },
    )


def user_session_forget(*, session_key):
    """Drop the row of a session that has ended (its owner's open sockets close on the delete)."""
    with transaction.atomic():
        UserSession.objects.filter(session_key=session_key).delete()


def user_session_end(*, session):
    """End one of a person's sessions: the session itself and its row."""
    with transaction.atomic():
        get_adapter().end_sessions([session])


def metadata_forget_old(*, now=None):
    """Forget addresses older than `CSSR_METADATA_RETENTION_DAYS` wherever one is kept: one UPDATE per
    table, so running it again changes nothing. Also drops sessions past their expiry and known devices
    whose cookie has expired. Returns what changed, per place."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CSSR_METADATA_RETENTION_DAYS)
    with transaction.atomic():
        # The audit trail refuses every change but this one: the line stays, without its address.
        audit = AuditEvent.objects.filter(at__lt=cutoff).exclude(address="").update(address="")
        sessions = (
            UserSession.objects.filter(last_seen_at__lt=cutoff).exclude(ip=NO_ADDRESS).update(ip=NO_ADDRESS)
        )
        expired, _by_model = Session.objects.filter(expire_date__lt=now).delete()
        devices, _by_model = KnownDevice.objects.filter(
            last_seen__lt=now - timedelta(seconds=DEVICE_COOKIE_AGE)
        ).delete()
    return {
        "audit_addresses": audit,
        "session_addresses": sessions,
        "expired_sessions": expired,
        "forgotten_devices": devices,
    }
