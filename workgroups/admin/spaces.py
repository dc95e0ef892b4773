"""Admin of themes, spaces and memberships: every change goes through the services, so permissions
stay in step and lands in the audit trail. Admin offers no way to grant object permissions by hand."""

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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from workgroups import services
from workgroups.models import (
    Membership,
    MembershipEvent,
    Role,
    Space,
    Theme,
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
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:workgroups_membership_change", args=[obj.pk]), obj.user
        )

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class BulkAddForm(forms.Form):
    people = forms.CharField(
        label=_("Usernames or e-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line (commas also work)."),
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.MEMBER)


class NextCohortForm(forms.Form):
    name_ar = forms.CharField(label=_("name [ar]"), max_length=200)
    name_en = forms.CharField(label=_("name [en]"), max_length=200, required=False)
    cycle_start = forms.DateField(
        label=_("work period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    cycle_end = forms.DateField(label=_("work period end"), widget=forms.DateInput(attrs={"type": "date"}))
    continuity = forms.ModelMultipleChoiceField(
        label=_("Continuity members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of this cohort who continue in the next one."),
    )

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["continuity"].queryset = (
            User.objects.filter(
                memberships__space=space, memberships__role__in=[Role.MEMBER, Role.RAPPORTEUR]
            )
            .exclude(memberships__space=space, memberships__state=Membership.State.LOCKED)
            .distinct()
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("cycle_start")
            and cleaned.get("cycle_end")
            and cleaned["cycle_end"] <= cleaned["cycle_start"]
        ):
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
            path(
                "<id:space_id>/add-members/",
                self.admin_site.admin_view(self.bulk_add_view),
                name="workgroups_space_add_members",
            ),
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
                    services.membership_add(
                        actor=request.user, space=space, user=user, role=form.cleaned_data["role"]
                    )
                    added += 1
                except ValidationError as error:
                    problems.append(f"{name}: {' '.join(error.messages)}")
            if added:
                self.message_user(
                    request,
                    ngettext("%(count)d person added.", "%(count)d people added.", added) % {"count": added},
                )
            for problem in problems:
                self.message_user(request, problem, messages.WARNING)
            return redirect("admin:workgroups_space_change", space.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add members to %(space)s") % {"space": space},
            "form": form,
            "space": space,
            "opts": self.model._meta,
        }
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
        form = NextCohortForm(
            request.POST if "apply" in request.POST else None,
            space=space,
            initial={"name_ar": space.name_ar, "name_en": space.name_en},
        )
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            successor = services.space_start_next_cohort(
                actor=request.user,
                space=space,
                name_ar=data["name_ar"],
                name_en=data["name_en"],
                cycle_start=data["cycle_start"],
                cycle_end=data["cycle_end"],
                continuity_users=data["continuity"],
            )
            self.message_user(request, _("The next cohort was created (proposed). Open it when it starts."))
            return redirect("admin:workgroups_space_change", successor.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Start the next cohort"),
            "form": form,
            "space": space,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/workgroups/space/next_cohort.html", context)


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["space", "user", "role", "state"]

    def clean(self):
        cleaned = super().clean()
        space, user, role = cleaned.get("space"), cleaned.get("user"), cleaned.get("role")
        if (
            self.instance.pk is None
            and space
            and user
            and Membership.objects.filter(space=space, user=user).exists()
        ):
            raise ValidationError(_("%(user)s is already in this space.") % {"user": user.public_name})
        if space and role and (self.instance.pk is None or role != self.instance.role):
            others = Membership.objects.filter(space=space).exclude(pk=self.instance.pk)
            if role == Role.RAPPORTEUR and others.filter(role=Role.RAPPORTEUR).count() >= 2:
                raise ValidationError(_("This space already has two rapporteurs."))
            if (
                role in (Role.TECHNICAL_OFFICER, Role.POLITICAL_OFFICER)
                and others.filter(role=role).exclude(state=Membership.State.LEFT).exists()
            ):
                raise ValidationError(_("This space already has an officer in this role."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "space", "role", "state", "joined_at", "last_contribution_at"]
    list_filter = ["space__theme", "space__status", "state", "role", "space"]
    search_fields = [
        "user__username",
        "user__display_name",
        "user__email",
        "space__name_ar",
        "space__name_en",
    ]
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
            created = services.membership_add(
                actor=request.user, space=obj.space, user=obj.user, role=obj.role
            )
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
        self._apply(
            request,
            queryset,
            services.membership_lock,
            lambda n: ngettext("%(count)d membership locked.", "%(count)d memberships locked.", n),
        )

    @admin.action(description=_("Reinstate the selected members"))
    def reinstate(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.membership_reinstate,
            lambda n: ngettext("%(count)d membership reinstated.", "%(count)d memberships reinstated.", n),
        )

    @admin.action(description=_("Remove the selected members from their space"))
    def remove(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.membership_leave,
            lambda n: ngettext("%(count)d member removed.", "%(count)d members removed.", n),
        )

    @admin.action(description=_("Make rapporteur"))
    def make_rapporteur(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.membership_change_role,
            lambda n: ngettext("%(count)d member made rapporteur.", "%(count)d members made rapporteur.", n),
            role=Role.RAPPORTEUR,
        )

    @admin.action(description=_("Make ordinary member"))
    def make_member(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.membership_change_role,
            lambda n: ngettext(
                "%(count)d person made ordinary member.", "%(count)d people made ordinary members.", n
            ),
            role=Role.MEMBER,
        )


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
