"""Django admin for the operations support team. Every change goes through workgroups.services, so
permissions stay in step and every membership change lands in the audit trail.

Permissions come only from memberships (the services keep the role groups in step): admin offers no
way to grant object permissions by hand. Participants' texts (posts, concern and agenda descriptions,
e-mails quoting them) are shown to superusers only, each reading recorded (`accounts.admin_content`).
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from accounts.admin_content import ParticipantTextAdmin, ParticipantTextMixin, SuperuserOnlyAdmin

from . import access, selectors, services
from .models import (
    AgendaItem,
    Answer,
    Concern,
    Contribution,
    Election,
    ExpressionOfInterest,
    GroupProposal,
    Membership,
    MembershipEvent,
    ModerationAction,
    Nomination,
    Option,
    OutgoingEmail,
    Post,
    PostReport,
    PostRevision,
    Question,
    Questionnaire,
    ReinstatementRequest,
    Role,
    Space,
    Submission,
    Theme,
    Thread,
)

User = get_user_model()


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name_en"]}


class MembershipInline(admin.TabularInline):
    """Who is in the space. Read-only here: change memberships with the actions of Memberships."""

    model = Membership
    fields = ["user_link", "role", "state", "joined_at", "last_contribution_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("user"))
    def user_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:workgroups_membership_change", args=[obj.pk]), obj.user)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class BulkAddForm(forms.Form):
    people = forms.CharField(
        label=_("Usernames or e-mail addresses"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line (commas also work)."),
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.MEMBER)


class NextCohortForm(forms.Form):
    name_ar = forms.CharField(label=_("name [ar]"), max_length=200)
    name_en = forms.CharField(label=_("name [en]"), max_length=200, required=False)
    cycle_start = forms.DateField(label=_("work period start"), widget=forms.DateInput(attrs={"type": "date"}))
    cycle_end = forms.DateField(label=_("work period end"), widget=forms.DateInput(attrs={"type": "date"}))
    continuity = forms.ModelMultipleChoiceField(
        label=_("Continuity members"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Members of this cohort who continue in the next one."),
    )

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["continuity"].queryset = User.objects.filter(
            memberships__space=space, memberships__role__in=[Role.MEMBER, Role.RAPPORTEUR]
        ).exclude(memberships__space=space, memberships__state=Membership.State.LOCKED).distinct()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cycle_start") and cleaned.get("cycle_end") and cleaned["cycle_end"] <= cleaned["cycle_start"]:
            raise ValidationError(_("The work period must end after it starts."))
        return cleaned


@admin.register(Space)
class SpaceAdmin(TranslationAdmin):
    list_display = ["name", "kind", "theme", "status", "cycle_start", "cycle_end", "member_count"]
    list_filter = ["kind", "status", "theme"]
    search_fields = ["name_ar", "name_en"]
    inlines = [MembershipInline]
    actions = ["activate", "conclude", "start_next_cohort"]
    change_form_template = "admin/workgroups/space/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.memberships.filter(state__in=Membership.ENTERING_STATES).count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.space_saved(actor=request.user, space=obj)

    def get_urls(self):
        return [
            path("<id:space_id>/add-members/", self.admin_site.admin_view(self.bulk_add_view),
                 name="workgroups_space_add_members"),
            *super().get_urls(),
        ]

    def bulk_add_view(self, request, space_id):
        """Add many people at once by username or e-mail; each is reported added, skipped or unknown."""
        space = get_object_or_404(Space, pk=space_id)
        if not self.has_change_permission(request, space):
            raise PermissionError
        form = BulkAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            names = [n.strip() for n in re.split(r"[\n,;]+", form.cleaned_data["people"]) if n.strip()]
            added, problems = 0, []
            for name in names:
                user = User.objects.filter(Q(username__iexact=name) | Q(email__iexact=name)).first()
                if user is None:
                    problems.append(_("%(name)s: no such account") % {"name": name})
                    continue
                try:
                    services.membership_add(actor=request.user, space=space, user=user, role=form.cleaned_data["role"])
                    added += 1
                except ValidationError as error:
                    problems.append(f"{name}: {' '.join(error.messages)}")
            if added:
                self.message_user(request, ngettext("%(count)d person added.", "%(count)d people added.", added) % {"count": added})
            for problem in problems:
                self.message_user(request, problem, messages.WARNING)
            return redirect("admin:workgroups_space_change", space.pk)
        context = {**self.admin_site.each_context(request), "title": _("Add members to %(space)s") % {"space": space},
                   "form": form, "space": space, "opts": self.model._meta}
        return TemplateResponse(request, "admin/workgroups/space/bulk_add.html", context)

    @admin.action(description=_("Open the selected spaces (active)"))
    def activate(self, request, queryset):
        for space in queryset:
            services.space_set_status(actor=request.user, space=space, status=Space.Status.ACTIVE)
        self.message_user(request, _("The selected spaces are active."))

    @admin.action(description=_("Conclude the selected spaces (read-only archive)"))
    def conclude(self, request, queryset):
        for space in queryset:
            services.space_set_status(actor=request.user, space=space, status=Space.Status.CONCLUDED)
        self.message_user(request, _("The selected spaces are concluded and read-only."))

    @admin.action(description=_("Start the next cohort on the same theme"))
    def start_next_cohort(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one space."), messages.ERROR)
            return None
        space = queryset.get()
        form = NextCohortForm(request.POST if "apply" in request.POST else None, space=space,
                              initial={"name_ar": space.name_ar, "name_en": space.name_en})
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            successor = services.space_start_next_cohort(
                actor=request.user, space=space, name_ar=data["name_ar"], name_en=data["name_en"],
                cycle_start=data["cycle_start"], cycle_end=data["cycle_end"], continuity_users=data["continuity"],
            )
            self.message_user(request, _("The next cohort was created (proposed). Open it when it starts."))
            return redirect("admin:workgroups_space_change", successor.pk)
        context = {**self.admin_site.each_context(request), "title": _("Start the next cohort"),
                   "form": form, "space": space, "opts": self.model._meta,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/workgroups/space/next_cohort.html", context)


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["space", "user", "role", "state"]

    def clean(self):
        cleaned = super().clean()
        space, user, role = cleaned.get("space"), cleaned.get("user"), cleaned.get("role")
        if self.instance.pk is None and space and user and Membership.objects.filter(space=space, user=user).exists():
            raise ValidationError(_("%(user)s is already in this space.") % {"user": user.public_name})
        if space and role and (self.instance.pk is None or role != self.instance.role):
            others = Membership.objects.filter(space=space).exclude(pk=self.instance.pk)
            if role == Role.RAPPORTEUR and others.filter(role=Role.RAPPORTEUR).count() >= 2:
                raise ValidationError(_("This space already has two rapporteurs."))
            if role in (Role.TECHNICAL_OFFICER, Role.POLITICAL_OFFICER) and others.filter(role=role).exclude(
                state=Membership.State.LEFT
            ).exists():
                raise ValidationError(_("This space already has an officer in this role."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "space", "role", "state", "joined_at", "last_contribution_at"]
    list_filter = ["space__theme", "space__status", "state", "role", "space"]
    search_fields = ["user__username", "user__display_name", "user__email", "space__name_ar", "space__name_en"]
    list_select_related = ["user", "space"]
    autocomplete_fields = ["user"]
    actions = ["lock", "reinstate", "remove", "make_rapporteur", "make_member"]

    def get_readonly_fields(self, request, obj=None):
        return ["space", "user", "joined_at", "state_changed_at", "last_contribution_at"] if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["space", "user", "role"]
        return ["space", "user", "role", "state", "joined_at", "state_changed_at", "last_contribution_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.membership_add(actor=request.user, space=obj.space, user=obj.user, role=obj.role)
            obj.pk = created.pk
            return
        current = Membership.objects.get(pk=obj.pk)
        if "role" in form.changed_data:
            services.membership_change_role(actor=request.user, membership=current, role=obj.role)
        if "state" in form.changed_data:
            state_service = {
                Membership.State.LOCKED: services.membership_lock,
                Membership.State.ACTIVE: services.membership_reinstate,
                Membership.State.LEFT: services.membership_leave,
                Membership.State.WARNED: None,
            }[obj.state]
            if state_service is not None:
                state_service(actor=request.user, membership=current)

    def has_delete_permission(self, request, obj=None):
        return False  # "remove" keeps the history; deleting would erase the audit trail

    def _apply(self, request, queryset, function, done, **kwargs):
        """Run a membership service on each selected row; `done(count)` says what happened."""
        count, errors = 0, []
        for membership in queryset:
            try:
                function(actor=request.user, membership=membership, **kwargs)
                count += 1
            except ValidationError as error:
                errors.append(f"{membership.user}: {' '.join(error.messages)}")
        self.message_user(request, done(count) % {"count": count})
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    @admin.action(description=_("Lock the selected members out"))
    def lock(self, request, queryset):
        self._apply(request, queryset, services.membership_lock, lambda n: ngettext("%(count)d membership locked.", "%(count)d memberships locked.", n))

    @admin.action(description=_("Reinstate the selected members"))
    def reinstate(self, request, queryset):
        self._apply(request, queryset, services.membership_reinstate, lambda n: ngettext("%(count)d membership reinstated.", "%(count)d memberships reinstated.", n))

    @admin.action(description=_("Remove the selected members from their space"))
    def remove(self, request, queryset):
        self._apply(request, queryset, services.membership_leave, lambda n: ngettext("%(count)d member removed.", "%(count)d members removed.", n))

    @admin.action(description=_("Make rapporteur"))
    def make_rapporteur(self, request, queryset):
        self._apply(request, queryset, services.membership_change_role, lambda n: ngettext("%(count)d member made rapporteur.", "%(count)d members made rapporteur.", n),
                    role=Role.RAPPORTEUR)

    @admin.action(description=_("Make ordinary member"))
    def make_member(self, request, queryset):
        self._apply(request, queryset, services.membership_change_role, lambda n: ngettext("%(count)d person made ordinary member.", "%(count)d people made ordinary members.", n),
                    role=Role.MEMBER)


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "membership", "action", "detail", "actor"]
    list_filter = ["action", "membership__space"]
    search_fields = ["membership__user__username", "membership__user__display_name"]
    list_select_related = ["membership__user", "membership__space", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewForm(forms.ModelForm):
    """Staff decide: accept or decline with a reason the participant will read."""

    decision = forms.ChoiceField(
        label=_("decision"), required=False,
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
    readonly_fields = ["user", "theme", "expertise", "motivation", "civic_activity", "declares_syrian",
                       "declares_civic_work", "declares_no_affiliation", "answers", "status", "created_at",
                       "decided_at", "decided_by"]
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
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>",
                                ((answer.question.text, answer_display(answer)) for answer in answers))

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision == "accept":
            services.interest_accept(actor=request.user, interest=obj, space=form.cleaned_data["space"])
        elif decision == "decline":
            services.interest_decline(actor=request.user, interest=obj, reason=form.cleaned_data["decision_reason"])


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
            services.proposal_decide(actor=request.user, proposal=obj, accept=decision == "accept",
                                     reason=form.cleaned_data["decision_reason"])


class NominationInline(admin.TabularInline):
    model = Nomination
    fields = ["nominee", "nominated_by", "accepted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ElectionForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = ["space", "voting_opens_at", "voting_closes_at"]

    def clean(self):
        cleaned = super().clean()
        space = cleaned.get("space")
        if self.instance.pk is None and space is not None:
            if not space.is_active:
                raise ValidationError(access.INACTIVE_SPACE)
            if Election.objects.filter(space=space, confirmed_at__isnull=True).exists():
                raise ValidationError(_("This space already has an election under way."))
        return cleaned


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    form = ElectionForm
    list_display = ["space", "phase_display", "voting_opens_at", "voting_closes_at", "confirmed_at"]
    list_filter = ["space__theme"]
    inlines = [NominationInline]
    readonly_fields = ["results", "confirmed_at", "confirmed_by", "site_link"]

    @admin.display(description=_("phase"))
    def phase_display(self, obj):
        return obj.get_phase_display()

    @admin.display(description=_("results"))
    def results(self, obj):
        if obj.pk is None:
            return "—"
        rows = selectors.election_results(election=obj)
        return format_html("<br>".join(["{}: {}"] * len(rows)), *[v for n in rows for v in (n.nominee, n.vote_count)]) if rows else "—"

    @admin.display(description=_("confirm on the site"))
    def site_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("workgroups:election-detail", args=[obj.space_id]), _("Election page"))

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "space"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.election_open(actor=request.user, space=obj.space, voting_opens_at=obj.voting_opens_at,
                                         voting_closes_at=obj.voting_closes_at)
        obj.pk = created.pk


# --- Inside spaces: read-mostly views for operations; moderation goes through the services -------


class ReportOutcomeForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("decision"), required=False,
        choices=[("", _("— keep open —")), ("hide", _("Hide the post")), ("dismiss", _("Dismiss the report"))],
    )
    note = forms.CharField(label=_("reason"), required=False, max_length=500)

    class Meta:
        model = PostReport
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") and not cleaned.get("note", "").strip():
            self.add_error("note", _("Give a reason."))
        return cleaned


@admin.register(PostReport)
class PostReportAdmin(ParticipantTextAdmin):
    """The moderation queue in admin (the technical officer's site queue shows the same reports).

    Staff decide from the report's reason and may hide the post (or dismiss the report); the reported
    text itself is the space's technical officer's to read, in the queue on the site. Superusers see it
    here too, each reading recorded.
    """

    form = ReportOutcomeForm
    list_display = ["created_at", "space_name", "reason", "outcome", "resolved_at"]
    list_filter = ["outcome", "post__thread__space"]
    list_select_related = ["post__thread__space"]
    readonly_fields = ["space_name", "discussion", "post_state", "post_text", "reason", "created_at", "outcome",
                       "resolved_at", "resolved_by"]
    fields = [*readonly_fields, "decision", "note"]
    content_fields = ("post_text",)
    content_hidden_message = _(
        "Hidden: the reported text is read by the space's technical officer in the moderation queue on the "
        "site. Decide from the reason given; hiding the post keeps it for the technical officer to review."
    )

    @admin.display(description=_("space"))
    def space_name(self, obj):
        return obj.post.thread.space

    @admin.display(description=_("discussion"))
    def discussion(self, obj):
        return obj.post.thread.title

    @admin.display(description=_("post"))
    def post_state(self, obj):
        if obj.post.deleted_at:
            return _("deleted by its author")
        return _("hidden") if obj.post.hidden_at else _("shown")

    @admin.display(description=_("post"))
    def post_text(self, obj):
        return obj.post.body

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        decision, note = form.cleaned_data.get("decision"), form.cleaned_data.get("note")
        if decision == "hide":
            services.post_hide(actor=request.user, post=obj.post, reason=note)
        elif decision == "dismiss":
            services.post_restore(actor=request.user, post=obj.post, reason=note)


class ReadOnlyAdmin(ParticipantTextAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "reason", "actor", "post"]
    list_filter = ["kind", "post__thread__space"]
    list_select_related = ["actor", "post__thread"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The outbox: what the jobs wrote, what went out, and what the mail server refused."""

    list_display = ["created_at", "kind", "recipient", "address", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "attempts"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__email", "address", "last_error"]
    actions = ["retry"]
    content_fields = ("body", "html")  # digests and notices quote participants' texts

    def get_fields(self, request, obj=None):
        # An invitation or an account e-mail holds a working link or code: nobody reads it here.
        fields = super().get_fields(request, obj)
        return [name for name in fields if name not in self.content_fields] if obj and obj.holds_secret else fields

    def shows_participant_text(self, request, obj):
        return not obj.holds_secret and super().shows_participant_text(request, obj)

    @admin.action(description=_("Try the selected unsent e-mails again at the next run"))
    def retry(self, request, queryset):
        count = queryset.filter(sent_at__isnull=True).update(attempts=0, claimed_at=None)
        self.message_user(request, ngettext("%(count)d e-mail will be tried again.",
                                            "%(count)d e-mails will be tried again.", count) % {"count": count})


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "created_at", "last_activity_at", "is_pinned", "is_closed"]
    list_filter = ["space", "is_pinned", "is_closed"]
    search_fields = ["title"]
    list_select_related = ["space"]
    exclude = ["search_text"]


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "status", "priority", "endorsement_count", "created_at"]
    list_filter = ["space", "status", "priority"]
    search_fields = ["title"]
    list_select_related = ["space"]
    exclude = ["search_text", "author"]
    content_fields = ("description",)


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "status", "position"]
    list_filter = ["space", "status"]
    list_select_related = ["space"]
    exclude = ["search_text"]
    content_fields = ("description",)


