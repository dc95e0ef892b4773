from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Theme(models.Model):
    """A theme proposed by the Office of the Special Envoy; staff may add more."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Space(models.Model):
    """A private area: a working group for one work period, or a shared space (e.g. with the WAB)."""

    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", _("Thematic working group")
        SHARED = "shared", _("Shared space")

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("space status", "Proposed")
        ACTIVE = "active", pgettext_lazy("space status", "Active")
        CONCLUDED = "concluded", pgettext_lazy("space status", "Concluded")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKING_GROUP)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="spaces", verbose_name=_("theme")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cycle_start = models.DateField(_("work period start"))
    cycle_end = models.DateField(_("work period end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    meeting_url = models.URLField(
        _("meeting room URL"),
        blank=True,
        help_text=_("The group's online meeting room (shown to members only)."),
    )
    inactivity_days = models.PositiveSmallIntegerField(
        _("inactivity period (days)"),
        default=30,
        help_text=_("A member who contributes nothing for this long is locked out of the space."),
    )
    warning_days = models.PositiveSmallIntegerField(
        _("warning lead (days)"),
        default=7,
        help_text=_("How many days before the lock the member is warned."),
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("previous cohort"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-cycle_start", "pk"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        # Object permissions granted through guardian to each space's role groups (see access.py).
        permissions = [
            ("contribute_space", _("Can contribute in the space")),
            ("moderate_space", _("Can moderate the space")),
            ("manage_outputs_space", _("Can run the agenda, the election and the final note")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cycle_end__gt=models.F("cycle_start")), name="workgroups_space_cycle_order"
            ),
            models.CheckConstraint(
                condition=models.Q(warning_days__lt=models.F("inactivity_days")),
                name="workgroups_space_warning_before_lock",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workgroups:space-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.cycle_start and self.cycle_end and self.cycle_end <= self.cycle_start:
            errors["cycle_end"] = _("The work period must end after it starts.")
        if self.kind == self.Kind.WORKING_GROUP and not self.theme_id:
            errors["theme"] = _("A working group needs a theme.")
        if self.inactivity_days is not None and self.warning_days is not None:
            if self.warning_days >= self.inactivity_days:
                errors["warning_days"] = _("The warning must come before the lock.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_read_only(self):
        return self.status != self.Status.ACTIVE

    @property
    def days_left(self):
        if self.status != self.Status.ACTIVE:
            return None
        return max((self.cycle_end - timezone.localdate()).days, 0)


class Role(models.TextChoices):
    MEMBER = "member", pgettext_lazy("role", "Member")
    RAPPORTEUR = "rapporteur", pgettext_lazy("role", "Rapporteur")
    TECHNICAL_OFFICER = "technical_officer", pgettext_lazy("role", "Technical officer")
    POLITICAL_OFFICER = "political_officer", pgettext_lazy("role", "Political officer")


class Membership(models.Model):
    """A user's place in a space. Only staff change memberships, through workgroups.services."""

    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("membership state", "Active")
        WARNED = "warned", pgettext_lazy("membership state", "Warned")
        LOCKED = "locked", pgettext_lazy("membership state", "Locked")
        LEFT = "left", pgettext_lazy("membership state", "Left")

    ENTERING_STATES = (State.ACTIVE, State.WARNED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("space")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    rapporteur_seat = models.PositiveSmallIntegerField(
        _("rapporteur seat"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("1 or 2: a space has two rapporteur seats at most."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    last_contribution_at = models.DateTimeField(_("last contribution"), null=True, blank=True)
    warning_emailed_at = models.DateTimeField(
        _("inactivity warning e-mailed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the warning e-mail went out, so it is sent once."),
    )

    class Meta:
        ordering = ["space", "role", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="workgroups_membership_once_per_space"),
            # At most two rapporteurs per space, held by the database: two numbered seats.
            models.UniqueConstraint(
                fields=["space", "rapporteur_seat"], name="workgroups_two_rapporteur_seats"
            ),
            models.CheckConstraint(
                condition=(
                    # isnull=False: a NULL seat must fail the check, not make it unknown (and pass).
                    models.Q(role="rapporteur", rapporteur_seat__isnull=False, rapporteur_seat__in=[1, 2])
                    | (~models.Q(role="rapporteur") & models.Q(rapporteur_seat__isnull=True))
                ),
                name="workgroups_rapporteur_has_seat",
            ),
            models.UniqueConstraint(
                fields=["space"],
                condition=models.Q(role="technical_officer") & ~models.Q(state="left"),
                name="workgroups_one_technical_officer",
            ),
            models.UniqueConstraint(
                fields=["space"],
                condition=models.Q(role="political_officer") & ~models.Q(state="left"),
                name="workgroups_one_political_officer",
            ),
        ]
        indexes = [models.Index(fields=["space", "state"]), models.Index(fields=["user", "state"])]

    def __str__(self):
        return f"{self.user} · {self.space} · {self.get_role_display()}"

    @property
    def grants_entry(self):
        return self.state in self.ENTERING_STATES


class MembershipEvent(models.Model):
    """The audit trail: every membership or role change, who made it and when."""

    class Action(models.TextChoices):
        ADDED = "added", _("added")
        ROLE_CHANGED = "role_changed", _("role changed")
        WARNED = "warned", _("warned")
        LOCKED = "locked", _("locked")
        REINSTATED = "reinstated", _("reinstated")
        LEFT = "left", _("left")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")

    def __str__(self):
        return f"{self.get_action_display()} – {self.membership}"
