"""E-mail digests: one e-mail per period, titles and counts from the spaces the user may see now.

Notification overload is the first complaint about comparable platforms, and e-mail is a weak
channel for people at risk: a digest is sent only when something is new, at most once per period,
and holds counts and titles with links, never message text (unless CSSR_DIGEST_EXCERPTS is on).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cssr import text

from .. import access
from ..models import Concern, DigestMute, DigestSubscription, Post, Thread

logger = logging.getLogger(__name__)
PERIODS = {DigestSubscription.Frequency.DAILY: timedelta(days=1), DigestSubscription.Frequency.WEEKLY: timedelta(days=7)}
TITLES_PER_SECTION = 10


def digest_subscription(user):
    """The user's subscription (weekly by default)."""
    subscription, _created = DigestSubscription.objects.get_or_create(user=user)
    return subscription


def digest_settings_save(*, user, frequency, muted_spaces=(), muted_threads=()):
    """Save how often the user gets a digest and which spaces and discussions it leaves out."""
    with transaction.atomic():
        DigestSubscription.objects.update_or_create(user=user, defaults={"frequency": frequency})
        DigestMute.objects.filter(user=user).delete()
        DigestMute.objects.bulk_create(
            [DigestMute(user=user, space=space) for space in muted_spaces]
            + [DigestMute(user=user, thread=thread) for thread in muted_threads]
        )


def digest_due_user_ids(*, now):
    """Users whose period has passed since their last digest (new subscribers count from joining)."""
    User = get_user_model()
    due = Q()
    for frequency, period in PERIODS.items():
        due |= Q(digest__frequency=frequency) & (Q(digest__last_sent_at__lte=now - period)
                                                 | Q(digest__last_sent_at__isnull=True))
    # No subscription row yet means the weekly default.
    due |= Q(digest__isnull=True)
    return list(User.objects.filter(is_active=True).filter(due).exclude(email="").values_list("pk", flat=True))


def digest_build(*, user, since, until):
    """What is new for `user` between `since` and `until`, per space they may see now.

    Returns a list of {"space", "threads", "replies", "concerns"} with counts and titles, only for
    spaces where something is new. A constant number of queries, whatever the volume.
    """
    spaces = {space.pk: space for space in access.visible_spaces(user).exclude(
        pk__in=DigestMute.objects.filter(user=user, space__isnull=False).values("space_id"))}
    if not spaces:
        return []
    muted_threads = DigestMute.objects.filter(user=user, thread__isnull=False).values("thread_id")
    window = {"created_at__gt": since, "created_at__lte": until}
    new_threads = list(
        Thread.objects.filter(space_id__in=spaces, concern__isnull=True, **window)
        .exclude(author=user).order_by("-created_at")
    )
    replies = list(
        Post.objects.filter(thread__space_id__in=spaces, deleted_at__isnull=True, hidden_at__isnull=True, **window)
        .exclude(author=user).exclude(thread_id__in=muted_threads).exclude(thread__created_at__gt=since)
        .values("thread_id", "thread__title", "thread__space_id").annotate(count=Count("pk"))
        .order_by("-count")
    )
    concerns = list(Concern.objects.filter(space_id__in=spaces, **window).exclude(author=user).order_by("-created_at"))
    sections = []
    for space_id, space in spaces.items():
        section = {
            "space": space,
            "threads": [t for t in new_threads if t.space_id == space_id][:TITLES_PER_SECTION],
            "thread_count": sum(1 for t in new_threads if t.space_id == space_id),
            "replies": [r for r in replies if r["thread__space_id"] == space_id][:TITLES_PER_SECTION],
            "reply_count": sum(r["count"] for r in replies if r["thread__space_id"] == space_id),
            "concerns": [c for c in concerns if c.space_id == space_id][:TITLES_PER_SECTION],
            "concern_count": sum(1 for c in concerns if c.space_id == space_id),
        }
        if section["thread_count"] or section["reply_count"] or section["concern_count"]:
            if settings.CSSR_DIGEST_EXCERPTS:
                for thread in section["threads"]:
                    opening = thread.posts.order_by("created_at").first()
                    thread.excerpt = text.plain_text(opening.body)[:200] if opening else ""
            sections.append(section)
    return sections


def digest_send(*, user_id, now=None):
    """Send one user's digest if it is due and something is new. Idempotent: the period is claimed
    (a conditional update of `last_sent_at`) before sending, and given back if the e-mail fails."""
    from ..emails import send_digest

    now = now or timezone.now()
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False  # deleted or deactivated since it was selected
    subscription = digest_subscription(user)
    period = PERIODS.get(subscription.frequency)
    if period is None:
        return False
    previous = subscription.last_sent_at
    if previous is not None and previous > now - period:
        return False
    claimed = DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=previous).update(last_sent_at=now) \
        if previous is not None else \
        DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at__isnull=True).update(last_sent_at=now)
    if not claimed:
        return False  # another worker took this period
    since = previous or (now - period)
    sections = digest_build(user=user, since=since, until=now)
    if not sections:
        return False  # nothing new: nothing sent, and the period is spent
    try:
        send_digest(user=user, sections=sections, since=since)
    except Exception:
        logger.exception("digest e-mail failed for user %s; the next run tries again", user_id)
        DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=now).update(last_sent_at=previous)
        return False
    return True


def digests_run(*, now=None):
    """Send every due digest. Returns how many e-mails went out."""
    now = now or timezone.now()
    return sum(1 for user_id in digest_due_user_ids(now=now) if digest_send(user_id=user_id, now=now))