class PostRevisionInline(ParticipantTextMixin, admin.TabularInline):
    model = PostRevision
    fields = ["created_at", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    content_fields = ("body",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(SuperuserOnlyAdmin):
    """A post and its earlier versions, for superusers only; each reading is recorded."""

    list_display = ["pk", "thread", "space", "author", "created_at", "edited_at", "hidden_at", "deleted_at"]
    list_filter = ["thread__space"]
    list_select_related = ["thread__space", "author"]
    fields = ["thread", "author", "quote_of", "created_at", "edited_at", "deleted_at", "hidden_at", "hidden_reason",
              "body"]
    readonly_fields = fields
    content_fields = ("body",)
    inlines = [PostRevisionInline]

    @admin.display(description=_("space"))
    def space(self, obj):
        return obj.thread.space


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "space", "kind"]
    list_filter = ["kind", "space"]
    list_select_related = ["user", "space"]
    date_hierarchy = "created_at"


@admin.register(ReinstatementRequest)
class ReinstatementRequestAdmin(ReadOnlyAdmin):
    """Locked members asking to come back; reinstating restarts their inactivity clock."""

    list_display = ["created_at", "membership", "outcome", "resolved_at"]
    list_filter = ["outcome", "membership__space"]
    list_select_related = ["membership__user", "membership__space"]
    readonly_fields = ["membership", "message", "created_at", "outcome", "resolved_at", "resolved_by"]
    actions = ["reinstate", "decline"]

    def _resolve(self, request, queryset, reinstate):
        for item in queryset:
            services.reinstatement_resolve(actor=request.user, request=item, reinstate=reinstate)
        self.message_user(request, _("Done."))

    @admin.action(description=_("Reinstate the selected members"))
    def reinstate(self, request, queryset):
        self._resolve(request, queryset, True)

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        self._resolve(request, queryset, False)


# --- Questionnaires -------------------------------------------------------------------------------
# Built and analysed on the site (the builder); admin shows them read-mostly. The respondent of an
# anonymous questionnaire's response is never shown, listed or searchable here (a draft still holds
# it until it is sent, so its author can come back to it).


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "text_ar", "text_en", "kind", "is_required", "key"]
    readonly_fields = ["key", "kind"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "space", "purpose", "audience", "is_anonymous", "status", "opens_at", "closes_at"]
    list_filter = ["status", "purpose", "is_anonymous", "space"]
    search_fields = ["title_ar", "title_en"]
    readonly_fields = ["space", "purpose", "audience", "audience_space", "audience_role", "is_anonymous", "status",
                       "created_by", "created_at", "published_at"]
    fields = ["title_ar", "title_en", "intro_ar", "intro_en", *readonly_fields, "allow_changes", "opens_at", "closes_at"]
    inlines = [QuestionInline]
    list_select_related = ["space"]

    def has_add_permission(self, request):
        return False  # built on the site, where the rules of the builder apply


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["position", "text_ar", "text_en", "code"]
    readonly_fields = ["code"]
    extra = 0
    can_delete = False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "questionnaire", "kind", "is_required"]
    list_filter = ["kind"]
    fields = ["questionnaire", "key", "kind", "is_required", "text_ar", "text_en", "help_text_ar", "help_text_en"]
    readonly_fields = ["questionnaire", "key", "kind", "is_required"]
    inlines = [OptionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "shown"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question").prefetch_related("choices__option")

    @admin.display(description=_("answer"))
    def shown(self, answer):
        return answer_display(answer)


def answer_display(answer):
    chosen = sorted(answer.choices.all(), key=lambda choice: choice.rank or 0)
    if chosen:
        return "; ".join(f"{c.rank}. {c.option.text}" if c.rank else c.option.text for c in chosen)
    if answer.question.kind == Question.Kind.DECLARATION:
        return _("Confirmed")
    return answer.text or ("" if answer.number is None else str(answer.number))


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["pk", "questionnaire", "who", "is_submitted", "region", "role"]
    list_filter = ["questionnaire", "is_submitted"]
    fields = ["questionnaire", "who", "is_submitted", "submitted_at", "region", "role"]
    readonly_fields = fields
    inlines = [AnswerInline]
    list_select_related = ["questionnaire", "respondent"]

    def get_search_results(self, request, queryset, search_term):
        """Search named responses by respondent; anonymous ones never match a person."""
        if not search_term:
            return queryset, False
        return queryset.filter(questionnaire__is_anonymous=False).filter(
            Q(respondent__username__icontains=search_term) | Q(respondent__display_name__icontains=search_term)
        ), False

    search_fields = ["respondent__username"]

    @admin.display(description=_("respondent"))
    def who(self, submission):
        if submission.questionnaire.is_anonymous:
            return _("anonymous")
        return submission.respondent.public_name if submission.respondent else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
