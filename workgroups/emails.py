"""Outgoing e-mails of the workgroups app, each rendered in its recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def _send(*, user, template, context):
    with translation.override(user.preferred_language):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"workgroups/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"workgroups/email/{template}_message.txt", context)
        html = render_to_string(f"workgroups/email/{template}_message.html", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_inactivity_warning(*, membership):
    space = membership.space
    _send(user=membership.user, template="inactivity_warning", context={
        "space": space, "days": space.warning_days,
        "link": settings.SITE_URL + reverse("workgroups:space-detail", args=[space.pk]),
    })


def send_digest(*, user, sections, since):
    _send(user=user, template="digest", context={
        "sections": sections, "since": since,
        "preferences": settings.SITE_URL + reverse("workgroups:digest-settings"),
    })
