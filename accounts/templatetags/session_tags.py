"""Template helpers of the sessions page: readable browser labels and the lifetime limits."""

from django import template
from django.conf import settings

from accounts import useragents
from accounts.sessions import duration_text

register = template.Library()


@register.filter
def device_label(user_agent):
    """ "Chrome on Android" (in the active language) from a stored reduced form or a raw header."""
    return useragents.label(user_agent)


@register.simple_tag
def session_limits():
    """The idle and absolute limits of a session, as readable durations."""
    return {
        "idle": duration_text(settings.CSSR_SESSION_IDLE_SECONDS),
        "maximum": duration_text(settings.CSSR_SESSION_MAX_SECONDS),
    }
