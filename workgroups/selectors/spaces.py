"""Reads about spaces and their members."""

from django.db.models import Count, Prefetch, Q

from workgroups import access
from workgroups.models import (
    Membership,
    MembershipEvent,
    Role,
    Space,
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


def active_space_list():
    """Every active space, by name (lazy)."""
    return Space.objects.filter(status=Space.Status.ACTIVE).order_by("name")


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
