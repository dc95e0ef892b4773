from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from workgroups.models import OutgoingEmail
from workgroups.services.outbox import outbox_add, outbox_send_soon

from . import throttle
from .network import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks for the platform: sign-up closed, the client address of accounts/network.py, the
    sign-in throttle of accounts/throttle.py, and allauth's e-mails through the outbox."""

    def is_open_for_signup(self, request):
        """Accounts exist only by invitation: the sign-up page answers that sign-up is closed."""
        return False

    def send_mail(self, template_prefix, email, context_data):
        """Every e-mail allauth writes (password reset, sign-in codes, account notices, also those of its
        MFA part, which call this adapter) is rendered as allauth renders it, in the language of the
        request, and written to the outbox in the transaction of the moment; the sender runs after
        commit. Their text holds links and codes, so the outbox forgets it once sent."""

        request = context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context_data},
        )
        if message.content_subtype == "html":  # an e-mail with an HTML template only
            written = {"subject": message.subject, "body": strip_tags(message.body), "html": message.body}
        else:
            written = {
                "subject": message.subject,
                "body": message.body,
                "html": next(
                    (
                        content
                        for content, mimetype in getattr(message, "alternatives", ())
                        if mimetype == "text/html"
                    ),
                    "",
                ),
            }
        outbox_add((address, OutgoingEmail.Kind.ACCOUNT, written) for address in message.to)
        outbox_send_soon()

    def get_client_ip(self, request):
        """The address rate limits and the sessions list use: the socket's, or the one the trusted proxies
        report (`CSSR_TRUSTED_PROXY_COUNT`), never a header value the client chose. A request whose
        address cannot be trusted is refused, as allauth does, rather than counted as nobody."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied(
                _(
                    "The platform cannot tell where this request comes from, so it cannot sign you in. "
                    "Please tell the operations support team."
                )
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
