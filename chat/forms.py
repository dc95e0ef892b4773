from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cssr.params import IdField, ModelMultipleChoiceIdField


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))
    reply_to = IdField(required=False, widget=forms.HiddenInput, min_value=1)
    attachment = IdField(label=_("Attach a document from the library"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = settings.CSSR_CHAT_MAX_MESSAGE_CHARS
        self.fields["body"].widget.attrs["maxlength"] = settings.CSSR_CHAT_MAX_MESSAGE_CHARS


class MessageEditForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = settings.CSSR_CHAT_MAX_MESSAGE_CHARS


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you report this message?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class GroupConversationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    members = ModelMultipleChoiceIdField(
        label=_("Members"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates.order_by("display_name", "pk")
        self.fields["members"].label_from_instance = lambda user: user.public_name
