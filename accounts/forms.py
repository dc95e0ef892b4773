from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from cssr.arabic import western_digits

from .models import User
from .names import display_name_clean
from .time_zones import time_zone_choices


class SignInForm(LoginForm):
    """allauth's sign-in form. Its one field takes a username or an e-mail address: browsers and password
    managers fill it with the saved username (allauth marks it as an e-mail field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SetPasswordFromInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("New password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            raise forms.ValidationError(_("The two passwords do not match."), code="password_mismatch")
        return cleaned


class ConductAcceptForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read the code of conduct and I commit to respecting it."),
        required=True,
        error_messages={"required": _("Please confirm that you accept the code of conduct.")},
    )


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves. Private fields are kept by staff, not here."""

    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["display_name", "title", "preferred_language", "time_zone"]

    def clean_display_name(self):
        """One line, no direction controls or invisible characters, not reserved, not the name of a
        co-member or of operations staff (accounts/names.py); the name already held is kept. (The
        instance still holds the saved name here: the form copies the fields into it after cleaning.)"""
        return display_name_clean(
            self.cleaned_data["display_name"], user=self.instance, previous=self.instance.display_name
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


class _CodeInAnyDigitsMixin:
    """A second-factor code typed on a keyboard set to Arabic (٠١٢٣٤٥٦٧٨٩ or ۰۱۲۳۴۵۶۷۸۹) is the same code:
    it is checked, and stored as used, in 0-9."""

    def clean_code(self):
        self.cleaned_data["code"] = western_digits(self.cleaned_data["code"])
        return super().clean_code()


class AuthenticateCodeForm(_CodeInAnyDigitsMixin, AuthenticateForm):
    pass


class ReauthenticateCodeForm(_CodeInAnyDigitsMixin, ReauthenticateForm):
    pass


class ActivateTOTPCodeForm(_CodeInAnyDigitsMixin, ActivateTOTPForm):
    pass
