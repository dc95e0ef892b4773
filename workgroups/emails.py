"""Outgoing e-mails of the workgroups app, each written in its recipient's language for the outbox."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def render(*, user, template, context):
    """The e-mail `template` for `user`, written in their language: {"subject", "body", "html"}, for
    the outbox (`services.outbox_add`), which sends it."""
    with translation.override(user.preferred_language):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"workgroups/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"workgroups/email/{template}_message.txt", context)
        html = render_to_string(f"workgroups/email/{template}_message.html", context)
    return {"subject": subject, "body": body, "html": html}


def inactivity_warning(*, membership):
    space = membership.space
    return render(user=membership.user, template="inactivity_warning", context={
        "space": space, "days": space.warning_days,
        "link": settings.SITE_URL + reverse("workgroups:space-detail", args=[space.pk]),
    })


def digest(*, user, sections, since, rendered=None):
    """`sections` as built by `services.digests.digest_build_batch`; headings in the user's language.

    Members of one space mostly share what is new there, so each space's part is rendered once per
    language and content and kept in `rendered` (a dict the caller keeps for one run).
    """
    rendered = {} if rendered is None else rendered
    language = user.preferred_language
    parts = []
    with translation.override(language):
        for section in sections:
            key = (language, section["space"].pk, tuple(
                (found["source"].key, found["count"],
                 tuple((line["title"], line["url"], line["count"], line["excerpt"]) for line in found["lines"]))
                for found in section["sources"]
            ))
            if key not in rendered:
                for found in section["sources"]:
                    found["heading"] = found["source"].describe(found["count"])
                context = {"section": section, "site_url": settings.SITE_URL}
                rendered[key] = {
                    "text": render_to_string("workgroups/email/digest_section.txt", context),
                    "html": render_to_string("workgroups/email/digest_section.html", context),
                }
            parts.append(rendered[key])
    return render(user=user, template="digest", context={
        "sections": parts, "since": since,
        "preferences": settings.SITE_URL + reverse("workgroups:digest-settings"),
    })
