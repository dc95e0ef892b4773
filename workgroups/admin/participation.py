"""Admin of expressions of interest and group proposals (reviewed by staff)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from workgroups import services
from workgroups.admin.questionnaires import answer_display
from workgroups.models import (
    ExpressionOfInterest,
    GroupProposal,
)


class ReviewForm(forms.ModelForm):
    """Staff decide: accept or decline with a reason the participant will read."""

    decision = forms.ChoiceField(
        label=_("decision"),
        required=False,
        choices=[("", _("— keep under review —")), ("accept", _("Accept")), ("decline", _("Decline"))],
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("decision_reason", "").strip():
            self.add_error("decision_reason", _("Give the participant a reason."))
        return cleaned


class InterestReviewForm(ReviewForm):
    class Meta:
        model = ExpressionOfInterest
        fields = ["space", "decision_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "accept" and not cleaned.get("space"):
            self.add_error("space", _("Choose the working group the participant joins."))
        return cleaned


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(admin.ModelAdmin):
    form = InterestReviewForm
    list_display = ["user", "theme", "status", "created_at", "decided_at"]
    list_filter = ["status", "theme"]
    search_fields = ["user__username", "user__display_name"]
    readonly_fields = [
        "user",
        "theme",
        "expertise",
        "motivation",
        "civic_activity",
        "declares_syrian",
        "declares_civic_work",
        "declares_no_affiliation",
        "answers",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = [*readonly_fields, "decision", "space", "decision_reason"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("submission")

    @admin.display(description=_("questionnaire answers"))
    def answers(self, interest):
        """Every answer to the expression-of-interest questionnaire, as staff set its questions."""
        if interest.submission is None:
            return "—"
        answers = interest.submission.answers.select_related("question").prefetch_related("choices__option")
        return format_html_join(
            "",
            "<p><strong>{}</strong><br>{}</p>",
            ((answer.question.text, answer_display(answer)) for answer in answers),
        )

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision == "accept":
            services.interest_accept(actor=request.user, interest=obj, space=form.cleaned_data["space"])
        elif decision == "decline":
            services.interest_decline(
                actor=request.user, interest=obj, reason=form.cleaned_data["decision_reason"]
            )


class ProposalReviewForm(ReviewForm):
    class Meta:
        model = GroupProposal
        fields = ["decision_reason"]


@admin.register(GroupProposal)
class GroupProposalAdmin(admin.ModelAdmin):
    form = ProposalReviewForm
    list_display = ["title", "proposer", "theme", "status", "created_at"]
    list_filter = ["status", "theme"]
    readonly_fields = ["proposer", "title", "rationale", "theme", "status", "created_at", "decided_at"]
    fields = [*readonly_fields, "decision", "decision_reason"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision:
            services.proposal_decide(
                actor=request.user,
                proposal=obj,
                accept=decision == "accept",
                reason=form.cleaned_data["decision_reason"],
            )
