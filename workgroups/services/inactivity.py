"""The inactivity lockout: warn, then lock, members who stopped contributing.

Each space has its own period and warning lead. The job is a handful of set-based statements over
the whole platform (no loop over spaces or memberships in Python); state changes are conditional
updates, so running it twice, or in two workers at once, changes nothing more.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import audit, liveness
from accounts.models import AuditEvent

from .. import access, fragments
from ..emails import ReinstatementEmails
from ..models import Membership, MembershipEvent, Notification, OutgoingEmail, ReinstatementRequest, Space
from . import connections
from .notifications import notify_many
from .outbox import outbox_add, outbox_send, outbox_send_soon

logger = logging.getLogger(__name__)


def _due(states, now, cutoff_days):
    """Memberships in `states`, in active spaces, whose last contribution (or joining) is older than the
    space's own cutoff, `cutoff_days(inactivity_days, warning_days)` days back; spaces sharing a
    setting share one condition, so the whole platform is one statement whatever the number of spaces."""
    settings_in_use = (
        Space.objects.filter(status=Space.Status.ACTIVE)
        .values_list("inactivity_days", "warning_days")
        .distinct()
    )
    due = Q(pk__in=[])
    for inactivity_days, warning_days in settings_in_use:
        due |= Q(
            space__inactivity_days=inactivity_days,
            space__warning_days=warning_days,
            last_seen__lte=now - timedelta(days=cutoff_days(inactivity_days, warning_days)),
        )
    return (
        Membership.objects.filter(state__in=states, space__status=Space.Status.ACTIVE)
        .exclude(role__in=settings.CSSR_LOCKOUT_EXEMPT_ROLES)
        .annotate(last_seen=Coalesce("last_contribution_at", "joined_at"))
        .filter(due)
    )


def inactivity_run(*, now=None):
    """Warn and lock across every active space. Returns {"warned": n, "locked": n}. Idempotent.

    Each step is one conditional UPDATE over the whole platform that stamps the rows it changes with
    `now`; what follows (permissions, audit trail, notices) selects the stamped rows in the database,
    so no list of ids travels through Python. A second worker running at the same time waits on the
    rows the first one is changing, then finds them no longer due and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _due(Membership.ENTERING_STATES, now, lambda period, lead: period).update(
            state=Membership.State.LOCKED, state_changed_at=now
        )
        if locked:
            stamped = Membership.objects.filter(state=Membership.State.LOCKED, state_changed_at=now)
            access.revoke_entry(stamped)
            _record_and_tell(
                stamped,
                MembershipEvent.Action.LOCKED,
                now,
                Notification.Kind.LOCKOUT,
                gettext_noop("Your access to %(space)s is locked after a period without contributions."),
            )
            _audit_locked(stamped, now)
            fragments.members_changed(stamped.values_list("space_id", flat=True).distinct())
            user_ids = list(stamped.values_list("user_id", flat=True))
            liveness.users_changed(user_ids)
            transaction.on_commit(lambda: connections.connections_close(user_ids))
    with transaction.atomic():
        warned = _due([Membership.State.ACTIVE], now, lambda period, lead: period - lead).update(
            state=Membership.State.WARNED, state_changed_at=now, warning_emailed_at=None
        )
        if warned:
            _record_and_tell(
                Membership.objects.filter(state=Membership.State.WARNED, state_changed_at=now),
                MembershipEvent.Action.WARNED,
                now,
                Notification.Kind.INACTIVITY_WARNING,
                gettext_noop(
                    "You have not contributed to %(space)s for a while. Take part to keep your access."
                ),
            )
    logger.info("inactivity: locked %s and warned %s membership(s)", locked, warned)
    transaction.on_commit(_queue_warning_emails)
    return {"warned": warned, "locked": locked}


