from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Region
from cssr.params import IdField, ModelChoiceIdField, ModelMultipleChoiceIdField
from cssr.text import MAX_BODY_LENGTH

from .models import AgendaItem, Concern, DigestSubscription, GroupProposal, Notification, Thread


class ProposalForm(forms.ModelForm):
    class Meta:
        model = GroupProposal
        fields = ["title", "rationale", "theme"]
        labels = {
            "title": _("Proposed working group"),
            "rationale": _("Why is this group needed, and what would it work on?"),
            "theme": _("Closest existing theme (optional)"),
        }
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "rationale": forms.Textarea(attrs={"rows": 5, "maxlength": 5000, "dir": "auto"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rationale"].validators.append(forms.CharField(max_length=5000).validators[0])


class NominateForm(forms.Form):
    nominee = ModelChoiceIdField(queryset=None, label=_("Member to nominate"))

    def __init__(self, *args, electors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = electors
        self.fields["nominee"].label_from_instance = lambda user: user.public_name


class ChoiceOfNominationForm(forms.Form):
    nomination = IdField(min_value=1, widget=forms.HiddenInput)


class ConfirmElectionForm(forms.Form):
    nominations = ModelMultipleChoiceIdField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Rapporteurs to confirm"),
    )

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = results
        self.fields["nominations"].label_from_instance = lambda n: f"{n.nominee.public_name} ({n.vote_count})"


# --- Inside a space: discussions, concerns, agenda, moderation, notifications -------------------

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
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))


class ModerationForm(ReasonForm):
    action = forms.ChoiceField(choices=[("hide", "hide"), ("restore", "restore"), ("warn", "warn")])
    post = IdField(min_value=1)


class ConcernForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    description = _body_field(_("Description"))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=300,
                           help_text=_("Separate tags with commas."), widget=forms.TextInput(attrs={"dir": "auto"}))
    regions = forms.MultipleChoiceField(label=_("Affected regions"), required=False, choices=Region.choices,
                                        widget=forms.CheckboxSelectMultiple)

    def clean_tags(self):
        return [name.strip() for name in self.cleaned_data["tags"].replace("،", ",").split(",") if name.strip()]


class ConcernStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Concern.Status.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Concern.Priority.choices, coerce=int)


class ConcernFilterForm(forms.Form):
    SORTS = [("endorsements", _("Most endorsed")), ("newest", _("Newest")), ("oldest", _("Oldest")),
             ("priority", _("Priority"))]
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Concern.Status.choices)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("All"))] + Region.choices)
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
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


class NotificationSettingsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Notify me about"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind, label) for kind, label in Notification.Kind.choices if kind not in Notification.PERSONAL_KINDS],
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=10_000)


class DigestSettingsForm(forms.Form):
    frequency = forms.ChoiceField(label=_("E-mail digest"), choices=[])
    muted_spaces = ModelMultipleChoiceIdField(label=_("Leave these spaces out"), required=False, queryset=None,
                                              widget=forms.CheckboxSelectMultiple)
    muted_threads = ModelMultipleChoiceIdField(label=_("Leave these discussions out"), required=False,
                                               queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, spaces, threads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frequency"].choices = DigestSubscription.Frequency.choices
        self.fields["muted_spaces"].queryset = spaces
        self.fields["muted_threads"].queryset = threads
