"""Every write of the events capability, each in one transaction (docs/architecture.md, "Events and
calendars").

Trusts its caller: the views ask the permission core first (`access.check` for planning,
`access.check_change_event`, `access.check_respond_event`, `access.check_request_expert`); a space
that is not active is checked again under the row lock."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from cssr.search import index_text
from workgroups import access
from workgroups.models import Contribution, Notification, OutgoingEmail, Space
from workgroups.services.contributions import contribution_record
from workgroups.services.notifications import notify, notify_many
from workgroups.services.outbox import outbox_add, outbox_send, outbox_send_soon

from . import emails
from .models import CalendarFeed, Event, EventAnswer, ExpertInvitation, ReminderSent, location_means_online

logger = logging.getLogger(__name__)

EVENT_FIELDS = ("title", "description", "starts_at", "ends_at", "time_zone", "location")
# Changes calendar applications must pick up: they raise the event's SEQUENCE (RFC 5545).
SEQUENCED_FIELDS = ("title", "description", "starts_at", "ends_at", "location")


def _place(location):
    """The place as stored: empty for an online meeting, however "online" was written."""
    location = (location or "").strip()
    return "" if location_means_online(location) else location


def _validate(*, space, starts_at, ends_at, agenda_items):
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The event must end after it starts.")})
    if any(item.space_id != space.pk for item in agenda_items):
        raise ValidationError({"agenda_items": _("Choose agenda items of this group.")})


def event_create(
    *, actor, space, title, description, starts_at, ends_at, time_zone, location="", agenda_items=()
):
    """Plan an event in `space`. The caller has checked `contribute` on the space (access core).

    Records a contribution and notifies the space's people. Raises ValidationError on bad times.
    """
    agenda_items = list(agenda_items)
    _validate(space=space, starts_at=starts_at, ends_at=ends_at, agenda_items=agenda_items)
    with transaction.atomic():
        space = Space.objects.select_for_update().get(pk=space.pk)
        if space.status != Space.Status.ACTIVE:
            raise ValidationError(access.INACTIVE_SPACE)
        event = Event.objects.create(
            space=space,
            title=title.strip(),
            description=description.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=time_zone,
            location=_place(location),
            created_by=actor,
            search_text=index_text(title, description, _place(location)),
        )
        event.agenda_items.set(agenda_items)
        contribution_record(user=actor, space=space, kind=Contribution.Kind.EVENT)
        _notify(event, actor, _("New event: %(title)s"))
    return event


def event_update(*, actor, event, agenda_items=None, **changes):
    """Change an event; changes that calendars must see raise its SEQUENCE. Caller checked
    `access.check_change_event`. Raises ValidationError on bad times or a cancelled event."""
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("space").get(pk=event.pk)
        if event.is_cancelled:
            raise ValidationError(_("This event is cancelled and can no longer be changed."))
        if "location" in changes:
            changes["location"] = _place(changes["location"])
        changed = [name for name in EVENT_FIELDS if name in changes and getattr(event, name) != changes[name]]
        for name in changed:
            setattr(event, name, changes[name])
        items = list(agenda_items) if agenda_items is not None else list(event.agenda_items.all())
        _validate(space=event.space, starts_at=event.starts_at, ends_at=event.ends_at, agenda_items=items)
        if agenda_items is not None:
            event.agenda_items.set(items)
        if any(name in SEQUENCED_FIELDS for name in changed):
            event.sequence += 1
            event.updated_at = timezone.now()
            _notify(event, actor, _("Event changed: %(title)s"))
        event.search_text = index_text(event.title, event.description, event.location)
        event.save()
    return event


def event_cancel(*, actor, event):
    """Cancel an event (kept, shown as cancelled; calendars receive STATUS:CANCELLED). Idempotent.
    Caller checked `access.check_change_event`."""
    with transaction.atomic():
        changed = Event.objects.filter(pk=event.pk, status=Event.Status.SCHEDULED).update(
            status=Event.Status.CANCELLED, sequence=F("sequence") + 1, updated_at=timezone.now()
        )
        event.refresh_from_db()
        if changed:
            _notify(event, actor, _("Event cancelled: %(title)s"))
    return event


def _notify(event, actor, title):
    """In-app notice to the space's people. The title is written in the organiser's language at the
    moment; the notification list shows titles as stored, like every other notice of the platform."""
    notify(
        recipients=access.audience(event.space),
        space=event.space,
        kind=Notification.Kind.EVENT,
        actor=actor,
        title=title % {"title": event.title},
        url=event.get_absolute_url(),
    )


def event_respond(*, actor, event, answer):
    """Record `actor`'s answer (going, maybe, not going), replacing an earlier one. Caller checked
    `access.check_respond_event`. Raises ValidationError for a cancelled or finished event."""
    if answer not in EventAnswer.Answer.values:
        raise ValidationError(_("Choose going, maybe or not going."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.is_cancelled:
            raise ValidationError(_("This event is cancelled: answers are closed."))
        if event.is_past:
            raise ValidationError(_("This event is over: answers are closed."))
        EventAnswer.objects.update_or_create(
            event=event, user=actor, defaults={"answer": answer, "answered_at": timezone.now()}
        )
    # Answering is not a contribution (docs/architecture.md, "What counts as a contribution").


# --- The personal calendar feed -------------------------------------------------------------------


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_renew(*, user):
    """Give `user` a new secret feed token (the old link stops working) and return it. Only its hash
    is stored, so the link can be shown once."""
    for _attempt in range(5):
        token = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                CalendarFeed.objects.update_or_create(
                    user=user,
                    defaults={"key": token[:12], "token_hash": _hash(token), "created_at": timezone.now()},
                )
        except IntegrityError:  # the same 12-character key twice: draw again
            continue
        return token
    raise RuntimeError("could not draw a unique calendar feed key")


def calendar_feed_revoke(*, user):
    """Switch the user's feed off: its link answers 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_user(*, token):
    """The active user a feed token belongs to, or None (unknown, revoked or guessed: the caller 404s).

    The row is found by the token's first characters; the hash of the whole token is compared in
    constant time, so response time does not tell how much of a guess was right.
    """
    if not isinstance(token, str) or len(token) < 20 or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(key=token[:12]).first()
    expected = feed.token_hash if feed is not None else _hash("no such feed")
    if not hmac.compare_digest(expected, _hash(token)) or feed is None or not feed.user.is_active:
        return None
    return feed.user


