"""Joining and shaping groups: expressions of interest, group proposals, rapporteur elections."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .spaces import Space, Theme


class ReviewStatus(models.TextChoices):
    """Where a participant's request stands in the operations support team's review."""

    PENDING = "pending", pgettext_lazy("review status", "Under review")
    ACCEPTED = "accepted", pgettext_lazy("review status", "Accepted")
    DECLINED = "declined", pgettext_lazy("review status", "Declined")


class ExpressionOfInterest(models.Model):
    """A participant's request to join a working group on a theme, reviewed by staff."""

    Status = ReviewStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="expressions_of_interest",
        verbose_name=_("participant"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="expressions_of_interest", verbose_name=_("theme")
    )
    expertise = models.TextField(_("expertise"), max_length=2000, blank=True)
    motivation = models.TextField(_("motivation"), max_length=2000, blank=True)
    civic_activity = models.TextField(_("civic activity"), max_length=2000, blank=True)
    # The full questionnaire as answered (its questions are edited by staff on the site).
    submission = models.OneToOneField(
        "workgroups.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interest",
        verbose_name=_("questionnaire answers"),
    )
    declares_syrian = models.BooleanField(_("declares being Syrian"))
    declares_civic_work = models.BooleanField(_("declares active civic work"))
    declares_no_affiliation = models.BooleanField(
        _("declares no official delegation, political party or military formation")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, max_length=2000)
    space = models.ForeignKey(
        Space,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("space joined"),
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "theme"],
                condition=models.Q(status="pending"),
                name="workgroups_one_pending_interest_per_theme",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    declares_syrian=True, declares_civic_work=True, declares_no_affiliation=True
                ),
                name="workgroups_interest_declarations_made",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.theme}"


class GroupProposal(models.Model):
    """A participant's proposal for a new working group, reviewed by staff."""

    Status = ReviewStatus

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_proposals",
        verbose_name=_("proposed by"),
    )
    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"), max_length=5000)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closest theme"),
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

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="elections", verbose_name=_("space")
    )
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
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
                condition=models.Q(voting_closes_at__gt=models.F("voting_opens_at")),
                name="workgroups_election_window",
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
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("nominee")
    )
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
            models.UniqueConstraint(
                fields=["election", "voter", "slot"], name="workgroups_two_ballots_per_member"
            ),
            models.UniqueConstraint(fields=["voter", "nomination"], name="workgroups_one_vote_per_nominee"),
            models.CheckConstraint(condition=models.Q(slot__in=[1, 2]), name="workgroups_vote_slot_range"),
        ]

    def __str__(self):
        return f"{self.voter} → {self.nomination}"