def _record_and_tell(stamped, action, now, kind, message):
    """The audit trail and an in-app notice (`kind`, one of the personal kinds: addressed to the
    member whatever they may still see, see `notify_many`) for each stamped membership, in two
    INSERT ... SELECT.

    The notice is written in its recipient's language with the space's name in that language: the
    database picks the text per row (`message` is translated here once per language).
    """
    events, memberships = MembershipEvent._meta.db_table, Membership._meta.db_table
    where, params = stamped.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (membership_id, actor_id, action, detail, created_at) "  # noqa: S608
            f"SELECT m.id, NULL, %s, %s, %s FROM {memberships} m WHERE m.id IN ({where})",
            [action, "inactivity", now, *params],
        )
    title_by_language = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            before, _placeholder, after = _(message).partition("%(space)s")
        space_name = Coalesce(NullIf(f"space__name_{code}", Value("")), "space__name")
        title_by_language.append(
            When(
                user__preferred_language=code,
                then=Concat(Value(before), space_name, Value(after), output_field=CharField()),
            )
        )
    notify_many(
        kind=kind,
        targets=stamped,
        now=now,
        title=Case(*title_by_language, default="space__name", output_field=CharField()),
        url=Concat(
            Value(_space_url_prefix()), Cast("space_id", CharField()), Value("/"), output_field=CharField()
        ),
    )


def _audit_locked(stamped, now):
    """The platform's audit trail for the stamped (locked) memberships, in one INSERT ... SELECT: no
    actor (the job), the label `workgroups.services.spaces.membership_label` writes for staff locks."""
    trail, memberships = AuditEvent._meta.db_table, Membership._meta.db_table
    spaces, users = Space._meta.db_table, get_user_model()._meta.db_table
    where, params = stamped.values("pk").query.sql_with_params()
    details = AuditEvent._meta.get_field("details").get_db_prep_save({"detail": "inactivity"}, connection)
    label = (
        "COALESCE(NULLIF(u.display_name, ''), u.username) || ' · ' "
        "|| COALESCE(NULLIF(s.name_ar, ''), s.name_en)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {trail} (at, actor_id, action, target_type, target_id, target_label, "  # noqa: S608
            f"space_id, address, details) SELECT %s, NULL, %s, %s, CAST(m.id AS TEXT), "
            f"SUBSTR({label}, 1, 200), m.space_id, '', %s FROM {memberships} m "
            f"JOIN {spaces} s ON s.id = m.space_id JOIN {users} u ON u.id = m.user_id "
            f"WHERE m.id IN ({where})",
            [now, AuditEvent.Action.MEMBERSHIP_LOCKED, audit.target_type_of(Membership), details, *params],
        )


def _space_url_prefix():
    """The space page's URL without its id (`/spaces/`), for URLs built in SQL."""
    url = reverse("workgroups:space-detail", args=[0])
    assert url.endswith("/0/")
    return url[: -len("0/")]


def _queue_warning_emails():
    from ..tasks import send_inactivity_warnings

    if Membership.objects.filter(state=Membership.State.WARNED, warning_emailed_at__isnull=True).exists():
        send_inactivity_warnings.delay()


def inactivity_warning_emails_send(*, batch_size=500):
    """Write the warning e-mail of every warned member not e-mailed yet, once each, in their language,
    then send the outbox. Returns how many were written.

    Each batch is claimed (rows another worker holds are skipped), written to the outbox and marked
    in one transaction: a worker killed midway rolls the batch back and the next run redoes it.
    """
    from ..emails import InactivityWarnings

    written, writer = 0, InactivityWarnings()
    while True:
        with transaction.atomic():
            batch = list(
                Membership.objects.filter(state=Membership.State.WARNED, warning_emailed_at__isnull=True)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("user", "space")[:batch_size]
            )
            if not batch:
                break
            written += outbox_add(
                (membership.user, OutgoingEmail.Kind.INACTIVITY_WARNING, writer.write(membership))
                for membership in batch
                if membership.user.is_active and membership.user.email
            )
            Membership.objects.filter(pk__in=[membership.pk for membership in batch]).update(
                warning_emailed_at=timezone.now()
            )
    outbox_send()
    return written


