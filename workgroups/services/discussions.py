"""Writes inside a space: discussions, concerns, the agenda, moderation.

Trusts its caller for the actor's role: a view has asked the permission core whether the actor may
contribute, moderate or manage outputs in the space. The rules of the objects themselves (a closed
discussion, one's own post, a space that is not active) are asked of the core again here
(`access.check_change_post`, `access.require_active`), and the services keep their own invariants
(one endorsement each), raising ValidationError or PermissionDenied.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from cssr import text
from cssr.search import index_text

from .. import access
from ..models import (
    AgendaItem,
    Concern,
    ConcernRegion,
    Contribution,
    Endorsement,
    ModerationAction,
    Notification,
    Post,
    PostReport,
    PostRevision,
    Tag,
    Thread,
    ThreadFollow,
    ThreadRead,
)
from .contributions import contribution_record
from .notifications import notify

User = get_user_model()
TITLE_MAX = 200
REASON_MAX = 500


def _clean_body(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > text.MAX_BODY_LENGTH:
        raise ValidationError(
            _("This text is too long (at most %(limit)s characters).") % {"limit": text.MAX_BODY_LENGTH},
            code="too_long",
        )
    return body


def _clean_title(title):
    title = text.clean_single_line(title)
    if not title:
        raise ValidationError(_("A title is required."), code="empty")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _("The title is too long (at most %(limit)s characters).") % {"limit": TITLE_MAX}, code="too_long"
        )
    return title


def _notify_mentions(*, actor, space, body, title, url):
    usernames = text.mentions(body)[:20]
    if usernames:
        named = Q()
        for username in usernames:
            named |= Q(username__iexact=username)
        notify(
            recipients=User.objects.filter(named),
            space=space,
            kind=Notification.Kind.MENTION,
            actor=actor,
            title=title,
            url=url,
        )


def thread_create(*, actor, space, title, body):
    """Start a discussion: the thread and its opening post. The author follows it."""
    access.require_active(space)
    title, body = _clean_title(title), _clean_body(body)
    with transaction.atomic():
        thread = Thread.objects.create(
            space=space, title=title, author=actor, search_text=index_text(title), post_count=1
        )
        Post.objects.create(
            thread=thread, author=actor, body=body, search_text=index_text(text.plain_text(body))
        )
        ThreadFollow.objects.create(thread=thread, user=actor)
        contribution_record(user=actor, space=space, kind=Contribution.Kind.THREAD)
        url = thread.get_absolute_url()
        notify(
            recipients=access.audience(space),
            space=space,
            kind=Notification.Kind.NEW_THREAD,
            actor=actor,
            title=title,
            url=url,
        )
        _notify_mentions(actor=actor, space=space, body=body, title=title, url=url)
    return thread


def post_create(*, actor, thread, body, quote_of=None):
    """Reply in a discussion (optionally quoting a post of it). Followers are notified."""
    space = thread.space
    access.require_active(space)
    if thread.is_closed:
        raise ValidationError(_("This discussion is closed."), code="closed")
    body = _clean_body(body)
    if quote_of is not None and (quote_of.thread_id != thread.pk or not quote_of.is_visible):
        quote_of = None
    with transaction.atomic():
        post = Post.objects.create(
            thread=thread,
            author=actor,
            body=body,
            quote_of=quote_of,
            search_text=index_text(text.plain_text(body)),
        )
        Thread.objects.filter(pk=thread.pk).update(
            last_activity_at=post.created_at, post_count=F("post_count") + 1
        )
        ThreadFollow.objects.get_or_create(thread=thread, user=actor)
        contribution_record(user=actor, space=space, kind=Contribution.Kind.POST)
        url = post.get_absolute_url()
        notify(
            recipients=User.objects.filter(thread_follows__thread=thread),
            space=space,
            kind=Notification.Kind.REPLY,
            actor=actor,
            title=thread.title,
            url=url,
        )
        _notify_mentions(actor=actor, space=space, body=body, title=thread.title, url=url)
    return post


def _own_live_post(actor, post):
    access.check_change_post(actor, post)
    if post.deleted_at or post.hidden_at:
        raise ValidationError(_("This post can no longer be changed."), code="gone")
    access.require_active(post.thread.space)


def post_edit(*, actor, post, body):
    """Edit one's own post; the previous text is kept for moderators and the post is marked edited."""
    _own_live_post(actor, post)
    body = _clean_body(body)
    if body == post.body:
        return post
    with transaction.atomic():
        PostRevision.objects.create(post=post, body=post.body)
        post.body, post.edited_at = body, timezone.now()
        post.search_text = index_text(text.plain_text(body))
        post.save(update_fields=["body", "edited_at", "search_text"])
    return post


