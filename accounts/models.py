import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .choices import AgeBand, Country, Gender, Region


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}, code="time_zone")


class ExpertiseArea(models.Model):
    """A field of expertise a participant brings; staff keep the list (bilingual) in admin."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("expertise area")
        verbose_name_plural = _("expertise areas")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person with an account. Accounts exist only by staff invitation.

    Display name and title are what co-members see. Gender, age band, expertise and region are
    private: only staff see them, for the balance report.
    """

    display_name = models.CharField(_("display name"), max_length=120)
    title = models.CharField(
        pgettext_lazy("a person's professional title", "title"),
        max_length=160,
        blank=True,
        help_text=_("Shown to your co-members beside your name, e.g. “Lawyer, women’s rights organisation”."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="ar"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Damascus", validators=[validate_time_zone]
    )
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=16, choices=AgeBand.choices, blank=True)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    country_of_residence = models.CharField(
        _("country of residence"),
        max_length=8,
        choices=Country.choices,
        blank=True,
        help_text=_("For participants living outside Syria."),
    )
    expertise_areas = models.ManyToManyField(
        ExpertiseArea, blank=True, related_name="users", verbose_name=_("expertise areas")
    )
    # Set when staff anonymise a departed participant: their contributions stay, unattributed.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="accounts_user_email_unique", condition=~models.Q(email="")
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def public_name(self):
        """The name co-members see: "Former member", in the reader's language, once anonymised."""
        if self.anonymised_at is not None:
            return gettext("Former member")
        return self.display_name or self.username


class CodeOfConduct(models.Model):
    """One version of the code of conduct. The newest published version is the one in force."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("code of conduct version")
        verbose_name_plural = _("code of conduct versions")

    def __str__(self):
        return _("Code of conduct, version %(version)s") % {"version": self.version}

    @property
    def is_published(self):
        return self.published_at is not None

    def paragraphs(self):
        return [paragraph.strip() for paragraph in self.body.split("\n\n") if paragraph.strip()]


class ConductAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conduct_acceptances"
    )
    conduct = models.ForeignKey(CodeOfConduct, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        verbose_name = _("code of conduct acceptance")
        verbose_name_plural = _("code of conduct acceptances")
        constraints = [models.UniqueConstraint(fields=["user", "conduct"], name="accounts_acceptance_once")]

    def __str__(self):
        return f"{self.user} – v{self.conduct.version}"


class Invitation(models.Model):
    """A one-time, expiring link that lets an invited person set their password.

    Only a hash of the token is stored, so a database read does not reveal usable links.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return _("Invitation for %(user)s") % {"user": self.user}

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self):
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("pending")


def user_display(user):
    """How allauth names a user in its messages: the display name, never the login name."""
    return user.public_name


class KnownDevice(models.Model):
    """A browser a user has signed in from. A long-lived cookie carries its token (only the hash is
    kept); a sign-in without a known token is a new device and the user is told by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("browser and system"), max_length=120)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")

    def __str__(self):
        return self.label


class AuditEventQuerySet(models.QuerySet):
    """Bulk changes are refused like single ones. The exceptions: the database letting go of a
    deleted account (`actor` set to NULL by the foreign key's SET_NULL), the retention job blanking
    old addresses (`accounts.tasks.forget_old_metadata`), and anonymisation blanking the labels that
    name the person (`accounts.services.user_anonymise`): the line stays."""

    def update(self, **kwargs):
        if kwargs not in ({"actor": None}, {"address": ""}, {"target_label": ""}):
            raise ValidationError(_("The audit trail cannot be changed."), code="audit_append_only")
        return super().update(**kwargs)

    def delete(self):
        raise ValidationError(_("The audit trail cannot be changed."), code="audit_append_only")

    delete.queryset_only = True


class AuditEvent(models.Model):
    """One line of the append-only audit trail: who did what, when, to which object, from where.

    Rows are only ever inserted (`accounts.audit.record`); saving an existing row or deleting one
    raises, and admin shows them read-only to superusers.
    """

    class Action(models.TextChoices):
        STAFF_SIGN_IN = "staff_sign_in", _("staff sign-in")
        MEMBERSHIP_ADDED = "membership_added", _("membership added")
        ROLE_CHANGED = "role_changed", _("role changed")
        MEMBERSHIP_LOCKED = "membership_locked", _("membership locked")
        MEMBERSHIP_REINSTATED = "membership_reinstated", _("membership reinstated")
        MEMBERSHIP_REMOVED = "membership_removed", _("membership removed")
        EXPORT = "export", _("export")
        MODERATION = "moderation", _("moderation action")
        NOTE_SUBMITTED = "note_submitted", _("final note submitted")
        ENVOY_DECISION = "envoy_decision", _("decision on a final note")
        DATA_DOWNLOAD = "data_download", _("personal data downloaded")
        ANONYMISATION = "anonymisation", _("participant anonymised")
        BODY_VIEWED = "body_viewed", _("content read in admin")
        SESSIONS_ENDED = "sessions_ended", _("sessions ended")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("account deactivated")
        PASSWORD_SET_BY_STAFF = "password_set_by_staff", _("password set by staff")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
        editable=False,
    )
    action = models.CharField(_("what"), max_length=32, choices=Action.choices, db_index=True, editable=False)
    target_type = models.CharField(_("object type"), max_length=100, blank=True, editable=False)
    target_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    target_label = models.CharField(_("object"), max_length=200, blank=True, editable=False)
    space_id = models.BigIntegerField(_("space"), null=True, blank=True, editable=False)
    address = models.CharField(_("network (truncated)"), max_length=64, blank=True, editable=False)
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["target_type", "target_id"], name="accounts_audit_target")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("The audit trail cannot be changed."), code="audit_append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The audit trail cannot be changed."), code="audit_append_only")
