from django.db.models import Q
from django.utils import timezone

from ..models import Contribution, Membership


def contribution_record(*, user, space, kind, at=None):
    """Record that `user` contributed to `space` (a post, a concern, an upload, ...).

    The one function every capability calls: it feeds the inactivity lockout, which reads
    `Membership.last_contribution_at`. A warned member who contributes is active again.
    """
    at = at or timezone.now()
    Contribution.objects.create(user=user, space=space, kind=kind, created_at=at)
    Membership.objects.filter(user=user, space=space).filter(
        Q(last_contribution_at__isnull=True) | Q(last_contribution_at__lt=at)
    ).update(last_contribution_at=at)
    Membership.objects.filter(user=user, space=space, state=Membership.State.WARNED).update(
        state=Membership.State.ACTIVE, state_changed_at=at
    )
