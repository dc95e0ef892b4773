"""Search across the spaces a user may see: discussions, posts, concerns and agenda items.

One normaliser (`cssr.arabic.normalize`) is applied to the indexed text (each object's
`search_text`, written by the services) and to the query, so spelling variants of Arabic meet
("الإنتخابات" finds "الانتخابات"). Every term must match. On PostgreSQL results are ranked by
full-text rank plus trigram similarity; elsewhere by where the terms match and recency. Results are
filtered through the permission core before anything is read.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import FloatField, Q, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cssr import arabic, text

from . import access
from .models import AgendaItem, Concern, Post, Thread

QUERY_MAX_LENGTH = 200
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


def _matching(queryset, terms):
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return queryset.filter(condition)


def _ranked(queryset, normalized_query):
    """Order by relevance: full-text rank and trigram similarity on PostgreSQL, recency elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import (
            SearchQuery,
            SearchRank,
            SearchVector,
            TrigramWordSimilarity,
        )

        return queryset.annotate(
            score=SearchRank(SearchVector("search_text", config="simple"),
                             SearchQuery(normalized_query, config="simple", search_type="plain"))
            + TrigramWordSimilarity(normalized_query, "search_text")
        ).order_by("-score", "-pk")
    return queryset.annotate(score=Value(1.0, output_field=FloatField())).order_by("-pk")


def search(*, user, query):
    """Results for `query` among what `user` may see, best first. Raises nothing: an empty, too long
    or meaningless query gives no results (the view tells the user why)."""
    query = (query or "")[:QUERY_MAX_LENGTH]
    terms = arabic.terms(query)
    if not terms:
        return []
    normalized = " ".join(terms)
    spaces = access.visible_spaces(user).values("pk")
    results = []

    threads = _matching(Thread.objects.filter(space__in=spaces, concern__isnull=True), terms)
    for thread in _ranked(threads.select_related("space"), normalized)[:PER_KIND]:
        results.append(Result("thread", _("Discussion"), thread.title, arabic.highlight(thread.title, query),
                              reverse("workgroups:thread-detail", args=[thread.space_id, thread.pk]),
                              thread.space.name, thread.created_at, thread.score + 0.5))

    posts = _matching(
        Post.objects.filter(thread__space__in=spaces, deleted_at__isnull=True, hidden_at__isnull=True), terms
    )
    for post in _ranked(posts.select_related("thread__space"), normalized)[:PER_KIND]:
        results.append(Result("post", _("Post"), post.thread.title, arabic.highlight(text.plain_text(post.body), query),
                              reverse("workgroups:thread-detail", args=[post.thread.space_id, post.thread_id])
                              + f"?post={post.pk}#post-{post.pk}",
                              post.thread.space.name, post.created_at, post.score))

    concerns = _matching(Concern.objects.filter(space__in=spaces), terms)
    for concern in _ranked(concerns.select_related("space"), normalized)[:PER_KIND]:
        results.append(Result("concern", _("Concern"), concern.title,
                              arabic.highlight(f"{concern.title} — {text.plain_text(concern.description)}", query),
                              reverse("workgroups:concern-detail", args=[concern.space_id, concern.pk]),
                              concern.space.name, concern.created_at, concern.score + 0.5))

    items = _matching(AgendaItem.objects.filter(space__in=spaces), terms)
    for item in _ranked(items.select_related("space"), normalized)[:PER_KIND]:
        results.append(Result("agenda", _("Agenda item"), item.title,
                              arabic.highlight(f"{item.title} — {item.description}", query),
                              reverse("workgroups:agenda", args=[item.space_id]) + f"#item-{item.pk}",
                              item.space.name, item.created_at, item.score))

    results.sort(key=lambda r: (r.score, r.created_at), reverse=True)
    return results



