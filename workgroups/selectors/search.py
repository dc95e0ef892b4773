"""Search across the spaces a user may see: discussions, posts, concerns and agenda items.

Matching, ranking and highlighting are those of `cssr.search` (Arabic spelling variants meet,
every term must match; on PostgreSQL results are ranked by full-text rank plus trigram similarity,
elsewhere by recency). Results are filtered through the permission core before anything is read.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from cssr import text
from cssr.search import QUERY_MAX_LENGTH, highlight, query_terms, rank, search_filter
from workgroups import access
from workgroups.models import AgendaItem, Concern, Post, Thread

PER_KIND = 20


@dataclass
class Result:
    kind: str
    kind_label: str
    title: str
    excerpt: str
    url: str
    space_name: str
    created_at: datetime
    score: float


def search(*, user, query):
    """Results for `query` among what `user` may see, best first. Raises nothing: an empty, too long
    or meaningless query gives no results (the view tells the user why)."""
    query = (query or "")[:QUERY_MAX_LENGTH]
    terms = query_terms(query)
    if not terms:
        return []
    spaces = access.filter_spaces(user).values("pk")
    results = []

    threads = search_filter(Thread.objects.filter(space__in=spaces, concern__isnull=True), terms)
    for thread in rank(threads.select_related("space"), terms)[:PER_KIND]:
        results.append(
            Result(
                "thread",
                _("Discussion"),
                thread.title,
                highlight(thread.title, query),
                thread.get_absolute_url(),
                thread.space.name,
                thread.created_at,
                thread.score + 0.5,
            )
        )

    posts = search_filter(
        Post.objects.filter(thread__space__in=spaces, deleted_at__isnull=True, hidden_at__isnull=True), terms
    )
    for post in rank(posts.select_related("thread__space"), terms)[:PER_KIND]:
        results.append(
            Result(
                "post",
                _("Post"),
                post.thread.title,
                highlight(text.plain_text(post.body), query),
                post.get_absolute_url(),
                post.thread.space.name,
                post.created_at,
                post.score,
            )
        )

    concerns = search_filter(Concern.objects.filter(space__in=spaces), terms)
    for concern in rank(concerns.select_related("space"), terms)[:PER_KIND]:
        results.append(
            Result(
                "concern",
                _("Concern"),
                concern.title,
                highlight(f"{concern.title} — {text.plain_text(concern.description)}", query),
                concern.get_absolute_url(),
                concern.space.name,
                concern.created_at,
                concern.score + 0.5,
            )
        )

    items = search_filter(AgendaItem.objects.filter(space__in=spaces), terms)
    for item in rank(items.select_related("space"), terms)[:PER_KIND]:
        results.append(
            Result(
                "agenda",
                _("Agenda item"),
                item.title,
                highlight(f"{item.title} — {item.description}", query),
                item.get_absolute_url(),
                item.space.name,
                item.created_at,
                item.score,
            )
        )

    results.sort(key=lambda r: (r.score, r.created_at), reverse=True)
    return results
