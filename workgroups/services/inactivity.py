"""The inactivity lockout (P5): warn, then lock, members who stopped contributing.

Each space has its own period and warning lead. The job works space by space with set-based
statements (no loop over memberships in Python); state changes are conditional updates, so running
it twice, or in two workers at once, changes nothing more; rows being changed by another worker are
skipped (`skip_locked`) and picked up by the next run.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import Membership, MembershipEvent, Notification, ReinstatementRequest, Space

logger = logging.getLogger(__name__)


def _candidates(space, states, before):
    """Memberships of `space` in `states` whose last contribution (or joining) is at or before `before`."""
    return (
        Membership.objects.filter(space=space, state__in=states)
        .exclude(role__in=settings.CSSR_LOCKOUT_EXEMPT_ROLES)
        .annotate(last_seen=Coalesce("last_contribution_at", "joined_at"))
        .filter(last_seen__lte=before)
    )


def _claim(queryset):
    """Lock the candidate rows for this transaction, skipping rows another worker holds."""
    return list(queryset.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "user_id"))


def inactivity_run(*, now=None):
    """Warn and lock across every active space. Returns {"warned": n, "locked": n}. Idempotent."""
    now = now or timezone.now()
    totals = {"warned": 0, "locked": 0}
    for space in Space.objects.filter(status=Space.Status.ACTIVE).only(
        "pk", "inactivity_days", "warning_days", "name", "status"
    ):
        totals["locked"] += _lock_space(space, now)
        totals["warned"] += _warn_space(space, now)
    transaction.on_commit(_queue_warning_emails)
    return totals


def _record_and_tell(space, claimed, action, now, message):
    """The audit trail and an in-app notice for each claimed (membership id, user id).

    Written as INSERT ... SELECT so that the database copies the rows: building one ORM object per
    row was most of the job's time at 100,000 memberships (see bench/jobs.py).
    """
    ids = [pk for pk, _user in claimed]
    placeholders = ", ".join(["%s"] * len(ids))
    events, memberships = MembershipEvent._meta.db_table, Membership._meta.db_table
    notices = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (membership_id, actor_id, action, detail, created_at) "  # noqa: S608
            f"SELECT id, NULL, %s, %s, %s FROM {memberships} WHERE id IN ({placeholders})",
            [action, "inactivity", now, *ids],
        )
        cursor.execute(
            f"INSERT INTO {notices} (recipient_id, space_id, kind, actor_id, title, url, created_at, read_at) "  # noqa: S608
            f"SELECT user_id, space_id, %s, NULL, %s, %s, %s, NULL FROM {memberships} WHERE id IN ({placeholders})",
            [Notification.Kind.MODERATION, (message % {"space": space.name})[:255],
             reverse("workgroups:space-detail", args=[space.pk]), now, *ids],
        )


def _lock_space(space, now):
    lock_before = now - timedelta(days=space.inactivity_days)
    with transaction.atomic():
        claimed = _claim(_candidates(space, Membership.ENTERING_STATES, lock_before))
        if not claimed:
            return 0
        ids = [pk for pk, _user in claimed]
        changed = Membership.objects.filter(pk__in=ids, state__in=Membership.ENTERING_STATES).update(
            state=Membership.State.LOCKED, state_changed_at=now
        )
        user_ids = [user for _pk, user in claimed]
        access.revoke_entry(space, user_ids)
        _record_and_tell(space, claimed, MembershipEvent.Action.LOCKED, now,
                         _("Your access to %(space)s is locked after a period without contributions."))
        transaction.on_commit(lambda: access.disconnect_users(user_ids))
    logger.info("inactivity: locked %s membership(s) in space %s", changed, space.pk)
    return changed


def _warn_space(space, now):
    warn_before = now - timedelta(days=space.inactivity_days - space.warning_days)
    with transaction.atomic():
        claimed = _claim(_candidates(space, [Membership.State.ACTIVE], warn_before))
        if not claimed:
            return 0
        ids = [pk for pk, _user in claimed]
        changed = Membership.objects.filter(pk__in=ids, state=Membership.State.ACTIVE).update(
            state=Membership.State.WARNED, state_changed_at=now, warning_emailed_at=None
        )
        _record_and_tell(space, claimed, MembershipEvent.Action.WARNED, now,
                         _("You have not contributed to %(space)s for a while. Take part to keep your access."))
    logger.info("inactivity: warned %s membership(s) in space %s", changed, space.pk)
    return changed


def _queue_warning_emails():
    from ..tasks import send_inactivity_warnings

    if Membership.objects.filter(state=Membership.State.WARNED, warning_emailed_at__isnull=True).exists():
        send_inactivity_warnings.delay()


def inactivity_warning_emails_send():
    """E-mail every warned member not e-mailed yet, once each, in their language.

    A row is claimed (its time set) before sending; if the mail server fails the claim is undone,
    logged, and the next run tries again. Returns how many were sent.
    """
    from ..emails import send_inactivity_warning

    sent = 0
    pending = Membership.objects.filter(
        state=Membership.State.WARNED, warning_emailed_at__isnull=True
    ).values_list("pk", flat=True)
    for membership_id in list(pending):
        now = timezone.now()
        claimed = Membership.objects.filter(pk=membership_id, state=Membership.State.WARNED,
                                            warning_emailed_at__isnull=True).update(warning_emailed_at=now)
        if not claimed:
            continue  # another worker has it, or the member contributed meanwhile
        membership = Membership.objects.select_related("user", "space").filter(pk=membership_id).first()
        if membership is None:
            continue
        try:
            send_inactivity_warning(membership=membership)
            sent += 1
        except Exception:
            logger.exception("inactivity warning e-mail failed for membership %s; will retry", membership_id)
            Membership.objects.filter(pk=membership_id, warning_emailed_at=now).update(warning_emailed_at=None)
    return sent


def reinstatement_request(*, actor, membership, message=""):
    """A locked member asks to be let back in (one open request at a time)."""
    if membership.user_id != actor.pk or membership.state != Membership.State.LOCKED:
        raise access.Http404
    existing = ReinstatementRequest.objects.filter(membership=membership, outcome=ReinstatementRequest.Outcome.OPEN)
    if existing.exists():
        return existing.first()
    return ReinstatementRequest.objects.create(membership=membership, message=(message or "").strip()[:2000])


def reinstatement_resolve(*, actor, request, reinstate):
    """Staff answer a request; reinstating restarts the member's inactivity clock."""
    from .spaces import membership_reinstate

    with transaction.atomic():
        request = ReinstatementRequest.objects.select_for_update().get(pk=request.pk)
        if request.outcome != ReinstatementRequest.Outcome.OPEN:
            return request
        if reinstate:
            membership_reinstate(actor=actor, membership=request.membership)
        request.outcome = (ReinstatementRequest.Outcome.REINSTATED if reinstate
                           else ReinstatementRequest.Outcome.DECLINED)
        request.resolved_at, request.resolved_by = timezone.now(), actor
        request.save(update_fields=["outcome", "resolved_at", "resolved_by"])
    return request


