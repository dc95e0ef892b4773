"""Every write about spaces and memberships. Only staff (admin) and the platform's own jobs call these.

Each service runs in one transaction, keeps guardian's permissions in step through `access`, and
records membership changes in the audit trail.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .models import Membership, MembershipEvent, Role, Space


def space_create(*, actor, **fields):
    """Create a space with its role groups and their object permissions. Raises ValidationError."""
    space = Space(**fields)
    space.full_clean()
    with transaction.atomic():
        space.save()
        access.sync_space_permissions(space)
    return space


def space_saved(*, actor, space):
    """After admin saved a space: keep its role groups' permissions in step with its status."""
    with transaction.atomic():
        access.sync_space_permissions(space)
    return space


def space_set_status(*, actor, space, status):
    """Open, or conclude a space (a concluded space is read-only for everyone)."""
    with transaction.atomic():
        space.status = status
        space.save(update_fields=["status"])
        access.sync_space_permissions(space)
    return space


def _record(membership, actor, action, detail=""):
    MembershipEvent.objects.create(membership=membership, actor=actor, action=action, detail=detail[:255])


def _free_rapporteur_seat(space):
    taken = set(
        Membership.objects.filter(space=space, role=Role.RAPPORTEUR).values_list("rapporteur_seat", flat=True)
    )
    for seat in (1, 2):
        if seat not in taken:
            return seat
    raise ValidationError(_("This space already has two rapporteurs."), code="rapporteurs_full")


def _save_membership(membership):
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        message = str(error)
        if "technical_officer" in message:
            raise ValidationError(_("This space already has a technical officer."), code="officer_taken") from error
        if "political_officer" in message:
            raise ValidationError(_("This space already has a political officer."), code="officer_taken") from error
        if "rapporteur" in message:
            raise ValidationError(_("This space already has two rapporteurs."), code="rapporteurs_full") from error
        raise ValidationError(_("This person is already in the space."), code="duplicate") from error


def membership_add(*, actor, space, user, role=Role.MEMBER):
    """Add `user` to `space` in `role`. Staff only. Raises ValidationError if they are already in it."""
    if Membership.objects.filter(space=space, user=user).exists():
        raise ValidationError(
            _("%(user)s is already in this space.") % {"user": user.public_name}, code="duplicate"
        )
    with transaction.atomic():
        membership = Membership(space=space, user=user, role=role)
        if role == Role.RAPPORTEUR:
            membership.rapporteur_seat = _free_rapporteur_seat(space)
        _save_membership(membership)
        _record(membership, actor, MembershipEvent.Action.ADDED, role)
        access.sync_membership_groups(membership)
    return membership


def membership_change_role(*, actor, membership, role):
    """Give a member another role (e.g. make them rapporteur). Staff only."""
    role = Role(role)
    if membership.role == role:
        return membership
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        previous = membership.role
        membership.role = role
        membership.rapporteur_seat = _free_rapporteur_seat(membership.space) if role == Role.RAPPORTEUR else None
        _save_membership(membership)
        _record(membership, actor, MembershipEvent.Action.ROLE_CHANGED, f"{previous} → {role}")
        access.sync_membership_groups(membership)
    return membership


def _set_state(*, actor, membership, state, action, detail=""):
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("user", "space").get(pk=membership.pk)
        if membership.state == state:
            return membership
        membership.state = state
        membership.state_changed_at = timezone.now()
        if state == Membership.State.ACTIVE:
            # Reinstating restarts the inactivity clock.
            membership.last_contribution_at = timezone.now()
        if state == Membership.State.LEFT and membership.role == Role.RAPPORTEUR:
            membership.role, membership.rapporteur_seat = Role.MEMBER, None
        _save_membership(membership)
        _record(membership, actor, action, detail)
        access.sync_membership_groups(membership)
    return membership


def membership_lock(*, actor, membership, reason=""):
    """Lock a member out of the space (they keep their contributions). Staff or the inactivity job."""
    return _set_state(
        actor=actor, membership=membership, state=Membership.State.LOCKED,
        action=MembershipEvent.Action.LOCKED, detail=reason,
    )


def membership_reinstate(*, actor, membership):
    """Let a locked (or departed) member back in; their inactivity clock starts again. Staff only."""
    return _set_state(
        actor=actor, membership=membership, state=Membership.State.ACTIVE,
        action=MembershipEvent.Action.REINSTATED,
    )


def membership_leave(*, actor, membership, reason=""):
    """Remove a member from the space (state "left"; history kept). Staff only."""
    return _set_state(
        actor=actor, membership=membership, state=Membership.State.LEFT,
        action=MembershipEvent.Action.LEFT, detail=reason,
    )


