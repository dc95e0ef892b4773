"""Reads about spaces and their members, and what a space's home page tells its viewer."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from workgroups import access
from workgroups.models import (
    Membership,
    MembershipEvent,
    Post,
    Role,
    Space,
    Thread,
    ThreadRead,
)

from .inactivity import pending_reinstatement, reinstatement_pending_condition

# earlier than any post: what a discussion its viewer never opened was read up to
NEVER = datetime(2000, 1, 1, tzinfo=UTC)

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
    """The user's locked memberships: spaces they know of but cannot enter, each with
    `reinstatement_pending` (their request to come back awaits an answer)."""
    return (
        Membership.objects.filter(user=user, state=Membership.State.LOCKED)
        .select_related("space__theme")
        .annotate(reinstatement_pending=reinstatement_pending_condition())
    )


def membership_list_for_space(*, space):
    """Who is in the space (entering states), with name and title, rapporteurs first. Only what the list
    shows is read (a space can have hundreds of members): role, seat and the user's names and title."""
    memberships = list(
        Membership.objects.filter(space=space, state__in=Membership.ENTERING_STATES)
        .select_related("user")
        .only(
            "role",
            "rapporteur_seat",
            "space_id",
            "user__username",
            "user__display_name",
            "user__title",
            "user__anonymised_at",
        )
        .order_by("user__display_name", "pk")
    )
    return sorted(memberships, key=lambda m: ROLE_ORDER[Role(m.role)])


def membership_in_space(*, space, user):
    """`user`'s own membership of `space` while they are in it (an entering state), or None."""
    return (
        Membership.objects.filter(space=space, user=user, state__in=Membership.ENTERING_STATES)
        .select_related("user")
        .first()
    )


def recent_membership_activity(*, space, limit=8):
    """Recent arrivals in the space, for its home page (never who locked or removed whom)."""
    return (
        MembershipEvent.objects.filter(membership__space=space, action=MembershipEvent.Action.ADDED)
        .select_related("membership__user")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- The space home -----------------------------------------------------------------------------


def thread_with_new_replies_list(*, space, user, limit=8):
    """The space's discussions with posts `user` has not read, most recently active first, each with
    `new_reply_count`: the posts of others (neither hidden nor deleted) after the newest one a page of
    the discussion showed them (`ThreadRead`), and after their own latest post there (writing in a
    discussion is having read it); a discussion they never opened counts every post of others. One
    query, whatever the number of discussions."""
    # a post is new when it came after the reader's mark and no post of theirs came at or after it
    mark = ThreadRead.objects.filter(thread=OuterRef("thread"), user=user).values("read_up_to")[:1]
    mine_since = Post.objects.filter(
        thread=OuterRef("thread"), author=user, created_at__gte=OuterRef("created_at")
    )
    new_posts = (
        Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True)
        .exclude(author=user)
        .filter(created_at__gt=Coalesce(Subquery(mark), Value(NEVER)))
        .exclude(Exists(mine_since))
    )
    counted = new_posts.order_by().values("thread").annotate(count=Count("pk")).values("count")
    return list(
        Thread.objects.filter(space=space)
        .filter(Exists(new_posts))
        .annotate(new_reply_count=Subquery(counted))
        .order_by("-last_activity_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Standing:
    """A member's own standing in a space: whether the inactivity lock applies to their role, the
    whole days before the inactivity warning (or, once warned, before the lock), and whether a
    request of theirs to be reinstated is waiting for the operations support team."""

    lock_applies: bool
    warned: bool
    days_before_warning: int | None
    days_before_lock: int | None
    reinstatement_pending: bool


def _whole_days_until(moment, now):
    return max(math.ceil((moment - now) / timedelta(days=1)), 0)


def membership_standing(*, membership, space, now=None):
    """The standing of `membership` in `space` (see `Standing`) for the space's home page, or None
    without a membership. The days follow the inactivity job's own rule (`services.inactivity`): the warning
    comes `inactivity_days - warning_days` days after the last contribution (or joining), the lock
    `inactivity_days` days after it, in active spaces only. One query."""
    if membership is None:
        return None
    now = now or timezone.now()
    lock_applies = space.is_active and membership.role not in settings.CSSR_LOCKOUT_EXEMPT_ROLES
    warned = lock_applies and membership.state == Membership.State.WARNED
    days_before_warning = days_before_lock = None
    if lock_applies:
        last_seen = membership.last_contribution_at or membership.joined_at
        if warned:
            days_before_lock = _whole_days_until(last_seen + timedelta(days=space.inactivity_days), now)
        else:
            days_before_warning = _whole_days_until(
                last_seen + timedelta(days=space.inactivity_days - space.warning_days), now
            )
    return Standing(
        lock_applies=lock_applies,
        warned=warned,
        days_before_warning=days_before_warning,
        days_before_lock=days_before_lock,
        reinstatement_pending=pending_reinstatement(user=membership.user, space=space) is not None,
    )
