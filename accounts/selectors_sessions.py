"""Reads of a person's own sessions."""


def user_session_get(*, user, session_id):
    """One of `user`'s sessions by id, or None (someone else's looks exactly like a missing one)."""
    from allauth.usersessions.models import UserSession

    return UserSession.objects.filter(user_id=user.pk, pk=session_id).first()
