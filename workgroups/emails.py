"""Outgoing e-mails of the workgroups app, each written in its recipient's language for the outbox.

The jobs write thousands at a time, so each writer renders an e-mail once per language and shared
content (`cssr.mail.Frames`) and fills in each recipient.
"""

from collections import OrderedDict

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cssr.mail import Frames, render_text


class InactivityWarnings:
    """Writes warning e-mails: rendered once per language and space, filled in per member."""

    def __init__(self):
        self.frames = Frames("workgroups/email/inactivity_warning")

    def write(self, membership):
        space = membership.space
        return self.frames.write(
            user=membership.user,
            key=space.pk,
            context=lambda: {
                "space": space,
                "days": space.warning_days,
                "link": settings.SITE_URL + space.get_absolute_url(),
            },
        )


class ReinstatementEmails:
    """Writes the e-mails about one request to be reinstated (`template`: the request to the
    operations staff, or the answer to the member), each in its recipient's language."""

    def __init__(self, template, request, *, link):
        self.frames = Frames(template)
        self.request = request
        self.link = link

    def write(self, user):
        membership = self.request.membership
        return self.frames.write(
            user=user,
            context=lambda: {
                "space": membership.space,
                "member": membership.user.public_name,
                "request": self.request,
                "reinstated": self.request.outcome == self.request.Outcome.REINSTATED,
                "link": settings.SITE_URL + self.link,
            },
        )


class Digests:
    """Writes digest e-mails. `sections` as built by `services.digests.digest_build_batch`.

    Members of one space mostly share what is new there, so each space's part is rendered once per
    language and content (the most recently used `SECTIONS_KEPT` are kept, so one writer serves a
    whole run in bounded memory), and the greeting and frame once per language.
    """

    SECTIONS_KEPT = 4096

    def __init__(self):
        self.frames = Frames("workgroups/email/digest")
        self.sections = OrderedDict()

    def write(self, *, user, sections):
        language = user.preferred_language or settings.LANGUAGE_CODE
        parts = [self._section(language, section) for section in sections]
        return self.frames.write(
            user=user,
            context=lambda: {"preferences": settings.SITE_URL + reverse("workgroups:digest-settings")},
            slots={
                "sections": {
                    "text": "".join(part["text"] for part in parts),
                    "html": "".join(part["html"] for part in parts),
                }
            },
        )

    def _section(self, language, section):
        key = (
            language,
            section["space"].pk,
            tuple(
                (
                    found["source"].key,
                    found["count"],
                    tuple(
                        (line["title"], line["url"], line["count"], line["excerpt"])
                        for line in found["lines"]
                    ),
                )
                for found in section["sources"]
            ),
        )
        part = self.sections.get(key)
        if part is not None:
            self.sections.move_to_end(key)
        else:
            with translation.override(language):
                sources = [
                    {**found, "heading": found["source"].describe(found["count"])}
                    for found in section["sources"]
                ]
                context = {"section": {**section, "sources": sources}, "site_url": settings.SITE_URL}
                part = self.sections[key] = {
                    "text": render_text("workgroups/email/digest_section.txt", context),
                    "html": render_to_string("workgroups/email/digest_section.html", context),
                }
            if len(self.sections) > self.SECTIONS_KEPT:
                self.sections.popitem(last=False)
        return part
