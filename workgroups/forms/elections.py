"""Forms of the rapporteur election."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cssr.params import IdField, ModelChoiceIdField, ModelMultipleChoiceIdField


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
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label=_("Rapporteurs to confirm"),
    )

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = results
        self.fields["nominations"].label_from_instance = lambda n: f"{n.nominee.public_name} ({n.vote_count})"
