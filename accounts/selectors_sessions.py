"""Reads of a person's own sessions."""

from allauth.usersessions.models import UserSession

from . import liveness


def user_session_get(*, user, session_id):
    """One of `user`'s sessions by id, or None (someone else's looks exactly like a missing one)."""
    return UserSession.objects.filter(user_id=user.pk, pk=session_id).first()


def user_sessions_live(*, user):
    """`user`'s sessions that still sign them in, oldest first, in three queries whatever their number
    (allauth's own list asks the session store about each row): the rows, the stored sessions they
    name (database sessions; other engines load each), and one DELETE for rows whose session is gone,
    expired, or no longer carries the current password's hash."""
    sessions = list(UserSession.objects.filter(user_id=user.pk).order_by("created_at", "pk"))
    stored = liveness.stored_sessions({session.session_key for session in sessions})
    live = [session for session in sessions if liveness.signs_in(stored.get(session.session_key, {}), user)]
    gone = [session.pk for session in sessions if session not in live]
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()
    return live
