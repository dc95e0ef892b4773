"""Forms of group proposals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workgroups.models import GroupProposal


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
