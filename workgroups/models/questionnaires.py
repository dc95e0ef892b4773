"""Questionnaires and needs data: questions built on the site, answers, analysis themes.

A questionnaire is platform-wide (built by staff: the expression-of-interest questionnaire, a needs
survey of all participants) or belongs to a space (built by its rapporteurs). An anonymous
questionnaire stores submitted responses (`Submission`) with no respondent: a separate `Receipt` row
records that a user has answered (so a second submission is refused) and holds no link to the submission.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import Country, Region

from .spaces import Role, Space


def region_choices():
    """Where a respondent lives: the fourteen governorates of Syria, then the diaspora's host countries."""
    return [(value, label) for value, label in Region.choices if value != Region.ABROAD] + list(
        Country.choices
    )


class Questionnaire(models.Model):
    class Audience(models.TextChoices):
        ALL = "all", _("All participants")
        SPACE = "space", _("The members of a space")
        ROLE = "role", _("The holders of one role")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("questionnaire status", "Being prepared")
        OPEN = "open", pgettext_lazy("questionnaire status", "Published")
        CLOSED = "closed", pgettext_lazy("questionnaire status", "Closed")

    class Purpose(models.TextChoices):
        SURVEY = "survey", _("Questionnaire")
        INTEREST = "interest", _("Expression of interest")

    space = models.ForeignKey(
        Space,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questionnaires",
        verbose_name=_("space"),
        help_text=_("Empty for a platform-wide questionnaire (built by staff)."),
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.SURVEY)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True, max_length=5000)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    audience_space = models.ForeignKey(
        Space,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audience space"),
    )
    audience_role = models.CharField(_("audience role"), max_length=20, choices=Role.choices, blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous responses"),
        default=False,
        help_text=_("Fixed once the questionnaire is published; respondents are told."),
    )
    allow_changes = models.BooleanField(
        _("respondents may change their answers while it is open"), default=False
    )
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=models.F("opens_at")),
                name="workgroups_questionnaire_window",
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="interest"),
                name="workgroups_one_interest_questionnaire",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The page where the questionnaire is answered."""
        return reverse("workgroups:questionnaire-respond", args=[self.pk])

    @property
    def is_open(self):
        """Published, and now inside its window: responses are accepted."""
        now = timezone.now()
        return (
            self.status == self.Status.OPEN
            and self.opens_at <= now
            and (self.closes_at is None or now < self.closes_at)
        )

    @property
    def is_editable_structure(self):
        return self.status == self.Status.DRAFT


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        REGION = "region", _("Region (governorate or country)")
        RANKING = "ranking", _("Ranking")
        DECLARATION = "declaration", _("Declaration (must be confirmed)")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.REGION, Kind.RANKING)
    CATEGORICAL_KINDS = (Kind.SINGLE, Kind.REGION)  # one answer per response: usable as a cross-tab
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)

    access_space_path = "questionnaire__space"

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        _("system key"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Set on the questions the platform reads (the expression-of-interest declarations)."),
    )
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    is_required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"],
                condition=~models.Q(key=""),
                name="workgroups_question_key_once",
            ),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="workgroups_question_scale_order",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def has_options(self):
        return self.kind in self.CHOICE_KINDS

    @property
    def is_text(self):
        return self.kind in self.TEXT_KINDS

    @property
    def scale_values(self):
        return list(range(self.scale_min, self.scale_max + 1))


class Option(models.Model):
    access_space_path = "question__questionnaire__space"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=300)
    code = models.CharField(
        _("code"), max_length=16, blank=True, editable=False
    )  # the region of a region option
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text


class Submission(models.Model):
    """One respondent's answers to a questionnaire (a response), a draft until it is sent. For an
    anonymous questionnaire the respondent is cleared when it is sent (a draft keeps it, so its author
    can come back to it)."""

    access_space_path = "questionnaire__space"

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="submissions")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondent"),
    )
    is_submitted = models.BooleanField(_("submitted"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last saved"), default=timezone.now)
    # What the analysis breaks down by, taken when submitted (so no identity is needed to read them).
    region = models.CharField(_("region"), max_length=16, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "respondent"],
                condition=models.Q(respondent__isnull=False, is_submitted=False),
                name="workgroups_one_draft_per_respondent",
            ),
        ]
        indexes = [models.Index(fields=["questionnaire", "is_submitted"])]

    def __str__(self):
        return f"{self.questionnaire} #{self.pk}"


class Receipt(models.Model):
    """That `user` has submitted a response to `questionnaire`; deliberately no link to which one,
    and no time (a time could be matched with the response's)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "user"], name="workgroups_receipt_once")
        ]

    def __str__(self):
        return f"{self.user} → {self.questionnaire}"


class AnswerTheme(models.Model):
    """A theme the author sorts free-text answers into; it can become a concern of the space."""

    access_space_path = "questionnaire__space"

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("theme"), max_length=80)
    concern = models.ForeignKey(
        "workgroups.Concern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concern"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("answer theme")
        verbose_name_plural = _("answer themes")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "name"], name="workgroups_answer_theme_once")
        ]

    def __str__(self):
        return self.name


class Answer(models.Model):
    access_space_path = "submission__questionnaire__space"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    themes = models.ManyToManyField(AnswerTheme, blank=True, related_name="answers")

    class Meta:
        ordering = ["question__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="workgroups_answer_once")
        ]

    def __str__(self):
        return f"{self.submission} · {self.question_id}"


class AnswerChoice(models.Model):
    """A chosen option (single, multiple, region) or a ranked one (`rank` 1 = first)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="choices")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "option"], name="workgroups_choice_once")]

    def __str__(self):
        return f"{self.answer} → {self.option_id}"
