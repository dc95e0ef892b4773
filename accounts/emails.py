"""Outgoing account e-mails, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from cssr.mail import render_email

from .models import Invitation


def send_invitation(*, invitation_id, token):
    invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return False
    user = invitation.user
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "invitation": invitation,
            "link": settings.SITE_URL + reverse("accounts:invitation-accept", args=[token]),
            "days": settings.CSSR_INVITATION_DAYS,
        }
        written = render_email("accounts/email/invitation", context)
    message = EmailMultiAlternatives(written["subject"], written["body"], settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(written["html"], "text/html")
    message.send()
    return True
