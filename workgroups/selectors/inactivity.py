"""Reads of the inactivity lockout: a member's own requests to be reinstated."""

from django.db.models import Exists, OuterRef

from workgroups.models import ReinstatementRequest


def _open_requests():
    return ReinstatementRequest.objects.filter(outcome=ReinstatementRequest.Outcome.OPEN)


def pending_reinstatement(*, user, space):
    """`user`'s open request to be reinstated in `space` (the operations support team has not
    answered it yet), or None. For the user's own pages: it says nothing about anyone else."""
    if not user.is_authenticated:
        return None
    return _open_requests().filter(membership__user=user, membership__space=space).first()


def reinstatement_pending_condition():
    """A condition on memberships: true where an open request to be reinstated waits (annotate
    `locked_membership_list` and the like with it)."""
    return Exists(_open_requests().filter(membership=OuterRef("pk")))
