"""Reads about spaces and memberships, always through the permission core."""

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from . import access
from .models import Election, Membership, MembershipEvent, Nomination, Role, Space, Vote

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


def membership_get(*, user, space):
    return Membership.objects.filter(user=user, space=space).first()


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


# --- Balance report (P9) ----------------------------------------------------------------------

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
    from accounts.choices import AgeBand, Gender, Region
    from accounts.models import ExpertiseArea, User

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
