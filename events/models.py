"""Events of a space, answers to them, calendar feeds, reminders sent and expert invitations."""

import re
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import validate_time_zone
from cssr.arabic import normalize
from workgroups.models import AgendaItem, Space


def new_uid():
    return f"{uuid.uuid4()}@cssr"


# Ways people write "online" in the place field, compared once folded (case, hamza seats, diacritics)
# and with spaces, hyphens and punctuation removed.
_ONLINE_SPELLINGS = (
    "online",
    "online meeting",
    "virtual",
    "virtual meeting",
    "internet",
    "on the internet",
    "عبر الإنترنت",
    "عبر الانترنيت",
    "على الإنترنت",
    "الإنترنت",
    "أونلاين",
    "أون لاين",
    "اجتماع أونلاين",
    "اجتماع عبر الإنترنت",
    "اجتماع افتراضي",
    "افتراضي",
    "عن بعد",
)
_NOT_LETTERS = re.compile(r"[\W_]+")


def _spelling_key(text):
    return _NOT_LETTERS.sub("", normalize(text))


_ONLINE_KEYS = frozenset(_spelling_key(spelling) for spelling in _ONLINE_SPELLINGS)


def location_means_online(location):
    """Whether an event's place field says the meeting is online: left empty, or a way of writing
    "online" (in Arabic or English, in any case or spacing)."""
    key = _spelling_key(location or "")
    return not key or key in _ONLINE_KEYS


class Event(models.Model):
    """A meeting of a space: online in the space's meeting room unless it has a place.

    Times are stored in UTC; `time_zone` is the zone the organiser planned in (shown beside the
    reader's own zone). `uid` never changes; `sequence` grows with every change calendar
    applications must pick up (RFC 5545).
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("event status", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="events", verbose_name=_("space"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    location = models.CharField(
        _("place"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty for a meeting in the group's online meeting room."),
    )
    agenda_items = models.ManyToManyField(
        AgendaItem, blank=True, related_name="events", verbose_name=_("agenda items")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    uid = models.CharField(max_length=80, unique=True, default=new_uid, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organiser"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="events_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["space", "starts_at"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event-detail", args=[self.space_id, self.pk])

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_online(self):
        """Held in the space's meeting room: no place given, or a place that reads "online"."""
        return location_means_online(self.location)

    @property
    def place(self):
        """The physical place of the meeting, or "" for an online one."""
        return "" if self.is_online else self.location

    @property
    def is_past(self):
        return self.ends_at <= timezone.now()


class EventAnswer(models.Model):
    """One person's answer to an event: going, maybe or not going (changed at will)."""

    class Answer(models.TextChoices):
        GOING = "going", pgettext_lazy("rsvp", "Going")
        MAYBE = "maybe", pgettext_lazy("rsvp", "Maybe")
        NOT_GOING = "not_going", pgettext_lazy("rsvp", "Not going")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_answers")
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer to an event")
        verbose_name_plural = _("answers to events")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="events_one_answer_per_person")]

    def __str__(self):
        return f"{self.user} · {self.get_answer_display()}"


class CalendarFeed(models.Model):
    """A user's private calendar feed. Only a hash of the secret is kept; the link is shown once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # The first characters of the token find the row; the hash of the whole token is compared in
    # constant time.
    key = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


class ReminderSent(models.Model):
    """The marker of a reminder given (in-app and by e-mail): one per event, person and lead time."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders_sent")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lead_minutes = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "lead_minutes"], name="events_reminder_once"),
        ]

    def __str__(self):
        return f"{self.event} → {self.user} ({self.lead_minutes} min)"


class ExpertInvitation(models.Model):
    """A group's request that the Office of the Special Envoy invite an expert to one meeting.

    Staff decide in admin. An accepted expert is e-mailed that meeting's details only and gets no
    account on the platform.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("expert invitation", "Awaiting a decision")
        ACCEPTED = "accepted", pgettext_lazy("expert invitation", "Accepted")
        DECLINED = "declined", pgettext_lazy("expert invitation", "Declined")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="expert_invitations", verbose_name=_("event")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    name = models.CharField(_("expert's name"), max_length=160)
    expertise = models.CharField(_("expertise"), max_length=255)
    reason = models.TextField(_("why the group asks for this expert"))
    email = models.EmailField(_("expert's e-mail"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("invitation e-mailed"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    access_space_path = "event__space"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("expert invitation")
        verbose_name_plural = _("expert invitations")

    def __str__(self):
        return f"{self.name} → {self.event}"
