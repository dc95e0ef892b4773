"""Reads of discussions, concerns and the agenda."""

from django.db.models import Count, Prefetch, Q

from workgroups.models import (
    AgendaItem,
    Concern,
    Post,
    PostReport,
    Tag,
    Thread,
)

CONCERN_ORDERS = {
    "newest": ["-created_at", "-pk"],
    "oldest": ["created_at", "pk"],
    "priority": ["-priority", "-endorsement_count", "-pk"],
}
CONCERN_DEFAULT_ORDER = ["-endorsement_count", "-created_at", "-pk"]


def thread_list(*, space):
    """The space's discussions (not those that belong to a concern), pinned first, each with the number
    of its posts (`Thread.post_count`, kept by the services)."""
    return (
        Thread.objects.filter(space=space, concern__isnull=True)
        .select_related("author")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def post_list(*, thread):
    """The thread's posts, oldest first, with their authors and the post each quotes."""
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "quote_of__author")
        .order_by("created_at", "pk")
    )


def post_get(*, thread, post_id):
    """A post of the thread (whatever its state), or None."""
    return Post.objects.filter(thread=thread, pk=post_id).first()


def post_quotable_get(*, thread, post_id):
    """A post of the thread that may be quoted (neither deleted nor hidden), with its author, or None."""
    return (
        Post.objects.filter(thread=thread, pk=post_id, deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("author")
        .first()
    )


def post_revision_list(*, post):
    """The earlier versions of an edited post (lazy)."""
    return post.revisions.all()


def thread_is_followed(*, thread, user):
    """Whether `user` follows the thread."""
    return thread.follows.filter(user=user).exists()


def post_page(*, thread, post_id, per_page):
    """The page number on which a post of the thread appears."""
    target = Post.objects.filter(thread=thread, pk=post_id).values_list("created_at", flat=True).first()
    if target is None:
        return 1
    before = Post.objects.filter(thread=thread).filter(
        Q(created_at__lt=target) | Q(created_at=target, pk__lt=post_id)
    )
    return before.count() // per_page + 1


def post_report_open_list(*, space):
    """The open reports on the space's posts, oldest first, with the post, its author and the reporter."""
    return (
        PostReport.objects.filter(post__thread__space=space, outcome=PostReport.Outcome.OPEN)
        .select_related("post__author", "post__thread", "reporter")
        .order_by("created_at")
    )


def post_hidden_list(*, space, limit=50):
    """Posts of the space hidden by a moderator, with their thread and author (lazy)."""
    return Post.objects.filter(thread__space=space, hidden_at__isnull=False).select_related(
        "thread", "author"
    )[:limit]


def concern_list(*, space, filters=None, user=None):
    """The space's concerns with their tags and regions, filtered by `filters` (the cleaned data of
    the concern filter form: status, tag, region, since, sort) when given; with `user`, each carries
    `endorsed_by_me`. Lazy, for a paginator."""
    concerns = Concern.objects.filter(space=space)
    if filters is not None:
        if filters["status"]:
            concerns = concerns.filter(status=filters["status"])
        if filters["tag"]:
            concerns = concerns.filter(tags__name=filters["tag"])
        if filters["region"]:
            concerns = concerns.filter(regions__region=filters["region"])
        if filters["since"]:
            concerns = concerns.filter(created_at__date__gte=filters["since"])
    sort = filters["sort"] if filters is not None else None
    concerns = concerns.order_by(*CONCERN_ORDERS.get(sort, CONCERN_DEFAULT_ORDER))  # a page needs an order
    concerns = concerns.distinct().prefetch_related("tags", "regions")
    if user is not None:
        concerns = concerns.annotate(endorsed_by_me=Count("endorsements", filter=Q(endorsements__user=user)))
    return concerns


def concern_get_for_thread(*, thread):
    """The concern whose discussion `thread` is, or None."""
    return Concern.objects.filter(thread=thread).first()


def concern_is_endorsed(*, concern, user):
    """Whether `user` endorsed the concern."""
    return concern.endorsements.filter(user=user).exists()


def tag_list(*, space):
    """The space's tags by name (lazy)."""
    return space.tags.order_by("name")


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


def agenda_item_list(*, space):
    """Every agenda item of the space, in order, with the titles of its linked threads and concerns."""
    return (
        AgendaItem.objects.filter(space=space)
        .prefetch_related(
            Prefetch("threads", queryset=Thread.objects.only("pk", "title", "space_id")),
            Prefetch("concerns", queryset=Concern.objects.only("pk", "title", "space_id")),
        )
        .order_by("position", "pk")
    )


def recent_threads(*, space, limit=5):
    """The space's most recently active threads, for its home page."""
    return (
        Thread.objects.filter(space=space)
        .select_related("author")
        .order_by("-last_activity_at", "-pk")[:limit]
    )
