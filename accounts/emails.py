"""Outgoing account e-mails, rendered in the recipient's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cssr.mail import render_email


def invitation_email(*, invitation, token):
    """The invitation e-mail with its one-time link ({"subject", "body", "html"}), in the invitee's
    language. `token` exists only here and in the e-mail: written to the outbox by the transaction
    that creates the invitation, never handed to the task queue."""
    user = invitation.user
    with translation.override(user.preferred_language):
        return render_email(
            "accounts/email/invitation",
            {
                "user": user,
                "invitation": invitation,
                "link": settings.SITE_URL + reverse("accounts:invitation-accept", args=[token]),
                "days": settings.CSSR_INVITATION_DAYS,
            },
        )
