"""Forms inside a space: discussions, concerns, the agenda, moderation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Region
from cssr.params import IdField, ModelMultipleChoiceIdField
from cssr.text import MAX_BODY_LENGTH
from workgroups.models import AgendaItem, Concern, Thread

BODY_WIDGET = forms.Textarea(attrs={"rows": 5, "dir": "auto"})


def _body_field(label):
    return forms.CharField(label=label, widget=BODY_WIDGET, max_length=MAX_BODY_LENGTH, strip=True)


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    body = _body_field(_("Text"))


class PostForm(forms.Form):
    body = _body_field(_("Your reply"))
    quote_of = IdField(required=False, widget=forms.HiddenInput, min_value=1)


class PostEditForm(forms.Form):
    body = _body_field(_("Text"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )


class ModerationForm(ReasonForm):
    action = forms.ChoiceField(choices=[("hide", "hide"), ("restore", "restore"), ("warn", "warn")])
    post = IdField(min_value=1)


class ConcernForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    description = _body_field(_("Description"))
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Separate tags with commas."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    regions = forms.MultipleChoiceField(
        label=_("Affected regions"),
        required=False,
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_tags(self):
        return [
            name.strip() for name in self.cleaned_data["tags"].replace("،", ",").split(",") if name.strip()
        ]


class ConcernStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Concern.Status.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Concern.Priority.choices, coerce=int)


class ConcernFilterForm(forms.Form):
    SORTS = [
        ("endorsements", _("Most endorsed")),
        ("newest", _("Newest")),
        ("oldest", _("Oldest")),
        ("priority", _("Priority")),
    ]
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Concern.Status.choices
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("All"))] + Region.choices)
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    threads = ModelMultipleChoiceIdField(label=_("Linked discussions"), required=False, queryset=None)
    concerns = ModelMultipleChoiceIdField(label=_("Linked concerns"), required=False, queryset=None)

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["threads"].queryset = Thread.objects.filter(space=space, concern__isnull=True)
        self.fields["concerns"].queryset = Concern.objects.filter(space=space)


class AgendaUpdateForm(forms.Form):
    item = IdField(min_value=1)
    status = forms.ChoiceField(required=False, choices=AgendaItem.Status.choices)
    move = forms.ChoiceField(required=False, choices=[("up", "up"), ("down", "down")])
