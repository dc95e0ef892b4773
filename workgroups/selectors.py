"""Reads about spaces and memberships, always through the permission core."""

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from accounts.choices import AgeBand, Gender, Region
from accounts.models import ExpertiseArea, User

from . import access
from .models import (
    AgendaItem,
    Concern,
    Election,
    Membership,
    MembershipEvent,
    Nomination,
    Notification,
    Post,
    Role,
    Space,
    Tag,
    Thread,
    Vote,
)

ROLE_ORDER = {Role.RAPPORTEUR: 0, Role.MEMBER: 1, Role.POLITICAL_OFFICER: 2, Role.TECHNICAL_OFFICER: 3}


def space_list_for_user(*, user):
    """The spaces `user` may see, active ones first, each with its member count and the user's own
    membership (`my_membership`, a list of at most one). A constant number of queries."""
    entering = Q(memberships__state__in=Membership.ENTERING_STATES)
    return (
        access.visible(user, Space.objects.all())
        .select_related("theme")
        .annotate(member_count=Count("memberships", filter=entering))
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(user=user), to_attr="my_membership")
        )
        .order_by("status", "-cycle_start", "pk")
    )


def locked_membership_list(*, user):
    """The user's locked memberships: spaces they know of but cannot enter."""
    return Membership.objects.filter(user=user, state=Membership.State.LOCKED).select_related("space__theme")


def membership_list_for_space(*, space):
    """Who is in the space (entering states), with name and title, rapporteurs first."""
    memberships = list(
        Membership.objects.filter(space=space, state__in=Membership.ENTERING_STATES)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )
    return sorted(memberships, key=lambda m: ROLE_ORDER[Role(m.role)])


def recent_membership_activity(*, space, limit=8):
    """Recent arrivals in the space, for its home page (never who locked or removed whom)."""
    return (
        MembershipEvent.objects.filter(membership__space=space, action=MembershipEvent.Action.ADDED)
        .select_related("membership__user")
        .order_by("-created_at", "-pk")[:limit]
    )


def election_current(*, space):
    """The space's newest election (under way, or the last confirmed one), or None."""
    return Election.objects.filter(space=space).order_by("-created_at", "-pk").first()


def election_results(*, election):
    """Nominations with their vote counts, most votes first (accepted nominations only)."""
    return (
        Nomination.objects.filter(election=election, accepted_at__isnull=False)
        .select_related("nominee")
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "nominee__display_name", "pk")
    )


def election_pending_nominations(*, election):
    return Nomination.objects.filter(election=election, accepted_at__isnull=True).select_related("nominee", "nominated_by")


def election_my_votes(*, election, user):
    return set(Vote.objects.filter(election=election, voter=user).values_list("nomination_id", flat=True))


def electors(*, space):
    """Members who may stand and vote (members and rapporteurs in an entering state)."""
    return (
        Membership.objects.filter(space=space, role__in=access.ELECTOR_ROLES, state__in=Membership.ENTERING_STATES)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


# --- Balance report ---------------------------------------------------------------------------

SMALL_COUNT = 3  # counts under this are shown as "<3" so that no individual can be singled out


def _distribution(users, field, choices, total):
    counts = {row[field]: row["n"] for row in users.values(field).annotate(n=Count("pk", distinct=True)).order_by()}
    rows = []
    for value, label in choices:
        rows.append(_balance_row(label, counts.pop(value, 0), total))
    unknown = sum(counts.values())
    if unknown:
        rows.append(_balance_row(_("Not recorded"), unknown, total))
    return rows


def _balance_row(label, count, total):
    hidden = 0 < count < SMALL_COUNT
    share = (count / total) if total and not hidden else None
    return {
        "label": label,
        "count": count,
        "display": f"<{SMALL_COUNT}" if hidden else str(count),
        "share": share,
        "percent": round(share * 100) if share is not None else None,
        "suppressed": hidden,
    }


def balance_report(*, spaces):
    """Counts and shares of the participants (members and rapporteurs) of `spaces` by gender, age
    band, region and expertise. A constant number of queries whatever the number of members."""
    users = User.objects.filter(
        memberships__space__in=spaces,
        memberships__state__in=Membership.ENTERING_STATES,
        memberships__role__in=access.ELECTOR_ROLES,
    ).distinct()
    total = users.count()
    user_ids = users.values("pk")
    base = User.objects.filter(pk__in=user_ids)
    areas = ExpertiseArea.objects.annotate(
        n=Count("users", filter=Q(users__in=user_ids), distinct=True)
    ).order_by("name")
    return {
        "total": total,
        "dimensions": [
            {"key": "gender", "title": _("Gender"), "rows": _distribution(base, "gender", Gender.choices, total)},
            {"key": "age_band", "title": _("Age"), "rows": _distribution(base, "age_band", AgeBand.choices, total)},
            {"key": "region", "title": _("Region"), "rows": _distribution(base, "region", Region.choices, total)},
            {
                "key": "expertise",
                "title": _("Expertise (a person may have several)"),
                "rows": [_balance_row(area.name, area.n, total) for area in areas],
            },
        ],
    }


# --- Discussions and concerns -----------------------------------------------------------------


def thread_list(*, space):
    """The space's discussions (not those that belong to a concern), pinned first, with reply counts."""
    return (
        Thread.objects.filter(space=space, concern__isnull=True)
        .select_related("author")
        .annotate(post_count=Count("posts", filter=Q(posts__deleted_at__isnull=True)))
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def post_list(*, thread):
    return Post.objects.filter(thread=thread).select_related("author", "quote_of__author").order_by("created_at", "pk")


def post_page(*, thread, post_id, per_page):
    """The page number on which a post of the thread appears."""
    target = Post.objects.filter(thread=thread, pk=post_id).values_list("created_at", flat=True).first()
    if target is None:
        return 1
    before = Post.objects.filter(thread=thread).filter(Q(created_at__lt=target) | Q(created_at=target, pk__lt=post_id))
    return before.count() // per_page + 1


def concern_summary(*, space):
    """Counts of the space's concerns per status and per tag (for server-drawn bars)."""
    total = Concern.objects.filter(space=space).count()
    by_status = dict(Concern.objects.filter(space=space).values_list("status").annotate(n=Count("pk")).order_by())
    statuses = [
        {"label": label, "count": by_status.get(value, 0),
         "percent": round(100 * by_status.get(value, 0) / total) if total else 0}
        for value, label in Concern.Status.choices
    ]
    tags = Tag.objects.filter(space=space).annotate(n=Count("concerns")).filter(n__gt=0).order_by("-n", "name")[:30]
    return {
        "total": total,
        "statuses": statuses,
        "tags": [{"label": tag.name, "count": tag.n, "percent": round(100 * tag.n / total) if total else 0}
                 for tag in tags],
    }


def agenda_current(*, space, limit=6):
    """The agenda items in play (planned or in discussion), in order, for the space's home page."""
    return AgendaItem.objects.filter(
        space=space, status__in=[AgendaItem.Status.PLANNED, AgendaItem.Status.IN_DISCUSSION]
    ).order_by("position", "pk")[:limit]


def recent_threads(*, space, limit=5):
    return Thread.objects.filter(space=space).select_related("author").order_by("-last_activity_at", "-pk")[:limit]


def notification_list(*, user):
    """The user's notifications from spaces they may still see (checked now, not when made)."""
    return access.visible(user, Notification.objects.filter(recipient=user)).select_related("space", "actor")


def notification_unread_count(*, user):
    return notification_list(user=user).filter(read_at__isnull=True).count()
