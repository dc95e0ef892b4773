"""Pages where a participant asks to join a group or proposes a new one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cssr.forms import add_errors
from workgroups import access, selectors, services
from workgroups.forms import ProposalForm
from workgroups.forms.questionnaires import InterestForm
from workgroups.services.questionnaires import interest_questionnaire


@require_http_methods(["GET", "POST"])
def interest_list(request):
    """My expressions of interest with their status, and the questionnaire for a new one."""
    questionnaire = interest_questionnaire()
    if questionnaire is None:
        raise Http404
    form = InterestForm(request.POST or None, questions=selectors.question_list(questionnaire=questionnaire))
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_submit_answers(
                actor=request.user, theme=form.cleaned_data["theme"], values=form.values()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Thank you. The operations support team will review your expression of interest.")
            )
            return redirect("workgroups:interest-list")
    interests = selectors.interest_list(user=request.user)
    return render(
        request,
        "workgroups/interest_list.html",
        {
            "form": form,
            "interests": interests,
            "questionnaire": questionnaire,
            "may_edit": access.can_manage_questionnaire(request.user, questionnaire),
        },
    )


@require_http_methods(["GET", "POST"])
def proposal_list(request):
    """My proposals for new working groups with the staff's response, and the form for a new one."""
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.proposal_submit(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you. The operations support team will review your proposal."))
        return redirect("workgroups:proposal-list")
    proposals = selectors.proposal_list(user=request.user)
    return render(request, "workgroups/proposal_list.html", {"form": form, "proposals": proposals})
