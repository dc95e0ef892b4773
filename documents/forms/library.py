"""Forms of the document library, translation requests and the archive (they parse; the services decide)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cssr.params import IdField
from documents import filetypes
from documents.models import Language
from documents.services import library as services_library

LANGUAGE_CHOICES = [("", _("Not specified")), *Language.choices]


class UploadField(forms.FileField):
    """A file field that leaves judging the file (empty, size, type) to `documents.filetypes`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault("error_messages", {"required": _("Choose a file to upload.")})
        super().__init__(**kwargs)


def _file_help():
    return _("Accepted types: %(types)s.") % {"types": filetypes.allowed_labels()}


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=services_library.TITLE_MAX)
    file = UploadField(label=_("File"))
    folder = forms.CharField(
        label=_("Folder"),
        max_length=services_library.FOLDER_MAX,
        required=False,
        help_text=_("Optional: documents in the same folder are listed together."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=700,
        help_text=_("Separated by commas, for example: دستور، انتخابات"),
    )
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=LANGUAGE_CHOICES, required=False
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services_library.DESCRIPTION_MAX,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        for name in ("title", "folder", "tags", "description"):
            self.fields[name].widget.attrs["dir"] = "auto"

    def clean_tags(self):
        try:
            return services_library.parse_tags(self.cleaned_data["tags"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class DocumentEditForm(DocumentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["file"]
        del self.fields["language"]


class VersionForm(forms.Form):
    file = UploadField(label=_("File of the new version"))
    note = forms.CharField(label=_("What changed"), max_length=services_library.NOTE_MAX, required=False)
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=LANGUAGE_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        self.fields["note"].widget.attrs["dir"] = "auto"


class TranslationRequestForm(forms.Form):
    target_language = forms.ChoiceField(label=_("Translate into"), choices=Language.choices)
    note = forms.CharField(
        label=_("Note for the translator"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search in titles"), required=False, max_length=200)
    folder = forms.CharField(required=False, max_length=services_library.FOLDER_MAX)
    tag = IdField(required=False, min_value=1)


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the archive"), required=False, max_length=200)
    theme = IdField(required=False, min_value=1)
