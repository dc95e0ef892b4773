"""Admin of rapporteur elections."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from workgroups import access, selectors, services
from workgroups.models import (
    Election,
    Nomination,
)


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
        return (
            format_html(
                "<br>".join(["{}: {}"] * len(rows)), *[v for n in rows for v in (n.nominee, n.vote_count)]
            )
            if rows
            else "—"
        )

    @admin.display(description=_("confirm on the site"))
    def site_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("workgroups:election-detail", args=[obj.space_id]),
            _("Election page"),
        )

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "space"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.election_open(
            actor=request.user,
            space=obj.space,
            voting_opens_at=obj.voting_opens_at,
            voting_closes_at=obj.voting_closes_at,
        )
        obj.pk = created.pk
