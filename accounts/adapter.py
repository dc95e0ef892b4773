from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from . import throttle
from .network import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks for the platform: sign-up closed, the client address of accounts/network.py, and
    the sign-in throttle of accounts/throttle.py."""

    def is_open_for_signup(self, request):
        """Accounts exist only by invitation (P1): the sign-up page answers that sign-up is closed."""
        return False

    def get_client_ip(self, request):
        """The address rate limits and the sessions list use: the socket's, or the one the trusted proxies
        report (`CSSR_TRUSTED_PROXY_COUNT`), never a header value the client chose. A request whose
        address cannot be trusted is refused, as allauth does, rather than counted as nobody."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied(
                _("The platform cannot tell where this request comes from, so it cannot sign you in. "
                  "Please tell the operations support team.")
            )
        return address

    def pre_authenticate(self, request, **credentials):
        """Count the attempt (accounts/throttle.py) instead of allauth's per-name limit, which anyone could
        use to keep a named person out."""
        login = credentials.get("username") or credentials.get("email") or ""
        self._sign_in_attempt = throttle.attempt_begin(request, login=login)

    def authenticate(self, request, **credentials):
        self._sign_in_attempt = None
        user = super().authenticate(request, **credentials)
        if self._sign_in_attempt is not None:
            if user is None:
                throttle.failed(self._sign_in_attempt)
            else:
                throttle.succeeded(self._sign_in_attempt, user=user)
        return user
