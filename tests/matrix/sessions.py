"""Access-matrix rows and fixture content of the sessions page (joined in tests/matrix/__init__.py).

The sessions list and "sign out all other sessions" are allauth's (`usersessions_list`, outside the
platform's namespaces); the per-row button is ours: only the owner of a session may end it, anyone
else gets 404 as if it did not exist, and nothing changes.
"""

from .core import LOGIN, Row, expect


def _members_session(world):
    return [world["member_session"].pk]


ROWS = [
    Row(
        "accounts:session-end",
        expect(404, anonymous=LOGIN, member=302),
        method="post",
        args=_members_session,
        note="the member's other session",
    ),
]


def content(world):
    """A second session of the member (another browser), which only the member may end."""
    from allauth.usersessions.models import UserSession

    session = UserSession.objects.create(
        user=world["users"]["member"], session_key="m" * 32, ip="203.0.113.9", user_agent="Firefox · Windows"
    )
    return {"member_session": session}
