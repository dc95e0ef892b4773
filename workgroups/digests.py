"""What a digest can hold: each capability registers a source of digest items.

A source answers one question for a batch of users at once: what happened in these spaces between
`since` and `until`? It returns plain `DigestItem`s; the digest job (`services.digests`) decides per
user which of them they see (their spaces now, their mutes, not their own items, not before their
last digest). A source never returns message text: a title and a link, and an excerpt only when
the deployment allows it (`CSSR_DIGEST_EXCERPTS`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import ngettext_lazy

from cssr import text

from .models import Concern, Post, Thread


@dataclass(frozen=True)
class DigestItem:
    space_id: int
    created_at: datetime
    title: str
    url: str
    author_id: int | None = None
    # Items with the same `line` are shown as one line with a count (replies in one discussion).
    line: object = None
    # Replies: their discussion, for per-discussion mutes, and when it started (a reply in a
    # discussion that is itself new to the reader is counted with the new discussion).
    thread_id: int | None = None
    thread_created_at: datetime | None = None
    excerpt: str = ""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: hashing the lazy heading translates it
class DigestSource:
    key: str
    collect: Callable[[set[int], datetime, datetime], Iterable[DigestItem]]
    # `ngettext_lazy(singular, plural, "count")`, translated when the e-mail is written
    heading: object

    def describe(self, count):
        return str(self.heading % {"count": count})


SOURCES: list[DigestSource] = []


def register(source):
    """Add a source (called from an app's `ready()`); registering the same key twice replaces it."""
    SOURCES[:] = [known for known in SOURCES if known.key != source.key] + [source]
    return source


def recent_items(
    queryset,
    space_ids,
    since,
    until,
    *,
    url_name,
    space="space_id",
    when="created_at",
    author="author_id",
    title="title",
    target="pk",
    one_line_per_target=False,
):
    """The rows of `queryset` in `space_ids` whose `when` falls after `since` up to `until`, newest
    first, as items linking to `url_name` (with the space's id and the row's `target`): the shape most
    sources share. `one_line_per_target` shows the rows of one target as one line with a count."""
    rows = (
        queryset.filter(**{f"{space}__in": space_ids, f"{when}__gt": since, f"{when}__lte": until})
        .values_list(target, space, author, when, title)
        .order_by(f"-{when}")
    )
    for target_id, space_id, author_id, moment, heading in rows:
        yield DigestItem(
            space_id=space_id,
            created_at=moment,
            title=heading,
            author_id=author_id,
            url=reverse(url_name, args=[space_id, target_id]),
            line=target_id if one_line_per_target else None,
        )


# The sources of the workgroups app: discussions, replies and concerns.


def _threads(space_ids, since, until):
    threads = list(
        Thread.objects.filter(
            space_id__in=space_ids, concern__isnull=True, created_at__gt=since, created_at__lte=until
        )
        .values_list("pk", "space_id", "author_id", "created_at", "title")
        .order_by("-created_at")
    )
    excerpts = {}
    if settings.CSSR_DIGEST_EXCERPTS and threads:
        openings = Post.objects.filter(thread_id__in=[row[0] for row in threads]).order_by(
            "thread_id", "created_at"
        )
        for thread_id, body in openings.values_list("thread_id", "body"):
            excerpts.setdefault(thread_id, text.plain_text(body)[:200])
    for pk, space_id, author_id, created_at, title in threads:
        yield DigestItem(
            space_id=space_id,
            created_at=created_at,
            title=title,
            author_id=author_id,
            url=reverse("workgroups:thread-detail", args=[space_id, pk]),
            thread_id=pk,
            excerpt=excerpts.get(pk, ""),
        )


def _replies(space_ids, since, until):
    for thread_id, space_id, author_id, created_at, title, thread_created_at in Post.objects.filter(
        thread__space_id__in=space_ids,
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        created_at__gt=since,
        created_at__lte=until,
    ).values_list(
        "thread_id", "thread__space_id", "author_id", "created_at", "thread__title", "thread__created_at"
    ):
        yield DigestItem(
            space_id=space_id,
            created_at=created_at,
            title=title,
            author_id=author_id,
            url=reverse("workgroups:thread-detail", args=[space_id, thread_id]),
            line=thread_id,
            thread_id=thread_id,
            thread_created_at=thread_created_at,
        )


def _concerns(space_ids, since, until):
    return recent_items(Concern.objects.all(), space_ids, since, until, url_name="workgroups:concern-detail")


register(
    DigestSource(
        "threads", _threads, ngettext_lazy("%(count)s new discussion", "%(count)s new discussions", "count")
    )
)
register(
    DigestSource("replies", _replies, ngettext_lazy("%(count)s new reply", "%(count)s new replies", "count"))
)
register(
    DigestSource(
        "concerns", _concerns, ngettext_lazy("%(count)s new concern", "%(count)s new concerns", "count")
    )
)
