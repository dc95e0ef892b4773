"""Close a user's open chat sockets when their sessions change: sign-out, a password or two-factor
change (by the user, by a reset link, or by staff in admin), a session ended from the sessions page,
by staff or by expiry, a deactivated account. Channels keeps a websocket open after the session behind
it is gone, so each of these

- records the change in the liveness store (`accounts.liveness`), which every socket checks before it
  forwards anything and every process's watchdog reads every few seconds: this holds across
  processes (the Celery worker, several web servers) and when a close signal is lost; and
- tells the consumers to close at once (the permission core's `disconnect_users`, heard on each
  socket's `user.<id>` group) where the channel layer reaches them.

A client whose session still holds reconnects and is authorised afresh.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save

from accounts import liveness
from workgroups.services import connections


def _close_sockets_of(user_id):
    if user_id is not None:
        transaction.on_commit(lambda: connections.connections_close([user_id]))


def on_signed_out(sender, request=None, user=None, **kwargs):
    """This session only: the user's other devices stay signed in."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    liveness.sessions_ended([session_key])
    _close_sockets_of(getattr(user, "pk", None))


def on_credentials_change(sender, user=None, **kwargs):
    """A password or two-factor change: every socket of the user is authorised again (a new password
    also reaches `on_user_saved`, whatever path set it)."""
    user_id = getattr(user, "pk", None)
    liveness.users_changed([user_id])
    _close_sockets_of(user_id)


def on_session_deleted(sender, instance, **kwargs):
    """A Django session row or an allauth UserSession is gone (sign-out, "sign out other sessions",
    ended by staff, idle timeout, clearsessions)."""
    liveness.sessions_ended([instance.session_key])
    if sender is not Session:
        _close_sockets_of(instance.user_id)


def remember_password(sender, instance, **kwargs):
    """Keep the password hash the instance was loaded with, to see on save whether it changed (never
    loads a deferred field)."""
    instance._liveness_password = instance.__dict__.get("password")


def on_user_saved(sender, instance, created=False, **kwargs):
    """A deactivated account, or a password hash that changed (the user's own change, a reset link,
    staff in admin, `set_password()` then `save()`): Django only refuses such sessions on their next
    request, so the sockets are told here."""
    if created:
        instance._liveness_password = instance.password
        return
    loaded = getattr(instance, "_liveness_password", None)
    password_changed = (instance.password != loaded) if loaded is not None else instance._password is not None
    instance._liveness_password = instance.password
    if password_changed or not instance.is_active:
        liveness.users_changed([instance.pk])
        _close_sockets_of(instance.pk)


def connect():
    user_logged_out.connect(on_signed_out, dispatch_uid="chat-close-sockets-signed-out")
    for signal in (
        account_signals.password_changed,
        account_signals.password_set,
        account_signals.password_reset,
        mfa_signals.authenticator_added,
        mfa_signals.authenticator_removed,
        mfa_signals.authenticator_reset,
    ):
        signal.connect(on_credentials_change, dispatch_uid=f"chat-close-sockets-{id(signal)}")
    post_delete.connect(on_session_deleted, sender=UserSession, dispatch_uid="chat-user-session-ended")
    post_delete.connect(on_session_deleted, sender=Session, dispatch_uid="chat-session-deleted")
    post_init.connect(remember_password, sender=get_user_model(), dispatch_uid="chat-user-password-loaded")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="chat-user-saved")
