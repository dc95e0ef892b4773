"""Per-request account context.

Language, time zone, and the gates every page passes (two-factor, code of conduct).
"""

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import two_factor
from .selectors import conduct_current_id, conduct_has_accepted

# Views from these packages (sign-in, two-factor, sessions) stay reachable before the gates.
_GATE_EXEMPT_MODULES = ("allauth.", "django.views.i18n", "django.views.static")


def _language_for(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language:
        return user.preferred_language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Arabic unless the user chose otherwise: the account's language, then the cookie, then Arabic.

    The browser's Accept-Language is deliberately ignored: the platform is Arabic-first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class UserTimezoneMiddleware:
    """Show times in the user's own time zone (participants live across several)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = settings.CSSR_DEFAULT_TIME_ZONE
        if request.user.is_authenticated and request.user.time_zone:
            zone = request.user.time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.CSSR_DEFAULT_TIME_ZONE))
        return self.get_response(request)


def _is_static_or_i18n(view_func):
    return (getattr(view_func, "__module__", "") or "").startswith(
        ("django.views.i18n", "django.views.static")
    )


def _is_exempt(view_func):
    module = getattr(view_func, "__module__", "") or ""
    wrapped = getattr(view_func, "view_class", None)
    return (
        getattr(view_func, "conduct_not_required", False)
        or module.startswith(_GATE_EXEMPT_MODULES)
        or (wrapped is not None and wrapped.__module__.startswith(_GATE_EXEMPT_MODULES))
    )


# Pages a signed-in person reaches before the second factor: signing out and the language switch
# always; setting up a first authenticator while the account has none (allauth asks for the password
# again first); confirming the second factor while this session has not used it.
_ALWAYS_REACHABLE = frozenset({"account_logout", "accounts:language-set"})
_SETUP_PAGES = frozenset(
    {
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
    }
)
_CONFIRM_PAGES = frozenset({"mfa_reauthenticate", "mfa_reauthenticate_webauthn"})


class TwoFactorMiddleware:
    """Whoever the two-factor policy names (accounts/two_factor.py: staff, officers, rapporteurs, or
    everyone) uses a second factor in every session: without one they are sent to set it up, with one
    this session has not used they are asked for it, and no other page opens until then."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or _is_static_or_i18n(view_func):
            return None
        if getattr(view_func, "two_factor_not_required", False):
            return None
        page = request.resolver_match.view_name if request.resolver_match else ""
        if page in _ALWAYS_REACHABLE or not two_factor.is_required(user):
            return None
        factors = two_factor.second_factors(user)
        if not factors:
            if page in _SETUP_PAGES:
                return None
            messages.warning(
                request,
                _(
                    "Your account must use two-factor authentication. "
                    "Set up an authenticator app or a passkey "
                    "to continue."
                ),
            )
            return redirect("mfa_index")
        if two_factor.session_passed(request) or page in _CONFIRM_PAGES:
            return None
        messages.info(
            request,
            _("Confirm it is you with your second factor (authenticator app or passkey) to continue."),
        )
        target = reverse("mfa_reauthenticate" if "totp" in factors else "mfa_reauthenticate_webauthn")
        if request.method in ("GET", "HEAD"):
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)


class CodeOfConductMiddleware:
    """No page behind the sign-in is shown until the user accepted the code of conduct in force."""

    SESSION_KEY = "accounts:accepted-conduct-id"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_staff or _is_exempt(view_func):
            return None
        if request.path.startswith(reverse("admin:index")):
            return None
        current_id = conduct_current_id()
        if current_id is None or request.session.get(self.SESSION_KEY) == current_id:
            return None
        if conduct_has_accepted(user=user, conduct_id=current_id):
            request.session[self.SESSION_KEY] = current_id
            return None
        return redirect(f"{reverse('accounts:conduct')}?{urlencode({'next': request.get_full_path()})}")
