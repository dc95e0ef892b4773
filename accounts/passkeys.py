"""Passkeys (WebAuthn) through allauth.mfa: the relying party, and forms that refuse bad credentials.

allauth does the ceremony (fido2 checks challenge, origin, relying party and signature). What the
platform adds: the relying party is SITE_URL's host, so one passkey serves every page of the platform
whatever host name a request arrived on; passkeys store the username, not the e-mail address; and a
credential that is malformed, of another site or of another account is refused with a message that
says so in the user's language, never a server error, and nothing is saved.
"""

from urllib.parse import urlsplit

from allauth.account.utils import user_display, user_pk_to_url_str
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    EditWebAuthnForm,
    LoginWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ADD_REFUSED = _(
    "The passkey could not be added. Try again; if it fails again, use another device or security key."
)
USE_REFUSED = _(
    "This passkey was not accepted: it is not a passkey of your account on this platform. "
    "Try again with another passkey, or use another way to sign in."
)
# Errors allauth raises for a credential that does not verify; others (too many attempts) pass through.
_REFUSAL_CODES = {"incorrect_code"}


class MFAAdapter(DefaultMFAAdapter):
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        """The relying party: SITE_URL's host (the canonical address of the platform) and its name."""
        return {"id": urlsplit(settings.SITE_URL).hostname, "name": gettext("Civil Society Support Room")}

    def get_public_key_credential_user_entity(self, user) -> dict:
        """What a device stores with the passkey: the username rather than the e-mail address, which
        would tell anyone who looks at the device more about its owner than needed."""
        return {
            "id": user_pk_to_url_str(user).encode("utf8"),
            "name": user.get_username(),
            "display_name": user_display(user),
        }


def _credential_field(message):
    return forms.JSONField(
        required=True, widget=forms.HiddenInput, error_messages={"required": message, "invalid": message}
    )


def _object_or_refuse(credential, message):
    """A credential is a JSON object; allauth's own add form would save `false` or `0` as one."""
    if not isinstance(credential, dict):
        raise ValidationError(message, code="passkey_refused")
    return credential


def _verify(check, message):
    """Run allauth's verification of a posted credential, turning any refusal into `message`.

    fido2 parses the posted JSON, which anyone can forge; a malformed structure surfaces as one of
    the exceptions below (allauth catches only some of them), and must be a refusal, not a 500.
    """
    try:
        return check()
    except ValidationError as error:
        if error.code in _REFUSAL_CODES:
            raise ValidationError(message, code="passkey_refused") from error
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
        raise ValidationError(message, code="passkey_refused") from error


class AddPasskeyForm(AddWebAuthnForm):
    name = forms.CharField(
        label=_("Name of this passkey"),
        required=False,
        max_length=100,
        help_text=_("For example the device it is on, to tell your passkeys apart."),
    )
    credential = _credential_field(ADD_REFUSED)
    passwordless = forms.BooleanField(
        label=_("Also sign in with this passkey alone, without my password"),
        required=False,
        initial=True,
        help_text=_("The device will ask for its PIN, fingerprint or face before it signs you in."),
    )

    def clean_credential(self):
        return _object_or_refuse(self.cleaned_data["credential"], ADD_REFUSED)

    def clean(self):
        return _verify(super().clean, ADD_REFUSED)


class RenamePasskeyForm(EditWebAuthnForm):
    name = forms.CharField(label=_("Name of this passkey"), max_length=100)


class _UsePasskeyMixin:
    def clean_credential(self):
        _object_or_refuse(self.cleaned_data["credential"], USE_REFUSED)
        return _verify(super().clean_credential, USE_REFUSED)


class AuthenticatePasskeyForm(_UsePasskeyMixin, AuthenticateWebAuthnForm):
    credential = _credential_field(USE_REFUSED)


class LoginPasskeyForm(_UsePasskeyMixin, LoginWebAuthnForm):
    credential = _credential_field(USE_REFUSED)


class ReauthenticatePasskeyForm(_UsePasskeyMixin, ReauthenticateWebAuthnForm):
    credential = _credential_field(USE_REFUSED)
