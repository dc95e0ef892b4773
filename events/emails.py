"""E-mails of the events capability: reminders (outbox, in each recipient's language and time zone)
and the invitation an accepted expert receives (in Arabic and English: the expert has no account)."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from cssr.mail import render_email


def _render(template, context, *, language, zone):
    with translation.override(language), timezone.override(zone):
        return render_email(
            f"events/email/{template}", {"site_url": settings.SITE_URL, "zone": zone, **context}
        )


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.CSSR_DEFAULT_TIME_ZONE)


def event_reminder(*, user, event, lead_minutes):
    """The reminder of `event` for `user`: their language, times in their time zone."""
    return _render(
        "event_reminder",
        {
            "user": user,
            "event": event,
            "space": event.space,
            "lead_minutes": lead_minutes,
            "link": settings.SITE_URL + event.get_absolute_url(),
        },
        language=user.preferred_language,
        zone=_zone(user.time_zone),
    )


def expert_invitation(*, invitation):
    """The accepted expert's e-mail: this meeting's title, time (in the organiser's stated zone) and
    how to join, nothing else of the group; Arabic, then English."""
    event = invitation.event
    zone = _zone(event.time_zone)
    parts = [
        _render(
            "expert_invitation",
            {
                "invitation": invitation,
                "event": event,
                "join_url": event.space.meeting_url if event.is_online else "",
            },
            language=language,
            zone=zone,
        )
        for language in ("ar", "en")
    ]
    return {
        "subject": " / ".join(part["subject"] for part in parts),
        "body": "\n\n———\n\n".join(part["body"] for part in parts),
        "html": "<hr>".join(part["html"] for part in parts),
    }
