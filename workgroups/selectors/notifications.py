"""Reads of in-app notifications."""

from workgroups import access
from workgroups.models import (
    DigestMute,
    Notification,
    Thread,
)


def notification_list(*, user):
    """The user's notifications from spaces they may still see (checked now, not when made), and the
    personal ones about their own access (`Notification.PERSONAL_KINDS`) whatever they may see."""
    mine = Notification.objects.filter(recipient=user)
    # One condition on the user's own rows (`|` joins the two filters with OR): no subquery.
    return (access.visible(user, mine) | mine.filter(kind__in=Notification.PERSONAL_KINDS)).select_related(
        "space", "actor"
    )


def notification_get(*, user, notification_id):
    """One of the user's notifications that they may still see, or None."""
    return notification_list(user=user).filter(pk=notification_id).first()


def notification_unread_count(*, user):
    """How many of the user's visible notifications are unread."""
    return notification_list(user=user).filter(read_at__isnull=True).count()


def muted_notification_kinds(*, user):
    """The kinds of notification `user` switched off (a set)."""
    return set(user.muted_notifications.values_list("kind", flat=True))


# --- Digest settings ----------------------------------------------------------------------------


def digest_space_list(*, user):
    """The spaces `user` may see, by name: those the digest may leave out (lazy)."""
    return access.filter_spaces(user).order_by("name")


def digest_thread_list(*, user, spaces):
    """The discussions `user` follows in `spaces`, by title (lazy)."""
    return Thread.objects.filter(follows__user=user, space__in=spaces.values("pk")).order_by("title")


def digest_mute_list(*, user):
    """The spaces and discussions `user` left out of their digest (lazy)."""
    return DigestMute.objects.filter(user=user)