def post_delete(*, actor, post):
    """Delete one's own post (softly: moderators keep the record; members see that it was deleted).
    Deleting it twice at once (two tabs) counts it off its discussion once."""
    _own_live_post(actor, post)
    deleted_at = timezone.now()
    with transaction.atomic():
        if Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(deleted_at=deleted_at):
            Thread.objects.filter(pk=post.thread_id).update(post_count=F("post_count") - 1)
    post.deleted_at = deleted_at
    return post


def thread_set_pinned(*, actor, thread, pinned):
    """Rapporteurs pin a discussion to the top of the list."""
    access.require_active(thread.space)
    Thread.objects.filter(pk=thread.pk).update(is_pinned=bool(pinned))


def thread_set_closed(*, actor, thread, closed):
    """Rapporteurs close a discussion (no more replies) or open it again."""
    access.require_active(thread.space)
    Thread.objects.filter(pk=thread.pk).update(is_closed=bool(closed))


def thread_follow(*, actor, thread, follow):
    """Follow a discussion (replies are notified) or stop following it; not in a space that is not active."""
    access.require_active(thread.space)
    if follow:
        ThreadFollow.objects.get_or_create(thread=thread, user=actor)
    else:
        ThreadFollow.objects.filter(thread=thread, user=actor).delete()


def thread_mark_read(*, user, thread, up_to):
    """Record that `user` has read `thread` up to the post written at `up_to` (a page of it showed
    them). A mark only moves forward: going back to an earlier page keeps the later one. Reading is
    not a write to the space, so it is recorded in a space that is not active too."""
    if up_to is None or not user.is_authenticated:
        return
    if ThreadRead.objects.filter(thread=thread, user=user, read_up_to__lt=up_to).update(read_up_to=up_to):
        return
    try:
        with transaction.atomic():
            ThreadRead.objects.get_or_create(thread=thread, user=user, defaults={"read_up_to": up_to})
    except IntegrityError:
        pass  # the same person's other tab recorded it at the same moment


# --- Concerns ---------------------------------------------------------------------------------


def concern_propose(*, actor, space, title, description, tags=(), regions=()):
    """Propose a concern; it gets its own discussion. Members are notified."""
    access.require_active(space)
    title, description = _clean_title(title), _clean_body(description)
    names = sorted({name.strip()[:60] for name in tags if name and name.strip()})[:10]
    with transaction.atomic():
        thread = Thread.objects.create(
            space=space, title=title, author=actor, search_text=index_text(title), post_count=1
        )
        Post.objects.create(
            thread=thread,
            author=actor,
            body=description,
            search_text=index_text(text.plain_text(description)),
        )
        ThreadFollow.objects.create(thread=thread, user=actor)
        concern = Concern.objects.create(
            space=space,
            title=title,
            description=description,
            author=actor,
            thread=thread,
            search_text=index_text(title, text.plain_text(description)),
        )
        for name in names:
            tag, _created = Tag.objects.get_or_create(space=space, name=name)
            concern.tags.add(tag)
        ConcernRegion.objects.bulk_create(
            ConcernRegion(concern=concern, region=region) for region in set(regions)
        )
        contribution_record(user=actor, space=space, kind=Contribution.Kind.CONCERN)
        notify(
            recipients=access.audience(space),
            space=space,
            kind=Notification.Kind.NEW_CONCERN,
            actor=actor,
            title=title,
            url=concern.get_absolute_url(),
        )
    return concern


def concern_endorse(*, actor, concern):
    """Endorse a concern, once per member."""
    access.require_active(concern.space)
    try:
        with transaction.atomic():
            Endorsement.objects.create(concern=concern, user=actor)
            Concern.objects.filter(pk=concern.pk).update(endorsement_count=F("endorsement_count") + 1)
            contribution_record(user=actor, space=concern.space, kind=Contribution.Kind.ENDORSEMENT)
    except IntegrityError as error:
        raise ValidationError(_("You already endorsed this concern."), code="duplicate") from error


def concern_set_status(*, actor, concern, status, priority):
    """Rapporteurs sort concerns: status (agreed, divergent, ...) and priority."""
    access.require_active(concern.space)
    if status not in Concern.Status.values or int(priority) not in Concern.Priority.values:
        raise ValidationError(_("Unknown status or priority."), code="invalid")
    Concern.objects.filter(pk=concern.pk).update(status=status, priority=int(priority))


# --- Agenda -----------------------------------------------------------------------------------