def reinstatement_request(*, actor, membership, message=""):
    """A locked member asks to be let back in (one open request at a time). A new request tells the
    operations staff (`access.operations_staff`), in-app and by e-mail; asking again while one is open
    returns it and tells nobody. Authorises its caller: 404 unless `actor` is the locked member."""
    if membership.user_id != actor.pk or membership.state != Membership.State.LOCKED:
        raise access.Http404
    with transaction.atomic():
        existing = (
            ReinstatementRequest.objects.select_for_update()
            .filter(membership=membership, outcome=ReinstatementRequest.Outcome.OPEN)
            .first()
        )
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                request = ReinstatementRequest.objects.create(
                    membership=membership, message=(message or "").strip()[:2000]
                )
        except IntegrityError:  # the same member asked at the same moment in another request
            return ReinstatementRequest.objects.get(
                membership=membership, outcome=ReinstatementRequest.Outcome.OPEN
            )
        staff = access.operations_staff().exclude(pk=actor.pk)
        url = reverse("admin:workgroups_reinstatementrequest_change", args=[request.pk])
        _tell_about_reinstatement(
            request=request,
            targets=staff,
            actor=actor,
            message=gettext_noop("%(member)s asks to be reinstated in %(space)s."),
            url=url,
        )
        writer = ReinstatementEmails("workgroups/email/reinstatement_requested", request, link=url)
        outbox_add(
            (user, OutgoingEmail.Kind.REINSTATEMENT, writer.write(user)) for user in staff.exclude(email="")
        )
        outbox_send_soon()
    return request


def reinstatement_resolve(*, actor, request, reinstate):
    """Staff answer a request (trusted: admin and staff views check `access.is_operations`);
    reinstating restarts the member's inactivity clock. The member is told, in-app and by e-mail,
    once: an answered request is returned as it is."""
    from .spaces import membership_reinstate

    with transaction.atomic():
        request = ReinstatementRequest.objects.select_for_update().get(pk=request.pk)
        if request.outcome != ReinstatementRequest.Outcome.OPEN:
            return request
        if reinstate:
            membership_reinstate(actor=actor, membership=request.membership)
        request.outcome = (
            ReinstatementRequest.Outcome.REINSTATED if reinstate else ReinstatementRequest.Outcome.DECLINED
        )
        request.resolved_at, request.resolved_by = timezone.now(), actor
        request.save(update_fields=["outcome", "resolved_at", "resolved_by"])
        member = request.membership.user
        url = reverse("workgroups:space-detail", args=[request.membership.space_id])
        _tell_about_reinstatement(
            request=request,
            targets=get_user_model().objects.filter(pk=member.pk),
            actor=actor,
            message=gettext_noop("You are reinstated in %(space)s: welcome back.")
            if reinstate
            else gettext_noop("Your request to be reinstated in %(space)s was declined."),
            url=url,
        )
        if member.is_active and member.email:
            writer = ReinstatementEmails("workgroups/email/reinstatement_answered", request, link=url)
            outbox_add([(member, OutgoingEmail.Kind.REINSTATEMENT, writer.write(member))])
            outbox_send_soon()
    return request


def _tell_about_reinstatement(*, request, targets, actor, message, url):
    """An in-app notice about `request` to each user of `targets` (a queryset of users), in their
    language, with the space's name in that language and the member's public name."""
    membership = request.membership
    space, member = membership.space, membership.user
    titles = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            title = _(message) % {"space": space.name, "member": member.public_name}
        titles.append(When(preferred_language=code, then=Value(title)))
    with translation.override(settings.LANGUAGE_CODE):
        default = _(message) % {"space": space.name, "member": member.public_name}
    notify_many(
        kind=Notification.Kind.REINSTATEMENT,
        targets=targets,
        recipient="pk",
        space=Value(space.pk),
        actor=actor,
        title=Case(*titles, default=Value(default), output_field=CharField()),
        url=url,
    )
