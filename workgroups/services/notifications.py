"""In-app notifications: the one writer (`notify` for requests, `notify_many` for jobs) and each
user's own settings.

The writers trust their caller to have decided that something happened; they decide who is told. A
notification goes to active users who may see its space now and did not mute its kind, never to the
actor who caused it; the personal kinds (`Notification.PERSONAL_KINDS`) go to the member the job
names whatever they may still see or have muted (see `notify_many`).
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Left
from django.utils import timezone

from .. import access
from ..models import Notification, NotificationSetting

TITLE_LENGTH = Notification._meta.get_field("title").max_length


def notify(*, recipients, space, kind, actor, title, url):
    """Create in-app notifications for those `recipients` who may see `space` and did not mute `kind`.

    `recipients` is a queryset of users; filtering and creation are one INSERT ... SELECT (no loop of
    queries). Runs after commit, so a rolled-back write notifies nobody.
    """
    space_id = space.pk

    def create():
        notify_many(
            kind=kind,
            targets=get_user_model().objects.filter(pk__in=recipients.values("pk")),
            recipient="pk",
            space=Value(space_id),
            actor=actor,
            title=title,
            url=url,
        )

    transaction.on_commit(create)


def notify_many(*, kind, targets, title, url, recipient="user", space="space", actor=None, now=None):
    """Write one notification per row of `targets` in one INSERT ... SELECT, whatever the number of
    rows: for jobs, in the caller's transaction. Returns how many were written.

    `targets` is a queryset whose rows name a recipient and a space: `recipient` and `space` are field
    paths of its model (memberships: "user" and "space") or expressions. `title` and `url` are text, or
    expressions computed per row (a title in each recipient's language). As with `notify`, a row is
    left out unless its recipient is active, may see the space now and did not mute `kind`, and the
    actor is never told.

    The personal kinds (`Notification.PERSONAL_KINDS`: the inactivity warning and the lockout) are
    addressed to the person the row names (the membership's user) and always written: a member
    locked out has lost sight of the space by the time the job tells them, and a notice that one's
    own access is about to be or was locked is a safety notice, not a preference that can be muted.
    """
    rows = targets.annotate(
        notice_recipient=_expression(recipient),
        notice_space=_expression(space),
        notice_title=Left(_text(title), TITLE_LENGTH),
        notice_url=_text(url),
    )
    if kind not in Notification.PERSONAL_KINDS:
        rows = rows.filter(
            access.audience_condition(user=OuterRef("notice_recipient"), space=OuterRef("notice_space"))
        ).exclude(Exists(NotificationSetting.objects.filter(user=OuterRef("notice_recipient"), kind=kind)))
    if actor is not None:
        rows = rows.exclude(notice_recipient=actor.pk)
    select, params = (
        rows.order_by()
        .values_list("notice_recipient", "notice_space", "notice_title", "notice_url")
        .query.sql_with_params()
    )
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, space_id, title, url, kind, actor_id, created_at) "  # noqa: S608
            f"SELECT notice.notice_recipient, notice.notice_space, notice.notice_title, notice.notice_url, "
            f"%s, %s, %s FROM ({select}) notice",
            [kind, getattr(actor, "pk", None), now or timezone.now(), *params],
        )
        return cursor.rowcount


def _expression(value):
    return F(value) if isinstance(value, str) else value


def _text(value):
    return value if hasattr(value, "resolve_expression") else Value(str(value))


def notification_mark_read(*, user, notification_ids=None):
    """Mark the user's notifications read (all of them, or those ids). Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def notification_settings_save(*, user, enabled_kinds):
    """Keep the kinds in `enabled_kinds` on and mute every other kind (the personal kinds cannot be muted)."""
    enabled = {*enabled_kinds, *Notification.PERSONAL_KINDS}
    with transaction.atomic():
        NotificationSetting.objects.filter(user=user).delete()
        NotificationSetting.objects.bulk_create(
            NotificationSetting(user=user, kind=kind)
            for kind in Notification.Kind.values
            if kind not in enabled
        )
