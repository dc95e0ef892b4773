"""Every write about spaces and memberships. Trusts its caller: only staff (admin, the operations
pages after `access.check_operations` / `access.check_operate_space`), the electors' pages after
`access.check_elect`, and the platform's own jobs call these.

Each service runs in one transaction, keeps guardian's permissions in step through `access`, and
records membership changes in the audit trail.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, liveness

from .. import access
from ..models import (
    Election,
    ExpressionOfInterest,
    GroupProposal,
    Membership,
    MembershipEvent,
    Nomination,
    Role,
    Space,
    Vote,
)
from . import connections


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


# Membership changes that also go to the platform's audit trail (a warning is the job's notice only).
_AUDITED = {
    MembershipEvent.Action.ADDED: audit.Action.MEMBERSHIP_ADDED,
    MembershipEvent.Action.ROLE_CHANGED: audit.Action.ROLE_CHANGED,
    MembershipEvent.Action.LOCKED: audit.Action.MEMBERSHIP_LOCKED,
    MembershipEvent.Action.REINSTATED: audit.Action.MEMBERSHIP_REINSTATED,
    MembershipEvent.Action.LEFT: audit.Action.MEMBERSHIP_REMOVED,
}


def membership_label(membership):
    """How a membership is named in the audit trail (the inactivity job writes the same in SQL)."""
    return f"{membership.user.public_name} · {membership.space.name_ar or membership.space.name_en}"


def _record(membership, actor, action, detail=""):
    MembershipEvent.objects.create(membership=membership, actor=actor, action=action, detail=detail[:255])
    if action in _AUDITED:
        audit.record(
            actor=actor,
            action=_AUDITED[action],
            target=membership,
            space=membership.space_id,
            label=membership_label(membership),
            detail=detail[:255],
        )


def _free_rapporteur_seat(space):
    taken = set(
        Membership.objects.filter(space=space, role=Role.RAPPORTEUR).values_list("rapporteur_seat", flat=True)
    )
    for seat in (1, 2):
        if seat not in taken:
            return seat
    raise ValidationError(_("This space already has two rapporteurs."), code="rapporteurs_full")


OFFICER_ROLES = (Role.TECHNICAL_OFFICER, Role.POLITICAL_OFFICER)


def _ensure_role_available(membership):
    """One technical and one political officer per space (rapporteur seats: `_free_rapporteur_seat`)."""
    if membership.role not in OFFICER_ROLES or membership.state == Membership.State.LEFT:
        return
    taken = (
        Membership.objects.filter(space_id=membership.space_id, role=membership.role)
        .exclude(pk=membership.pk)
        .exclude(state=Membership.State.LEFT)
        .exists()
    )
    if taken:
        if membership.role == Role.TECHNICAL_OFFICER:
            raise ValidationError(_("This space already has a technical officer."), code="officer_taken")
        raise ValidationError(_("This space already has a political officer."), code="officer_taken")


def _save_membership(membership):
    _ensure_role_available(membership)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        # The database's constraints are the last guard against two simultaneous changes.
        raise ValidationError(
            _(
                "This change conflicts with another change made at the same time. "
                "Nothing was saved; please try again."
            ),
            code="conflict",
        ) from error


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
        membership.rapporteur_seat = (
            _free_rapporteur_seat(membership.space) if role == Role.RAPPORTEUR else None
        )
        _save_membership(membership)
        _record(membership, actor, MembershipEvent.Action.ROLE_CHANGED, f"{previous} → {role}")
        access.sync_membership_groups(membership)
        liveness.users_changed([membership.user_id])  # their open sockets are authorised again
    return membership


def _set_state(*, actor, membership, state, action, detail=""):
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user", "space").get(pk=membership.pk)
        )
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
        if not membership.grants_entry:
            user_id = membership.user_id
            liveness.users_changed([user_id])
            transaction.on_commit(lambda: connections.connections_close([user_id]))
    return membership


def membership_lock(*, actor, membership, reason=""):
    """Lock a member out of the space (they keep their contributions). Staff or the inactivity job."""
    return _set_state(
        actor=actor,
        membership=membership,
        state=Membership.State.LOCKED,
        action=MembershipEvent.Action.LOCKED,
        detail=reason,
    )


def membership_reinstate(*, actor, membership):
    """Let a locked (or departed) member back in; their inactivity clock starts again. Staff only."""
    return _set_state(
        actor=actor,
        membership=membership,
        state=Membership.State.ACTIVE,
        action=MembershipEvent.Action.REINSTATED,
    )


def membership_leave(*, actor, membership, reason=""):
    """Remove a member from the space (state "left"; history kept). Staff only."""
    return _set_state(
        actor=actor,
        membership=membership,
        state=Membership.State.LEFT,
        action=MembershipEvent.Action.LEFT,
        detail=reason,
    )


def space_start_next_cohort(*, actor, space, name_ar, name_en, cycle_start, cycle_end, continuity_users=()):
    """Create the successor of `space` on the same theme, carrying the continuity members staff
    picked (as members: the new cohort elects its own rapporteurs). Staff only."""
    with transaction.atomic():
        successor = space_create(
            actor=actor,
            kind=space.kind,
            theme=space.theme,
            name=name_ar,
            name_ar=name_ar,
            name_en=name_en,
            description=space.description,
            description_ar=space.description_ar,
            description_en=space.description_en,
            cycle_start=cycle_start,
            cycle_end=cycle_end,
            status=Space.Status.PROPOSED,
            meeting_url=space.meeting_url,
            inactivity_days=space.inactivity_days,
            warning_days=space.warning_days,
            predecessor=space,
        )
        for user in continuity_users:
            membership_add(actor=actor, space=successor, user=user, role=Role.MEMBER)
    return successor


# --- Expressions of interest and group proposals ---------------------------------------------


def interest_submit(
    *,
    actor,
    theme,
    expertise,
    motivation,
    civic_activity,
    declares_syrian,
    declares_civic_work,
    declares_no_affiliation,
    submission=None,
):
    """A participant expresses interest in a theme's working group. The three eligibility
    declarations are mandatory. Raises ValidationError."""
    if not (declares_syrian and declares_civic_work and declares_no_affiliation):
        raise ValidationError(_("All three eligibility declarations are required."), code="declarations")
    if ExpressionOfInterest.objects.filter(
        user=actor, theme=theme, status=ExpressionOfInterest.Status.PENDING
    ).exists():
        raise ValidationError(
            _("You already have an expression of interest under review for this theme."), code="duplicate"
        )
    return ExpressionOfInterest.objects.create(
        user=actor,
        theme=theme,
        expertise=expertise,
        motivation=motivation,
        civic_activity=civic_activity,
        declares_syrian=True,
        declares_civic_work=True,
        declares_no_affiliation=True,
        submission=submission,
    )


def interest_accept(*, actor, interest, space):
    """Staff accept an expression of interest: the participant joins `space` as a member."""
    with transaction.atomic():
        interest = ExpressionOfInterest.objects.select_for_update().get(pk=interest.pk)
        if interest.status != ExpressionOfInterest.Status.PENDING:
            raise ValidationError(_("This expression of interest was already decided."), code="decided")
        if space.theme_id != interest.theme_id and space.kind == Space.Kind.WORKING_GROUP:
            raise ValidationError(
                _("Choose a working group on the theme the participant asked for."), code="theme"
            )
        membership_add(actor=actor, space=space, user=interest.user, role=Role.MEMBER)
        interest.status = ExpressionOfInterest.Status.ACCEPTED
        interest.space = space
        interest.decided_at, interest.decided_by = timezone.now(), actor
        interest.save()
    return interest


def interest_decline(*, actor, interest, reason):
    """Staff decline an expression of interest, with a reason the participant will read."""
    if not (reason or "").strip():
        raise ValidationError(_("Give the participant a reason."), code="reason")
    with transaction.atomic():
        interest = ExpressionOfInterest.objects.select_for_update().get(pk=interest.pk)
        if interest.status != ExpressionOfInterest.Status.PENDING:
            raise ValidationError(_("This expression of interest was already decided."), code="decided")
        interest.status = ExpressionOfInterest.Status.DECLINED
        interest.decision_reason = reason.strip()
        interest.decided_at, interest.decided_by = timezone.now(), actor
        interest.save()
    return interest


def proposal_submit(*, actor, title, rationale, theme=None):
    """A participant proposes a new working group."""
    return GroupProposal.objects.create(
        proposer=actor, title=title.strip(), rationale=rationale.strip(), theme=theme
    )


def proposal_decide(*, actor, proposal, accept, reason=""):
    """Staff accept or decline a group proposal; a decline needs a reason."""
    if not accept and not (reason or "").strip():
        raise ValidationError(_("Give the participant a reason."), code="reason")
    with transaction.atomic():
        proposal = GroupProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != GroupProposal.Status.PENDING:
            raise ValidationError(_("This proposal was already decided."), code="decided")
        proposal.status = GroupProposal.Status.ACCEPTED if accept else GroupProposal.Status.DECLINED
        proposal.decision_reason = (reason or "").strip()
        proposal.decided_at = timezone.now()
        proposal.save()
    return proposal


# --- Rapporteur election -----------------------------------------------------------------------


def election_open(*, actor, space, voting_opens_at, voting_closes_at):
    """Staff open a rapporteur election in an active space (nominations open until voting opens)."""
    if not space.is_active:
        raise ValidationError(access.INACTIVE_SPACE, code="inactive")
    if Election.objects.filter(space=space, confirmed_at__isnull=True).exists():
        raise ValidationError(_("This space already has an election under way."), code="duplicate")
    election = Election(space=space, voting_opens_at=voting_opens_at, voting_closes_at=voting_closes_at)
    election.full_clean()
    election.save()
    return election


def _is_candidate(space, user):
    return Membership.objects.filter(
        space=space, user=user, role__in=access.ELECTOR_ROLES, state__in=Membership.ENTERING_STATES
    ).exists()


def nomination_create(*, actor, election, nominee):
    """An elector nominates themselves (accepted at once) or another member (who must accept).
    Raises ValidationError outside the nomination period or for a non-member or a second nomination."""
    if election.phase != Election.Phase.NOMINATING:
        raise ValidationError(_("Nominations are closed."), code="closed")
    if not _is_candidate(election.space, nominee):
        raise ValidationError(_("Only members of the group can be nominated."), code="not_member")
    if Nomination.objects.filter(election=election, nominee=nominee).exists():
        raise ValidationError(_("This member is already nominated."), code="duplicate")
    try:
        with transaction.atomic():
            return Nomination.objects.create(
                election=election,
                nominee=nominee,
                nominated_by=actor,
                accepted_at=timezone.now() if nominee.pk == actor.pk else None,
            )
    except IntegrityError as error:
        raise ValidationError(_("This member is already nominated."), code="duplicate") from error


def nomination_respond(*, actor, nomination, accept):
    """The nominee accepts or declines their nomination (before voting closes)."""
    if nomination.nominee_id != actor.pk:
        raise ValidationError(_("Only the nominee can answer this nomination."), code="not_nominee")
    if nomination.election.phase not in (Election.Phase.NOMINATING, Election.Phase.VOTING):
        raise ValidationError(_("The election is closed."), code="closed")
    if accept:
        if nomination.accepted_at is None:
            nomination.accepted_at = timezone.now()
            nomination.save(update_fields=["accepted_at"])
        return nomination
    if nomination.votes.exists():
        raise ValidationError(
            _("Votes were already cast for you; you can no longer withdraw."), code="has_votes"
        )
    nomination.delete()
    return None


def vote_cast(*, actor, election, nomination):
    """Cast one of the voter's two votes for an accepted nominee, while voting is open."""
    if election.phase != Election.Phase.VOTING:
        raise ValidationError(_("Voting is not open."), code="closed")
    if nomination.election_id != election.pk or nomination.accepted_at is None:
        raise ValidationError(_("This member is not on the ballot."), code="not_on_ballot")
    with transaction.atomic():
        # Lock the voter's membership so two simultaneous votes cannot take the same ballot.
        Membership.objects.select_for_update().filter(space=election.space, user=actor).first()
        cast = Vote.objects.filter(election=election, voter=actor)
        if cast.filter(nomination=nomination).exists():
            raise ValidationError(_("You already voted for this member."), code="duplicate")
        used = set(cast.values_list("slot", flat=True))
        free = [slot for slot in range(1, Election.VOTES_PER_MEMBER + 1) if slot not in used]
        if not free:
            raise ValidationError(_("You have used both of your votes."), code="no_votes_left")
        try:
            with transaction.atomic():
                return Vote.objects.create(
                    election=election, voter=actor, nomination=nomination, slot=free[0]
                )
        except IntegrityError as error:
            raise ValidationError(
                _("Your vote was not counted twice. Please reload the page."), code="race"
            ) from error


