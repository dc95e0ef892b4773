"""E-mail rendering shared by every app.

An e-mail is three templates: `<name>_subject.txt`, `<name>_message.txt` and `<name>_message.html`.
The subject and the plain text are rendered without HTML escaping (a space called "Women & Peace"
reads as written, not "Women &amp; Peace"); the HTML part is escaped as usual. The subject is one line
whatever the data, so it can never carry a header break.

Jobs that write thousands of e-mails use `Frames`: each e-mail is rendered once per language and
shared context with the recipient's name (and any per-recipient part) left as a marker, then filled
in per recipient, the name escaped in the HTML part.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import escape

# Invisible separators around a word no template or translation contains; HTML escaping leaves them intact.
RECIPIENT_NAME = "\u2063recipient-name\u2063"


def _marker(slot):
    return f"\u2063slot-{slot}\u2063"


def render_text(template_name, context):
    """A plain-text template rendered without HTML escaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_email(template, context):
    """{"subject", "body", "html"} of the e-mail `template` (a path without the `_subject.txt` /
    `_message.txt` / `_message.html` endings), in the active language."""
    return {
        "subject": " ".join(render_text(f"{template}_subject.txt", context).split()),
        "body": render_text(f"{template}_message.txt", context),
        "html": render_to_string(f"{template}_message.html", context),
    }


class Frames:
    """Writes one e-mail `template` to many recipients.

    `write(user=, key=, context=, slots=)`: the first time a (language, key) pair is seen, `context()`
    is called and the e-mail rendered in that language with `recipient_name` and the `slots` names
    as markers; every call then fills the markers in: the user's public name (escaped in the HTML
    part) and each slot's {"text", "html"} value. `key` names what the shared context depends on
    (a space, a number of days); the language is added to it.
    """

    def __init__(self, template):
        self.template = template
        self._frames = {}

    def write(self, *, user, key=None, context=dict, slots=None):
        slots = slots or {}
        language = user.preferred_language or settings.LANGUAGE_CODE
        frame = self._frames.get((language, key))
        if frame is None:
            with translation.override(language):
                frame = render_email(
                    self.template,
                    {
                        "site_url": settings.SITE_URL,
                        "language": language,
                        **context(),
                        "recipient_name": RECIPIENT_NAME,
                        **{slot: _marker(slot) for slot in slots},
                    },
                )
            self._frames[(language, key)] = frame
        name = user.public_name
        written = {
            "subject": frame["subject"].replace(RECIPIENT_NAME, " ".join(name.split())),
            "body": frame["body"].replace(RECIPIENT_NAME, name),
            "html": frame["html"].replace(RECIPIENT_NAME, escape(name)),
        }
        for slot, value in slots.items():
            written["body"] = written["body"].replace(_marker(slot), value["text"])
            written["html"] = written["html"].replace(_marker(slot), value["html"])
        return written