# --- Expert invitations ---------------------------------------------------------------------------


def expert_invitation_request(*, actor, event, name, expertise, reason, email):
    """Members and rapporteurs ask the Office to invite an expert to `event` (caller checked
    `access.check_request_expert`). Staff decide in admin."""
    if event.is_cancelled or event.is_past:
        raise ValidationError(_("Experts can be asked only to upcoming events."))
    return ExpertInvitation.objects.create(
        event=event,
        requested_by=actor,
        name=name.strip(),
        expertise=expertise.strip(),
        reason=reason.strip(),
        email=email.strip(),
    )


def expert_invitation_decide(*, actor, invitation, accept, reason=""):
    """Staff accept or decline a request (admin). An accepted expert's e-mail (the meeting's details
    only) is written to the outbox in the deciding transaction and sent after commit; no account is
    created for them. Deciding twice changes nothing."""
    if not access.is_operations(actor):
        raise access.PermissionDenied
    with transaction.atomic():
        invitation = (
            ExpertInvitation.objects.select_for_update().select_related("event__space").get(pk=invitation.pk)
        )
        if invitation.status != ExpertInvitation.Status.PENDING:
            return invitation
        invitation.status = ExpertInvitation.Status.ACCEPTED if accept else ExpertInvitation.Status.DECLINED
        invitation.decision_reason = (reason or "").strip()
        invitation.decided_by, invitation.decided_at = actor, timezone.now()
        invitation.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        if accept:
            _expert_invitation_write(invitation)
    return invitation


def expert_invitation_send(*, invitation_id):
    """Write the e-mail of an accepted expert whose e-mail was never written (admin); once only. A mail
    server that refuses it is retried by the outbox. Returns whether it was written."""
    with transaction.atomic():
        invitation = (
            ExpertInvitation.objects.select_for_update()
            .select_related("event__space")
            .filter(pk=invitation_id, status=ExpertInvitation.Status.ACCEPTED, emailed_at__isnull=True)
            .first()
        )
        if invitation is None:
            return False
        _expert_invitation_write(invitation)
    return True


