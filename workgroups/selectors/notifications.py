"""Reads of in-app notifications."""

from workgroups import access
from workgroups.models import (
    Notification,
)


def notification_list(*, user):
    """The user's notifications from spaces they may still see (checked now, not when made)."""
    return access.visible(user, Notification.objects.filter(recipient=user)).select_related("space", "actor")


def notification_unread_count(*, user):
    return notification_list(user=user).filter(read_at__isnull=True).count()
