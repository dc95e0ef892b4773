"""E-mail digests: one e-mail per period, titles and counts from the spaces the user may see now.

Notification overload is the first complaint about comparable platforms, and e-mail is a weak
channel for people at risk: a digest is sent only when something is new, at most once per period,
and holds counts and titles with links, never message text (unless CSSR_DIGEST_EXCERPTS is on).
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .. import access
from ..digests import SOURCES
from ..emails import Digests
from ..models import DigestMute, DigestSubscription, OutgoingEmail, Space
from .outbox import outbox_add, outbox_send

logger = logging.getLogger(__name__)
PERIODS = {
    DigestSubscription.Frequency.DAILY: timedelta(days=1),
    DigestSubscription.Frequency.WEEKLY: timedelta(days=7),
}
TITLES_PER_SECTION = 10
BATCH_SIZE = 2000


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


def _due(now):
    due = Q()
    for frequency, period in PERIODS.items():
        due |= Q(frequency=frequency) & (Q(last_sent_at__lte=now - period) | Q(last_sent_at__isnull=True))
    return DigestSubscription.objects.filter(due, user__is_active=True).exclude(user__email="")


def _subscribe_everyone_unsubscribed():
    """Users without a subscription get the default one (weekly; due at once, for the past week):
    one INSERT ... SELECT."""
    User = get_user_model()
    quote = connection.ops.quote_name
    subscriptions, users = quote(DigestSubscription._meta.db_table), quote(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {subscriptions} (user_id, frequency, last_sent_at) "  # noqa: S608
            f"SELECT u.id, %s, NULL FROM {users} u WHERE u.is_active "
            # NOT IN (a hashed set), not NOT EXISTS: with the table empty the planner would re-scan
            # it for every user while the INSERT fills it (10 s instead of 0.2 s for 50,000 users).
            f"AND u.id NOT IN (SELECT s.user_id FROM {subscriptions} s) "
            "ON CONFLICT (user_id) DO NOTHING",  # another worker subscribed them meanwhile
            [DigestSubscription._meta.get_field("frequency").default.value],
        )


def digests_run(*, now=None, batch_size=BATCH_SIZE):
    """Write every due digest to the outbox, a batch of users at a time, then send the outbox.
    Returns how many digests were written.

    Per batch, in one transaction: the due subscriptions are claimed (rows another worker holds are
    skipped), the contents of every user of the batch are built from one query per digest source,
    the e-mails are written to the outbox and the period is spent (`last_sent_at`). A worker killed
    midway rolls the batch back, so the next run writes it again: nothing lost, nothing doubled.
    """
    now = now or timezone.now()
    _subscribe_everyone_unsubscribed()
    written, writer = 0, Digests()
    while True:
        with transaction.atomic():
            claimed = list(
                _due(now)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", "user_id", "frequency", "last_sent_at")[:batch_size]
            )
            if not claimed:
                break
            since = {
                user_id: previous or now - PERIODS[frequency] for _pk, user_id, frequency, previous in claimed
            }
            written += _write_batch(digest_build_batch(since=since, until=now), writer)
            DigestSubscription.objects.filter(pk__any_of=[row[0] for row in claimed]).update(last_sent_at=now)
    outbox_send()
    return written


def digest_build_batch(*, since, until):
    """What is new for each user between their `since` and `until`, from the spaces they may see now.

    `since` maps user ids to the start of their period. Returns {user id: sections}, where sections
    is a list of {"space", "sources": [{"source", "count", "lines"}]}, only for spaces where
    something is new; users with nothing new are left out. One query per digest source, whatever
    the number of users and items.
    """
    spaces_by_user = access.space_ids_by_user(since)
    muted_spaces, muted_threads = defaultdict(set), defaultdict(set)
    for user_id, space_id, thread_id in DigestMute.objects.filter(
        user_id__any_of=list(spaces_by_user)
    ).values_list("user_id", "space_id", "thread_id"):
        (muted_spaces[user_id].add(space_id) if space_id else muted_threads[user_id].add(thread_id))
    for user_id, space_ids in spaces_by_user.items():
        space_ids -= muted_spaces[user_id]
    every_space = set().union(*spaces_by_user.values()) if spaces_by_user else set()
    if not every_space:
        return {}
    earliest = min(since[user_id] for user_id in spaces_by_user)
    items = {source: defaultdict(list) for source in SOURCES}
    for source in SOURCES:
        for item in source.collect(every_space, earliest, until):
            items[source][item.space_id].append(item)
    spaces = Space.objects.in_bulk(every_space)
    contents = {}
    for user_id, space_ids in spaces_by_user.items():
        sections = []
        for space_id in sorted(space_ids):
            found = []
            for source in SOURCES:
                mine = [
                    item
                    for item in items[source][space_id]
                    if _is_news(item, user_id, since[user_id], muted_threads)
                ]
                if mine:
                    found.append({"source": source, "count": len(mine), "lines": _lines(mine)})
            if found:
                sections.append({"space": spaces[space_id], "sources": found})
        if sections:
            contents[user_id] = sections
    return contents


def _is_news(item, user_id, since, muted_threads):
    return (
        item.created_at > since
        and item.author_id != user_id
        and item.thread_id not in muted_threads[user_id]
        and not (item.thread_created_at and item.thread_created_at > since)
    )


def _lines(items):
    """One line per item, or per `line` key with a count; the most active first, at most ten."""
    lines = {}
    for item in items:
        key = item.line if item.line is not None else id(item)
        line = lines.setdefault(
            key, {"title": item.title, "url": item.url, "count": 0, "excerpt": item.excerpt}
        )
        line["count"] += 1
    return sorted(lines.values(), key=lambda line: -line["count"])[:TITLES_PER_SECTION]


def _write_batch(contents, writer):
    """Write the batch's digests with `writer` (a `Digests`, one per run: it keeps the shared parts)."""
    users = (
        get_user_model()
        .objects.filter(pk__any_of=list(contents))
        .only("pk", "username", "display_name", "anonymised_at", "preferred_language")
    )
    return outbox_add(
        (user, OutgoingEmail.Kind.DIGEST, writer.write(user=user, sections=contents[user.pk]))
        for user in users
    )
