"""Reads of discussions, concerns and the agenda."""

from django.db.models import Count, Q

from workgroups.models import (
    AgendaItem,
    Concern,
    Post,
    Tag,
    Thread,
)


def thread_list(*, space):
    """The space's discussions (not those that belong to a concern), pinned first, with reply counts."""
    return (
        Thread.objects.filter(space=space, concern__isnull=True)
        .select_related("author")
        .annotate(post_count=Count("posts", filter=Q(posts__deleted_at__isnull=True)))
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def post_list(*, thread):
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "quote_of__author")
        .order_by("created_at", "pk")
    )


def post_page(*, thread, post_id, per_page):
    """The page number on which a post of the thread appears."""
    target = Post.objects.filter(thread=thread, pk=post_id).values_list("created_at", flat=True).first()
    if target is None:
        return 1
    before = Post.objects.filter(thread=thread).filter(
        Q(created_at__lt=target) | Q(created_at=target, pk__lt=post_id)
    )
    return before.count() // per_page + 1


def concern_summary(*, space):
    """Counts of the space's concerns per status and per tag (for server-drawn bars)."""
    total = Concern.objects.filter(space=space).count()
    by_status = dict(
        Concern.objects.filter(space=space).values_list("status").annotate(n=Count("pk")).order_by()
    )
    statuses = [
        {
            "label": label,
            "count": by_status.get(value, 0),
            "percent": round(100 * by_status.get(value, 0) / total) if total else 0,
        }
        for value, label in Concern.Status.choices
    ]
    tags = (
        Tag.objects.filter(space=space)
        .annotate(n=Count("concerns"))
        .filter(n__gt=0)
        .order_by("-n", "name")[:30]
    )
    return {
        "total": total,
        "statuses": statuses,
        "tags": [
            {"label": tag.name, "count": tag.n, "percent": round(100 * tag.n / total) if total else 0}
            for tag in tags
        ],
    }


def agenda_current(*, space, limit=6):
    """The agenda items in play (planned or in discussion), in order, for the space's home page."""
    return AgendaItem.objects.filter(
        space=space, status__in=[AgendaItem.Status.PLANNED, AgendaItem.Status.IN_DISCUSSION]
    ).order_by("position", "pk")[:limit]


def recent_threads(*, space, limit=5):
    return (
        Thread.objects.filter(space=space)
        .select_related("author")
        .order_by("-last_activity_at", "-pk")[:limit]
    )
