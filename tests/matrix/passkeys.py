"""Access-matrix rows and fixture content of the passkey pages (joined in tests/matrix/__init__.py).

The pages are allauth's (`mfa_*webauthn`, outside the platform's namespaces; tests/matrix/test_http.py
walks them too). Adding, renaming and removing a passkey first ask for the password again: the
matrix's clients signed in a while ago, so every role is sent to confirm it (owners and strangers
alike; who may act after confirming is in tests/test_passkeys.py: the owner, anyone else gets 404).
Passkey sign-in is public: it answers signed-out visitors, and sends signed-in ones home.
"""

from .core import Row, expect, signed_in

REAUTHENTICATE = 302  # to /accounts/reauthenticate/ (signed out: to the sign-in page)
GARBAGE = {"name": "x", "credential": "not json"}


def _members_passkey(world):
    return [world["member_passkey"].pk]


ROWS = [
    Row("mfa_list_webauthn", signed_in(200)),
    Row("mfa_add_webauthn", signed_in(REAUTHENTICATE)),
    Row("mfa_add_webauthn", signed_in(REAUTHENTICATE), method="post", data=lambda w: GARBAGE),
    Row("mfa_edit_webauthn", signed_in(REAUTHENTICATE), args=_members_passkey, note="the member's passkey"),
    Row(
        "mfa_edit_webauthn",
        signed_in(REAUTHENTICATE),
        method="post",
        args=_members_passkey,
        data=lambda w: {"name": "stolen"},
        note="the member's passkey",
    ),
    Row("mfa_remove_webauthn", signed_in(REAUTHENTICATE), args=_members_passkey, note="the member's passkey"),
    Row(
        "mfa_remove_webauthn",
        signed_in(REAUTHENTICATE),
        method="post",
        args=_members_passkey,
        note="the member's passkey",
    ),
    # Confirming access with a passkey is for those who have one; anyone else is sent to the password.
    Row("mfa_reauthenticate_webauthn", signed_in(302, member=200)),
    Row(
        "mfa_reauthenticate_webauthn",
        signed_in(302),
        method="post",
        data=lambda w: GARBAGE,
        note="refused: back to sign-in with a message",
    ),
    Row("mfa_login_webauthn", expect(302), public=True, note="not asked for JSON: to the sign-in page"),
    Row(
        "mfa_login_webauthn",
        expect(302),
        method="post",
        data=lambda w: GARBAGE,
        public=True,
        note="refused: back to sign-in with a message",
    ),
]


def content(world):
    """A passkey of the member, which only the member may rename or remove."""
    from ..soft_passkey import stored_passkey

    return {"member_passkey": stored_passkey(world["users"]["member"])}