def election_confirm(*, actor, election, nominations):
    """Staff confirm the winners after voting closed: they become the space's rapporteurs (at most
    two), and the previous rapporteurs return to being members."""
    nominations = list(nominations)
    if election.phase != Election.Phase.COUNTING:
        raise ValidationError(_("Results can be confirmed only after voting closes."), code="not_closed")
    if not 1 <= len(nominations) <= Election.SEATS:
        raise ValidationError(_("Choose one or two rapporteurs."), code="seats")
    if any(n.election_id != election.pk or n.accepted_at is None for n in nominations):
        raise ValidationError(_("This member is not on the ballot."), code="not_on_ballot")
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.confirmed_at:
            raise ValidationError(_("These results were already confirmed."), code="confirmed")
        winners = {n.nominee_id for n in nominations}
        for membership in Membership.objects.filter(space=election.space, role=Role.RAPPORTEUR):
            if membership.user_id not in winners:
                membership_change_role(actor=actor, membership=membership, role=Role.MEMBER)
        for membership in Membership.objects.filter(space=election.space, user_id__in=winners):
            membership_change_role(actor=actor, membership=membership, role=Role.RAPPORTEUR)
        election.confirmed_at, election.confirmed_by = timezone.now(), actor
        election.save(update_fields=["confirmed_at", "confirmed_by"])
    return election
