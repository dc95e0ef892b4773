from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from cssr import admin_labels

        from . import audit  # noqa: F401 - connects the receiver that records staff sign-ins
        from .sessions import connect as connect_sessions
        from .throttle import connect as connect_throttle
        from .two_factor import connect as connect_two_factor

        connect_sessions()  # session lifetime stamps, known devices, minimal UserSession metadata
        connect_throttle()  # a password reset lifts the account's sign-in wait
        connect_two_factor()  # the two-factor gate's cached facts, and a first authenticator's session
        admin_labels.install()  # admin's names for third-party apps and derived model and field names
