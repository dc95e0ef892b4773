"""Reads of a participant's requests to join a group or to create one."""

from workgroups.models import ExpressionOfInterest, GroupProposal


def interest_list(*, user):
    """The user's expressions of interest, with their theme and the space they led to (lazy)."""
    return ExpressionOfInterest.objects.filter(user=user).select_related("theme", "space")


def proposal_list(*, user):
    """The user's proposals for new working groups, with their theme (lazy)."""
    return GroupProposal.objects.filter(proposer=user).select_related("theme")
