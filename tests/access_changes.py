"""Every change after which a user's open sockets must stop receiving, as the tests make it.

Each function takes the `chat` dict of the websocket tests (the `world` fixture plus the space's
conversation), the user whose socket is watched and that socket's session key (its cookie), and makes
the change the way the platform does: over the pages with the test client, through a service, or
with the ORM as a shell or a job would. `CHANGES` pairs each with what a reconnect of the same
socket then gets: the close code, or None when the session still holds and the socket opens again.
"""

import re

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from workgroups import services as workgroup_services
from workgroups.models import Membership, Role

from . import factories
from .conftest import client_for

SIGNED_OUT, FORBIDDEN, SESSION_ENDED = 4401, 4403, 4408


def sign_out(chat, user, cookie):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert client.post("/accounts/logout/").status_code == 302


def end_other_sessions(chat, user, cookie):
    from allauth.usersessions.models import UserSession

    UserSession.objects.create(user=user, session_key=cookie, ip="127.0.0.1", user_agent="phone")
    assert client_for(user).post("/accounts/sessions/").status_code == 302
    assert not UserSession.objects.filter(session_key=cookie).exists()


def change_own_password(chat, user, cookie):
    response = client_for(user).post(
        "/accounts/password/change/",
        {
            "oldpassword": factories.PASSWORD,
            "password1": "a-new-long-passphrase-2026",
            "password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302, response.content[:500]


def reset_password_by_link(chat, user, cookie):
    assert Client().post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    client = Client()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "Reset-secret-2254!", "password2": "Reset-secret-2254!"})
    assert response.status_code == 302, response.content[:500]


def staff_sets_password_in_admin(chat, user, cookie):
    response = client_for(chat["users"]["staff"]).post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {
            "usable_password": "true",
            "password1": "Staff-set-secret-2254!",
            "password2": "Staff-set-secret-2254!",
        },
    )
    assert response.status_code == 302, response.content[:500]


def set_password_and_save(chat, user, cookie):
    user.set_password("Shell-set-secret-2254!")
    user.save()


def deactivate(chat, user, cookie):
    user.is_active = False
    user.save()


def remove_two_factor(chat, user, cookie):
    from allauth.mfa.signals import authenticator_removed

    authenticator_removed.send(sender=type(user), request=None, user=user, authenticator=None)


def delete_session_row(chat, user, cookie):
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=cookie).delete()[0] == 1


def staff_locks(chat, user, cookie):
    membership = Membership.objects.get(space=chat["space"], user=user)
    workgroup_services.membership_lock(actor=chat["users"]["staff"], membership=membership, reason="test")


def inactivity_job_locks(chat, user, cookie):
    from datetime import timedelta

    from django.utils import timezone

    from workgroups.services import inactivity_run

    long_ago = timezone.now() - timedelta(days=chat["space"].inactivity_days + 1)
    Membership.objects.filter(space=chat["space"], user=user).update(
        joined_at=long_ago, last_contribution_at=long_ago
    )
    assert inactivity_run()["locked"] == 1


def staff_removes(chat, user, cookie):
    membership = Membership.objects.get(space=chat["space"], user=user)
    workgroup_services.membership_leave(actor=chat["users"]["staff"], membership=membership)


def staff_changes_role(chat, user, cookie):
    membership = Membership.objects.get(space=chat["space"], user=user)
    workgroup_services.membership_change_role(
        actor=chat["users"]["staff"], membership=membership, role=Role.RAPPORTEUR
    )


CHANGES = {
    sign_out: SIGNED_OUT,
    end_other_sessions: SIGNED_OUT,
    change_own_password: SIGNED_OUT,
    reset_password_by_link: SIGNED_OUT,
    staff_sets_password_in_admin: SIGNED_OUT,
    set_password_and_save: SIGNED_OUT,
    deactivate: SIGNED_OUT,
    remove_two_factor: None,
    delete_session_row: SIGNED_OUT,
    staff_locks: FORBIDDEN,
    inactivity_job_locks: FORBIDDEN,
    staff_removes: FORBIDDEN,
    staff_changes_role: SIGNED_OUT,  # a rapporteur must use a second factor, which this session did not
}