def agenda_item_propose(*, actor, space, title, description="", threads=(), concerns=()):
    """A member proposes an agenda item, optionally linked to discussions and concerns of the space."""
    access.require_active(space)
    title = _clean_title(title)
    if len(description or "") > text.MAX_BODY_LENGTH:
        raise ValidationError(_("This text is too long."), code="too_long")
    with transaction.atomic():
        last = (
            AgendaItem.objects.filter(space=space)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        item = AgendaItem.objects.create(
            space=space,
            title=title,
            description=(description or "").strip(),
            proposed_by=actor,
            position=(last or 0) + 1,
            search_text=index_text(title, description),
        )
        item.threads.set([t for t in threads if t.space_id == space.pk])
        item.concerns.set([c for c in concerns if c.space_id == space.pk])
        contribution_record(user=actor, space=space, kind=Contribution.Kind.AGENDA_ITEM)
        notify(
            recipients=access.audience(space, access.Action.MANAGE_OUTPUTS),
            space=space,
            kind=Notification.Kind.AGENDA,
            actor=actor,
            title=title,
            url=reverse("workgroups:agenda", args=[space.pk]),
        )
    return item


def agenda_item_update(*, actor, item, status):
    """Rapporteurs accept, start, close or decline an agenda item; members are told."""
    access.require_active(item.space)
    if status not in AgendaItem.Status.values:
        raise ValidationError(_("Unknown status."), code="invalid")
    if item.status == status:
        return item
    item.status = status
    item.save(update_fields=["status"])
    notify(
        recipients=access.audience(item.space),
        space=item.space,
        kind=Notification.Kind.AGENDA,
        actor=actor,
        title=item.title,
        url=reverse("workgroups:agenda", args=[item.space_id]),
    )
    return item


def agenda_reorder(*, actor, space, item_id, direction):
    """Move an agenda item one place up or down (rapporteurs)."""
    access.require_active(space)
    items = list(AgendaItem.objects.filter(space=space).order_by("position", "pk"))
    index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
    if index is None:
        raise ValidationError(_("Unknown agenda item."), code="unknown")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    with transaction.atomic():
        for position, item in enumerate(items, start=1):
            if item.position != position:
                AgendaItem.objects.filter(pk=item.pk).update(position=position)


# --- Moderation -------------------------------------------------------------------------------


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="empty")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(limit)s characters).") % {"limit": REASON_MAX},
            code="too_long",
        )
    return reason


def post_report(*, actor, post, reason):
    """Report a post to the group's technical officer (once per member while the report is open)."""
    space = post.thread.space
    access.require_active(space)
    reason = _clean_reason(reason)
    try:
        with transaction.atomic():
            report = PostReport.objects.create(post=post, reporter=actor, reason=reason)
    except IntegrityError as error:
        raise ValidationError(_("You already reported this post."), code="duplicate") from error
    notify(
        recipients=access.audience(space, access.Action.MODERATE),
        space=space,
        kind=Notification.Kind.MODERATION,
        actor=None,
        title=post.thread.title,
        url=reverse("workgroups:moderation-queue", args=[space.pk]),
    )
    return report


def _resolve_reports(post, actor, outcome):
    PostReport.objects.filter(post=post, outcome=PostReport.Outcome.OPEN).update(
        outcome=outcome, resolved_at=timezone.now(), resolved_by=actor
    )


def _audit_moderation(actor, post, kind):
    audit.record(
        actor=actor, action=audit.Action.MODERATION, target=post, space=post.thread.space_id, kind=kind
    )


def post_hide(*, actor, post, reason):
    """The technical officer hides a post (members see a placeholder), with a recorded reason."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        post.hidden_at, post.hidden_reason = timezone.now(), reason
        post.save(update_fields=["hidden_at", "hidden_reason"])
        ModerationAction.objects.create(
            post=post, actor=actor, kind=ModerationAction.Kind.HIDE, reason=reason
        )
        _resolve_reports(post, actor, PostReport.Outcome.HIDDEN)
        _audit_moderation(actor, post, ModerationAction.Kind.HIDE)
    return post


def post_restore(*, actor, post, reason):
    """The technical officer shows a hidden post again, or dismisses the reports on a visible one."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        if post.hidden_at:
            post.hidden_at, post.hidden_reason = None, ""
            post.save(update_fields=["hidden_at", "hidden_reason"])
        ModerationAction.objects.create(
            post=post, actor=actor, kind=ModerationAction.Kind.RESTORE, reason=reason
        )
        _resolve_reports(post, actor, PostReport.Outcome.DISMISSED)
        _audit_moderation(actor, post, ModerationAction.Kind.RESTORE)
    return post


def user_warn(*, actor, post, message):
    """The technical officer warns a post's author privately about the code of conduct."""
    message = _clean_reason(message)
    if post.author is None:
        raise ValidationError(_("This post has no author to warn."), code="no_author")
    space = post.thread.space
    with transaction.atomic():
        ModerationAction.objects.create(
            post=post, actor=actor, kind=ModerationAction.Kind.WARN, reason=message
        )
        _audit_moderation(actor, post, ModerationAction.Kind.WARN)
        notify(
            recipients=User.objects.filter(pk=post.author_id),
            space=space,
            kind=Notification.Kind.MODERATION,
            actor=None,
            title=message,
            url=f"{post.thread.get_absolute_url()}#post-{post.pk}",
        )
