from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from ..models import Contribution, Membership


def contribution_record(*, user, space, kind, at=None):
    """Record that `user` contributed to `space` (a post, a concern, an upload, ...).

    The one function every capability calls: it feeds the inactivity lockout, which reads
    `Membership.last_contribution_at`. A warned member who contributes is active again.
    """
    at = at or timezone.now()
    Contribution.objects.create(user=user, space=space, kind=kind, created_at=at)
    # One UPDATE (every SET sees the row as it was): the latest contribution wins, a warning is lifted.
    warned = Q(state=Membership.State.WARNED)
    Membership.objects.filter(user=user, space=space).update(
        last_contribution_at=Case(
            When(Q(last_contribution_at__isnull=True) | Q(last_contribution_at__lt=at), then=Value(at)),
            default=F("last_contribution_at"),
        ),
        state=Case(When(warned, then=Value(Membership.State.ACTIVE)), default=F("state")),
        state_changed_at=Case(When(warned, then=Value(at)), default=F("state_changed_at")),
    )
