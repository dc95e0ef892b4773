"""Close a user's open chat sockets when their sessions change: sign-out, a password or two-factor
change, a session ended from the sessions page or by staff, a deactivated account. Channels keeps a
websocket open after the session behind it is gone, so each of these tells the consumers (through the
permission core's `disconnect_users`) to close; a client whose session still holds reconnects and is
authorised afresh."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from workgroups import access


def _close_sockets_of(user_id):
    if user_id is not None:
        transaction.on_commit(lambda: access.disconnect_users([user_id]))


def on_session_change(sender, user=None, **kwargs):
    _close_sockets_of(getattr(user, "pk", None))


def on_user_session_deleted(sender, instance, **kwargs):
    _close_sockets_of(instance.user_id)


def on_user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if not created and not instance.is_active:
        _close_sockets_of(instance.pk)


def connect():
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from allauth.usersessions.models import UserSession

    for signal in (user_logged_out, account_signals.password_changed, account_signals.password_set,
                   account_signals.password_reset, mfa_signals.authenticator_added,
                   mfa_signals.authenticator_removed, mfa_signals.authenticator_reset):
        signal.connect(on_session_change, dispatch_uid=f"chat-close-sockets-{id(signal)}")
    post_delete.connect(on_user_session_deleted, sender=UserSession, dispatch_uid="chat-user-session-ended")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="chat-user-deactivated")
