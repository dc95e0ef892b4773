"""Forms of co-drafting, the final note and the outputs inbox. They parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cssr.params import IdField
from documents.models import Draft, SharingDecision
from documents.services.drafts import COMMENT_MAX, SECTION_TEXT_MAX, TITLE_MAX


class DraftForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the new draft"), max_length=TITLE_MAX, widget=forms.TextInput(attrs={"dir": "auto"})
    )


class SectionAddForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the new section"),
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


class SectionEditForm(forms.Form):
    """The section's text and the revision the editor started from (optimistic concurrency)."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=SECTION_TEXT_MAX,
        strip=False,
        help_text=_(
            "Markdown: **bold**, *italic*, lists starting with “-”, an empty line between paragraphs."
        ),
        widget=forms.Textarea(attrs={"rows": 14, "dir": "auto", "class": "draft-text"}),
    )
    base_revision = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    parent = IdField(required=False, widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Draft.Status.choices)
    # Set by the confirmation step that lists the members' names found in the note.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SharingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision of the Special Envoy"), choices=SharingDecision.Decision.choices
    )
    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note (internal)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