def _expert_invitation_write(invitation):
    """The expert's e-mail to the outbox (to their address: they have no account), marked in the same
    transaction; the sender runs after commit."""

    outbox_add(
        [
            (
                invitation.email,
                OutgoingEmail.Kind.EXPERT_INVITATION,
                emails.expert_invitation(invitation=invitation),
            )
        ]
    )
    ExpertInvitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())
    outbox_send_soon()


# --- Reminders (a Celery beat job) ----------------------------------------------------------------


def _per_recipient(texts):
    """A text per row naming a user (`user`), from (user id, text) pairs: one branch per distinct text
    (a reminder's title differs only by language and time zone)."""
    users_by_text = {}
    for user_id, text in texts:
        users_by_text.setdefault(text, []).append(user_id)
    return Case(
        *(When(user__in=user_ids, then=Value(text)) for text, user_ids in users_by_text.items()),
        default=Value(""),
        output_field=CharField(),
    )


def _due_for_lead(now, lead, shorter):
    """Scheduled events of active spaces starting within `lead` minutes. Inside the window of a
    shorter lead only the shorter reminder is given (a job that ran late does not send two at once)."""
    due = Event.objects.filter(
        status=Event.Status.SCHEDULED,
        space__status=Space.Status.ACTIVE,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(minutes=lead),
    )
    if shorter is not None:
        due = due.filter(starts_at__gt=now + timedelta(minutes=shorter))
    return due


def event_reminders_send(*, now=None):
    """Remind the people of each space of its coming events, once per lead time (CSSR_EVENT_REMINDER_LEADS):
    an in-app notice and an e-mail in the outbox, in each recipient's language and time zone, written
    in the same transaction as the markers. Returns how many people were reminded.

    Recipients are chosen when sending, in the database: those who may see the space now (a locked
    member gets nothing), less those already reminded for this lead, those who answered "not going"
    and those who muted reminders. Each event is claimed with a row lock that another worker skips,
    and the unique marker (event, user, lead) makes a second run change nothing.
    """

    now = now or timezone.now()
    leads = sorted(set(settings.CSSR_EVENT_REMINDER_LEADS))
    reminded = 0
    for index, lead in enumerate(leads):
        shorter = leads[index - 1] if index else None
        for event_id in _due_for_lead(now, lead, shorter).values_list("pk", flat=True):
            with transaction.atomic():
                event = (
                    Event.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("space")
                    .filter(pk=event_id, status=Event.Status.SCHEDULED)
                    .first()
                )
                if event is None:
                    continue  # another worker holds it, or it was cancelled meanwhile
                recipients = list(
                    access.audience(event.space)
                    .exclude(
                        pk__in=ReminderSent.objects.filter(event=event, lead_minutes=lead).values("user_id")
                    )
                    .exclude(
                        pk__in=EventAnswer.objects.filter(
                            event=event, answer=EventAnswer.Answer.NOT_GOING
                        ).values("user_id")
                    )
                    .exclude(muted_notifications__kind=Notification.Kind.REMINDER)
                    .order_by("pk")
                )
                if not recipients:
                    continue
                ReminderSent.objects.bulk_create(
                    ReminderSent(event=event, user=user, lead_minutes=lead, sent_at=now)
                    for user in recipients
                )
                url = event.get_absolute_url()
                written = [
                    (user, emails.event_reminder(user=user, event=event, lead_minutes=lead))
                    for user in recipients
                ]
                notify_many(
                    kind=Notification.Kind.REMINDER,
                    space=Value(event.space_id),
                    url=url,
                    now=now,
                    targets=ReminderSent.objects.filter(
                        event=event, lead_minutes=lead, user__in=[user.pk for user in recipients]
                    ),
                    title=_per_recipient((user.pk, mail["subject"]) for user, mail in written),
                )
                outbox_add(
                    (user, OutgoingEmail.Kind.EVENT_REMINDER, mail) for user, mail in written if user.email
                )
                reminded += len(recipients)
    logger.info("event reminders: %s person(s) reminded", reminded)
    if reminded:
        outbox_send()
    return reminded
