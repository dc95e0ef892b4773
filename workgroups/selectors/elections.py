"""Reads of the rapporteur election."""

from django.db.models import Count

from accounts.models import User
from workgroups import access
from workgroups.models import (
    Election,
    Membership,
    Nomination,
    Vote,
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
    """Nominations not yet accepted, with the nominee and who nominated them."""
    return Nomination.objects.filter(election=election, accepted_at__isnull=True).select_related(
        "nominee", "nominated_by"
    )


def election_my_votes(*, election, user):
    """The ids of the nominations `user` voted for (a set)."""
    return set(Vote.objects.filter(election=election, voter=user).values_list("nomination_id", flat=True))


def electors(*, space):
    """Members who may stand and vote (members and rapporteurs in an entering state)."""
    return (
        Membership.objects.filter(
            space=space, role__in=access.ELECTOR_ROLES, state__in=Membership.ENTERING_STATES
        )
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


def elector_user_list(*, space):
    """The users who may stand and vote, by name (lazy, for a choice field)."""
    return User.objects.filter(pk__in=electors(space=space).values("user_id")).order_by("display_name")


def nomination_get(*, election, nomination_id):
    """A nomination of the election, with its nominee, or None."""
    return Nomination.objects.filter(election=election, pk=nomination_id).select_related("nominee").first()
