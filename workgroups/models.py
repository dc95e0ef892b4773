from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Theme(models.Model):
    """A theme proposed by the Office of the Special Envoy (P6); staff may add more."""

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
    """A private area: a working group for one work period, or a shared space (e.g. with the WAB, P10)."""

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
        _("meeting room URL"), blank=True, help_text=_("The group's online meeting room (shown to members only).")
    )
    inactivity_days = models.PositiveSmallIntegerField(
        _("inactivity period (days)"), default=30,
        help_text=_("A member who contributes nothing for this long is locked out of the space."),
    )
    warning_days = models.PositiveSmallIntegerField(
        _("warning lead (days)"), default=7, help_text=_("How many days before the lock the member is warned.")
    )
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors",
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
    """A user's place in a space. Only staff change memberships (P3), through workgroups.services."""

    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("membership state", "Active")
        WARNED = "warned", pgettext_lazy("membership state", "Warned")
        LOCKED = "locked", pgettext_lazy("membership state", "Locked")
        LEFT = "left", pgettext_lazy("membership state", "Left")

    ENTERING_STATES = (State.ACTIVE, State.WARNED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("space"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    rapporteur_seat = models.PositiveSmallIntegerField(
        _("rapporteur seat"), null=True, blank=True, editable=False,
        help_text=_("1 or 2: a space has two rapporteur seats at most."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    last_contribution_at = models.DateTimeField(_("last contribution"), null=True, blank=True)

    class Meta:
        ordering = ["space", "role", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="workgroups_membership_once_per_space"),
            # At most two rapporteurs per space, held by the database: two numbered seats.
            models.UniqueConstraint(fields=["space", "rapporteur_seat"], name="workgroups_two_rapporteur_seats"),
            models.CheckConstraint(
                condition=(
                    # isnull=False: a NULL seat must fail the check, not make it unknown (and pass).
                    models.Q(role="rapporteur", rapporteur_seat__isnull=False, rapporteur_seat__in=[1, 2])
                    | (~models.Q(role="rapporteur") & models.Q(rapporteur_seat__isnull=True))
                ),
                name="workgroups_rapporteur_has_seat",
            ),
            models.UniqueConstraint(
                fields=["space"], condition=models.Q(role="technical_officer") & ~models.Q(state="left"),
                name="workgroups_one_technical_officer",
            ),
            models.UniqueConstraint(
                fields=["space"], condition=models.Q(role="political_officer") & ~models.Q(state="left"),
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
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
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


class ExpressionOfInterest(models.Model):
    """A participant's request to join a working group on a theme (P8), reviewed by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("review status", "Under review")
        ACCEPTED = "accepted", pgettext_lazy("review status", "Accepted")
        DECLINED = "declined", pgettext_lazy("review status", "Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expressions_of_interest",
        verbose_name=_("participant"),
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="expressions_of_interest", verbose_name=_("theme"))
    expertise = models.TextField(_("expertise"), max_length=2000)
    motivation = models.TextField(_("motivation"), max_length=2000)
    civic_activity = models.TextField(_("civic activity"), max_length=2000)
    declares_syrian = models.BooleanField(_("declares being Syrian"))
    declares_civic_work = models.BooleanField(_("declares active civic work"))
    declares_no_affiliation = models.BooleanField(
        _("declares no official delegation, political party or military formation")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, max_length=2000)
    space = models.ForeignKey(
        Space, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("space joined")
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "theme"], condition=models.Q(status="pending"),
                name="workgroups_one_pending_interest_per_theme",
            ),
            models.CheckConstraint(
                condition=models.Q(declares_syrian=True, declares_civic_work=True, declares_no_affiliation=True),
                name="workgroups_interest_declarations_made",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.theme}"


class GroupProposal(models.Model):
    """A participant's proposal for a new working group (P6), reviewed by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("review status", "Under review")
        ACCEPTED = "accepted", pgettext_lazy("review status", "Accepted")
        DECLINED = "declined", pgettext_lazy("review status", "Declined")

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_proposals", verbose_name=_("proposed by")
    )
    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"), max_length=5000)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closest theme")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("staff response"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("group proposal")
        verbose_name_plural = _("group proposals")

    def __str__(self):
        return self.title


class Election(models.Model):
    """The election of a space's two rapporteurs by its members (the TWG FAQ).

    Nominations are open until voting opens; members vote (up to two votes each) until voting
    closes; staff then confirm the two winners, who become the rapporteurs.
    """

    class Phase(models.TextChoices):
        NOMINATING = "nominating", _("Nominations open")
        VOTING = "voting", _("Voting open")
        COUNTING = "counting", _("Voting closed")
        CONFIRMED = "confirmed", _("Results confirmed")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="elections", verbose_name=_("space"))
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )

    SEATS = 2
    VOTES_PER_MEMBER = 2

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rapporteur election")
        verbose_name_plural = _("rapporteur elections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voting_closes_at__gt=models.F("voting_opens_at")), name="workgroups_election_window"
            ),
        ]

    def __str__(self):
        return _("Rapporteur election in %(space)s") % {"space": self.space}

    def clean(self):
        if self.voting_opens_at and self.voting_closes_at and self.voting_closes_at <= self.voting_opens_at:
            raise ValidationError({"voting_closes_at": _("Voting must close after it opens.")})

    @property
    def phase(self):
        now = timezone.now()
        if self.confirmed_at:
            return self.Phase.CONFIRMED
        if now < self.voting_opens_at:
            return self.Phase.NOMINATING
        if now < self.voting_closes_at:
            return self.Phase.VOTING
        return self.Phase.COUNTING

    def get_phase_display(self):
        return self.Phase(self.phase).label


class Nomination(models.Model):
    access_space_path = "election__space"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    nominee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("nominee"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("nominated by")
    )
    accepted_at = models.DateTimeField(_("accepted by the nominee"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(fields=["election", "nominee"], name="workgroups_nominated_once"),
        ]

    def __str__(self):
        return str(self.nominee)


class Vote(models.Model):
    """One vote. Each member has two ballots (slots 1 and 2), and may not give both to one nominee."""

    access_space_path = "election__space"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    slot = models.PositiveSmallIntegerField()
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["election", "voter", "slot"], name="workgroups_two_ballots_per_member"),
            models.UniqueConstraint(fields=["voter", "nomination"], name="workgroups_one_vote_per_nominee"),
            models.CheckConstraint(condition=models.Q(slot__in=[1, 2]), name="workgroups_vote_slot_range"),
        ]

    def __str__(self):
        return f"{self.voter} → {self.nomination}"
