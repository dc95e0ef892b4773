from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExpressionOfInterest, GroupProposal, Theme

TEXT_LIMIT = 2000


class InterestForm(forms.ModelForm):
    """The expression-of-interest questionnaire (P8). The three declarations are mandatory."""

    declares_syrian = forms.BooleanField(
        label=_("I am Syrian."), required=True,
        error_messages={"required": _("This declaration is required to take part.")},
    )
    declares_civic_work = forms.BooleanField(
        label=_("I am active in civic work, individually, in a civil-society organisation or in an initiative."),
        required=True, error_messages={"required": _("This declaration is required to take part.")},
    )
    declares_no_affiliation = forms.BooleanField(
        label=_("I am not part of any official delegation, political party or military formation."),
        required=True, error_messages={"required": _("This declaration is required to take part.")},
    )

    class Meta:
        model = ExpressionOfInterest
        fields = ["theme", "expertise", "motivation", "civic_activity",
                  "declares_syrian", "declares_civic_work", "declares_no_affiliation"]
        labels = {
            "theme": _("Which theme would you like to work on?"),
            "expertise": _("Your expertise relevant to this theme"),
            "motivation": _("Why do you want to take part?"),
            "civic_activity": _("Your civic activity (organisation, initiative, field of work)"),
        }
        widgets = {
            "expertise": forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT, "dir": "auto"}),
            "motivation": forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT, "dir": "auto"}),
            "civic_activity": forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT, "dir": "auto"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.all()
        for name in ("expertise", "motivation", "civic_activity"):
            self.fields[name].max_length = TEXT_LIMIT
            self.fields[name].validators.append(forms.CharField(max_length=TEXT_LIMIT).validators[0])


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
    nominee = forms.ModelChoiceField(queryset=None, label=_("Member to nominate"))

    def __init__(self, *args, electors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = electors
        self.fields["nominee"].label_from_instance = lambda user: user.public_name


class ChoiceOfNominationForm(forms.Form):
    nomination = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ConfirmElectionForm(forms.Form):
    nominations = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Rapporteurs to confirm"),
    )

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = results
        self.fields["nominations"].label_from_instance = lambda n: f"{n.nominee.public_name} ({n.vote_count})"
