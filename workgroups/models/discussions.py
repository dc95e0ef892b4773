"""Inside a space: discussions, concerns, the agenda, moderation and the contribution record."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import Region
from workgroups.models.spaces import Space


class Thread(models.Model):
    """A discussion on a topic. Its opening text is its first post."""

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="threads", verbose_name=_("space")
    )
    title = models.CharField(_("topic"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_closed = models.BooleanField(_("closed"), default=False)
    # Its posts not deleted (hidden ones count), kept by the services that create and delete posts, so
    # the list of discussions does not count every post of the space on each view.
    post_count = models.PositiveIntegerField(_("posts"), default=0, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at", "-pk"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        indexes = [models.Index(fields=["space", "-is_pinned", "-last_activity_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workgroups:thread-detail", args=[self.space_id, self.pk])


class Post(models.Model):
    """A post in a discussion. Edits keep the previous text (for moderators); deletion is soft."""

    access_space_path = "thread__space"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("text"))
    quote_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("quoting")
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=500, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self):
        return f"{self.thread} #{self.pk}"

    def get_absolute_url(self):
        """The post on its page of the discussion."""
        return f"{self.thread.get_absolute_url()}?post={self.pk}#post-{self.pk}"

    @property
    def is_visible(self):
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(models.Model):
    """The text a post had before an edit: kept for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("earlier version of a post")
        verbose_name_plural = _("earlier versions of posts")

    def __str__(self):
        return f"{self.post} @ {self.created_at:%Y-%m-%d %H:%M}"


class ThreadFollow(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_follows"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="workgroups_follow_once")]

    def __str__(self):
        return f"{self.user} → {self.thread}"


class ThreadRead(models.Model):
    """How far a person has read a discussion: up to the newest post a page of it showed them."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_reads")
    read_up_to = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="workgroups_thread_read_once")]

    def __str__(self):
        return f"{self.user} → {self.thread} ({self.read_up_to:%Y-%m-%d %H:%M})"


class Tag(models.Model):
    """A label for concerns, kept per space."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="workgroups_tag_unique_in_space")
        ]

    def __str__(self):
        return self.name


class Concern(models.Model):
    """A concern or issue the members identify, endorse, discuss and sort."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("concern status", "New")
        UNDER_DISCUSSION = "under_discussion", pgettext_lazy("concern status", "Under discussion")
        AGREED = "agreed", pgettext_lazy("concern status", "Agreed")
        DIVERGENT = "divergent", pgettext_lazy("concern status", "Divergent views")
        PARKED = "parked", pgettext_lazy("concern status", "Parked")

    class Priority(models.IntegerChoices):
        NONE = 0, pgettext_lazy("priority", "Not set")
        LOW = 1, pgettext_lazy("priority", "Low")
        MEDIUM = 2, pgettext_lazy("priority", "Medium")
        HIGH = 3, pgettext_lazy("priority", "High")

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="concerns", verbose_name=_("space")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="concerns", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NONE
    )
    thread = models.OneToOneField(Thread, on_delete=models.PROTECT, related_name="concern")
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    endorsement_count = models.PositiveIntegerField(_("endorsements"), default=0, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-endorsement_count", "-created_at", "-pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            models.Index(fields=["space", "status"]),
            models.Index(fields=["space", "-endorsement_count"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workgroups:concern-detail", args=[self.space_id, self.pk])


class ConcernRegion(models.Model):
    """A region a concern affects."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="regions")
    region = models.CharField(_("region"), max_length=32, choices=Region.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "region"], name="workgroups_concern_region_once")
        ]

    def __str__(self):
        return self.get_region_display()


class Endorsement(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "user"], name="workgroups_endorse_once")]

    def __str__(self):
        return f"{self.user} → {self.concern}"


class AgendaItem(models.Model):
    """An item of the group's own agenda: members propose, rapporteurs order, accept and close."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("agenda status", "Proposed")
        PLANNED = "planned", pgettext_lazy("agenda status", "Planned")
        IN_DISCUSSION = "in_discussion", pgettext_lazy("agenda status", "In discussion")
        DONE = "done", pgettext_lazy("agenda status", "Done")
        DECLINED = "declined", pgettext_lazy("agenda status", "Not taken up")

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("space")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    position = models.PositiveIntegerField(_("order"), default=0)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    threads = models.ManyToManyField(
        Thread, blank=True, related_name="agenda_items", verbose_name=_("discussions")
    )
    concerns = models.ManyToManyField(
        Concern, blank=True, related_name="agenda_items", verbose_name=_("concerns")
    )
    created_at = models.DateTimeField(default=timezone.now)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The item on its space's agenda page."""
        return f"{reverse('workgroups:agenda', args=[self.space_id])}#item-{self.pk}"


class PostReport(models.Model):
    """A member reports a post to the group's technical officer."""

    class Outcome(models.TextChoices):
        OPEN = "open", pgettext_lazy("report outcome", "Open")
        HIDDEN = "hidden", pgettext_lazy("report outcome", "Post hidden")
        DISMISSED = "dismissed", pgettext_lazy("report outcome", "Dismissed")

    access_space_path = "post__thread__space"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=models.Q(outcome="open"),
                name="workgroups_report_once_while_open",
            ),
        ]

    def __str__(self):
        return f"{self.post} – {self.reason[:40]}"


class ModerationAction(models.Model):
    """What the technical officer did, and why: hide, restore, warn."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("hidden")
        RESTORE = "restore", _("restored")
        WARN = "warn", _("author warned")

    access_space_path = "post__thread__space"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="moderation_actions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self):
        return f"{self.get_kind_display()} – {self.post}"
