"""Notification and digest settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cssr.params import ModelMultipleChoiceIdField
from workgroups.models import DigestSubscription, Notification


class NotificationSettingsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Notify me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (kind, label)
            for kind, label in Notification.Kind.choices
            if kind not in Notification.PERSONAL_KINDS
        ],
    )


class DigestSettingsForm(forms.Form):
    frequency = forms.ChoiceField(label=_("E-mail digest"), choices=[])
    muted_spaces = ModelMultipleChoiceIdField(
        label=_("Leave these spaces out"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )
    muted_threads = ModelMultipleChoiceIdField(
        label=_("Leave these discussions out"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, spaces, threads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frequency"].choices = DigestSubscription.Frequency.choices
        self.fields["muted_spaces"].queryset = spaces
        self.fields["muted_threads"].queryset = threads
