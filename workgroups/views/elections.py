"""The rapporteur election of a space: nominate, accept, vote, and staff confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cssr.forms import flash_errors
from workgroups import access, selectors, services
from workgroups.forms import ChoiceOfNominationForm, ConfirmElectionForm, NominateForm
from workgroups.models import Election


def _back(space):
    return redirect("workgroups:election-detail", space.pk)


def _refuse(request, space, error):
    flash_errors(request, error)
    return _back(space)


@require_GET
def election_detail(request, space_id):
    """The election page: phase, nominees, the member's ballot, results once voting closed; staff
    confirm the results here."""
    space = access.access_space_for_operations(request.user, space_id)
    election = selectors.election_current(space=space)
    context = {"space": space, "election": election}
    if election is not None:
        results = list(selectors.election_results(election=election))
        elector = access.can_elect(request.user, space)
        context.update(
            {
                "results": results,
                "pending": list(selectors.election_pending_nominations(election=election)),
                "my_votes": selectors.election_my_votes(election=election, user=request.user)
                if elector
                else set(),
                "is_elector": elector,
                "show_counts": election.phase in (Election.Phase.COUNTING, Election.Phase.CONFIRMED),
                "nominate_form": (
                    NominateForm(electors=selectors.elector_user_list(space=space)) if elector else None
                ),
                "confirm_form": (
                    ConfirmElectionForm(results=selectors.election_results(election=election))
                    if access.is_operations(request.user) and election.phase == Election.Phase.COUNTING
                    else None
                ),
            }
        )
    return render(request, "workgroups/election_detail.html", context)


@require_POST
def election_nominate(request, space_id):
    space = access.access_space(request.user, space_id)
    access.check_elect(request.user, space)
    election = access.access_election(space)
    form = NominateForm(request.POST, electors=selectors.elector_user_list(space=space))
    if not form.is_valid():
        messages.error(request, _("Choose a member of the group to nominate."))
        return _back(space)
    try:
        nomination = services.nomination_create(
            actor=request.user, election=election, nominee=form.cleaned_data["nominee"]
        )
    except ValidationError as error:
        return _refuse(request, space, error)
    if nomination.accepted_at:
        messages.success(request, _("You are now a candidate."))
    else:
        messages.success(request, _("Nomination sent. The member must accept it to appear on the ballot."))
    return _back(space)


def _nomination_from(request, election):
    form = ChoiceOfNominationForm(request.POST)
    if not form.is_valid():
        return None
    return selectors.nomination_get(election=election, nomination_id=form.cleaned_data["nomination"])


@require_POST
def election_respond(request, space_id):
    """The nominee accepts (`accept=1`) or declines their nomination."""
    space = access.access_space(request.user, space_id)
    access.check_elect(request.user, space)
    election = access.access_election(space)
    nomination = _nomination_from(request, election)
    if nomination is None or nomination.nominee_id != request.user.pk:
        messages.error(request, _("Only the nominee can answer this nomination."))
        return _back(space)
    accept = request.POST.get("accept") == "1"
    try:
        services.nomination_respond(actor=request.user, nomination=nomination, accept=accept)
    except ValidationError as error:
        return _refuse(request, space, error)
    messages.success(request, _("You are on the ballot.") if accept else _("You declined the nomination."))
    return _back(space)


@require_POST
def election_vote(request, space_id):
    space = access.access_space(request.user, space_id)
    access.check_elect(request.user, space)
    election = access.access_election(space)
    nomination = _nomination_from(request, election)
    if nomination is None:
        messages.error(request, _("This member is not on the ballot."))
        return _back(space)
    try:
        services.vote_cast(actor=request.user, election=election, nomination=nomination)
    except ValidationError as error:
        return _refuse(request, space, error)
    messages.success(
        request, _("Your vote for %(name)s is recorded.") % {"name": nomination.nominee.public_name}
    )
    return _back(space)


@require_POST
def election_confirm(request, space_id):
    """Staff confirm the elected rapporteurs (after voting closed)."""
    space = access.access_space_for_operations(request.user, space_id)
    access.check_operate_space(request.user, space)
    election = access.access_election(space)
    form = ConfirmElectionForm(request.POST, results=selectors.election_results(election=election))
    if not form.is_valid():
        messages.error(request, _("Choose one or two rapporteurs."))
        return _back(space)
    try:
        services.election_confirm(
            actor=request.user, election=election, nominations=form.cleaned_data["nominations"]
        )
    except ValidationError as error:
        return _refuse(request, space, error)
    messages.success(request, _("The rapporteurs are confirmed."))
    return _back(space)
