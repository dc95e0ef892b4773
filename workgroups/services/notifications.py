from django.db import transaction
from django.utils import timezone

from .. import access
from ..models import Notification, NotificationSetting


def notify(*, recipients, space, kind, actor, title, url):
    """Create in-app notifications for those `recipients` who may see `space` and did not mute `kind`.

    `recipients` is a queryset of users; filtering and creation are set-based (no loop of queries).
    Runs after commit, so a rolled-back write notifies nobody.
    """
    def create():
        allowed = access.audience(space).filter(pk__in=recipients.values("pk"))
        if actor is not None:
            allowed = allowed.exclude(pk=actor.pk)
        allowed = allowed.exclude(muted_notifications__kind=kind)
        Notification.objects.bulk_create(
            Notification(recipient_id=user_id, space=space, kind=kind, actor=actor, title=title[:255], url=url)
            for user_id in allowed.values_list("pk", flat=True)
        )

    transaction.on_commit(create)


def notification_mark_read(*, user, notification_ids=None):
    """Mark the user's notifications read (all of them, or those ids). Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def notification_settings_save(*, user, enabled_kinds):
    """Keep the kinds in `enabled_kinds` on and mute every other kind."""
    enabled = set(enabled_kinds)
    with transaction.atomic():
        NotificationSetting.objects.filter(user=user).delete()
        NotificationSetting.objects.bulk_create(
            NotificationSetting(user=user, kind=kind) for kind in Notification.Kind.values if kind not in enabled
        )
