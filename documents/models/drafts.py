"""Co-drafting and the final briefing note.

A draft is an ordered list of sections. A section keeps its current text and revision number on
its own row (so a draft page reads no revisions) and every save adds a `SectionRevision`. A save
is written only if the section is still at the revision the editor started from (a conditional
UPDATE): two members saving the same section never overwrite each other silently.

Authors of revisions and comments are kept for the space's own pages; exports never name them
(non-attribution).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workgroups.models import Space


class Draft(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = "ordinary", pgettext_lazy("draft kind", "Draft")
        FINAL_NOTE = "final_note", pgettext_lazy("draft kind", "Final briefing note")

    class Status(models.TextChoices):
        DRAFTING = "drafting", pgettext_lazy("draft status", "Drafting")
        OPEN_FOR_COMMENTS = "open_for_comments", pgettext_lazy("draft status", "Open for members' comments")
        JOINT_PROPOSAL = "joint_proposal", pgettext_lazy("draft status", "Joint proposal")
        SUBMITTED = "submitted", pgettext_lazy("draft status", "Submitted to the Office of the Special Envoy")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("space"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORDINARY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Kept for the operations team only: the note itself names nobody.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Its title and the current text of its sections, as `cssr.search.index_text` writes it.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        indexes = [models.Index(fields=["space", "-updated_at"]), models.Index(fields=["kind", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("documents:draft-detail", args=[self.space_id, self.pk])

    @property
    def is_final_note(self):
        return self.kind == self.Kind.FINAL_NOTE

    @property
    def is_locked(self):
        return self.status == self.Status.SUBMITTED


class Section(models.Model):
    class Key(models.TextChoices):
        """The fixed sections of a final note; ordinary drafts' sections have no key."""

        NONE = "", _("free section")
        INTRODUCTION = "introduction", _("Introduction")
        AGREEMENT = "agreement", _("Areas of agreement")
        DIVERGENCE = "divergence", _("Divergent views")
        RECOMMENDATIONS = "recommendations", _("Recommendations")

    access_space_path = "draft__space"

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    key = models.CharField(max_length=20, choices=Key.choices, default=Key.NONE, blank=True, editable=False)
    position = models.PositiveIntegerField(_("order"), default=0)
    # The current state, copied from the latest revision (the draft page reads no revisions).
    text = models.TextField(_("text"), blank=True)
    revision_number = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.title


class SectionRevision(models.Model):
    access_space_path = "section__draft__space"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    # "restored from revision 3", "concerns pulled in": why this revision exists, when not a plain save.
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("section revision")
        verbose_name_plural = _("section revisions")
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="documents_revision_number_once"),
        ]

    def __str__(self):
        return f"{self.section} #{self.number}"


class SectionComment(models.Model):
    """A comment on a section, or a reply to one (`parent`). Top-level comments are resolved."""

    access_space_path = "section__draft__space"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment on a draft")
        verbose_name_plural = _("comments on drafts")
        indexes = [models.Index(fields=["section", "created_at"])]

    def __str__(self):
        return f"{self.section} · {self.pk}"


class SharingDecision(models.Model):
    """The Special Envoy's decision about sharing a submitted final note, recorded by staff."""

    class Decision(models.TextChoices):
        PUBLIC = "public", _("Shared publicly")
        PARTIES = "parties", _("Shared with the parties")
        MEMBER_STATES = "member_states", _("Shared with the member states")
        NOT_SHARED = "not_shared", _("Not shared")

    draft = models.OneToOneField(
        Draft, on_delete=models.CASCADE, related_name="sharing_decision", verbose_name=_("final note")
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    decided_on = models.DateField(_("date of the decision"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("Special Envoy's sharing decision")
        verbose_name_plural = _("Special Envoy's sharing decisions")

    def __str__(self):
        return f"{self.draft} · {self.get_decision_display()}"
