"""One language at a time: admin entirely in Arabic, and no words of the other language in the pages'
own text (what people wrote is theirs and is left out of the check)."""

import re
import zoneinfo
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import translation

from accounts import time_zones
from cssr import admin_labels

from .conftest import client_for

# Names of techniques and products, the same in every language.
TECHNICAL_TERMS = {
    "AMQP",
    "CELERY_TASK_QUEUES",
    "Celery",
    "CSSR",
    "HTML",
    "IP",
    "JSON",
    "LDAP",
    "RabbitMQ",
    "Redis",
    "TOTP",
    # keys of the keyboard, as printed on them
    "Command",
    "Control",
    # file formats and the programs and services people know them by
    "DOCX",
    "Excel",
    "GIF",
    "Google",
    "ics",
    "JPEG",
    "ODP",
    "ODS",
    "ODT",
    "OpenDocument",
    "Outlook",
    "PDF",
    "PIN",
    "PNG",
    "PowerPoint",
    "PPTX",
    "Thunderbird",
    "TXT",
    "WebP",
    "Word",
    "XLSX",
    "ZIP",
}
# Each language's own name in the language switcher.
LANGUAGE_NAMES = {"العربية", "العربيّة", "English"}
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
# Code-like text: dotted or snake_case names, addresses, and the JSON examples of help texts.
CODE = re.compile(
    r"https?://\S+|\S*@\S+|\w*\*{3,}|\b\w+(?:[._]\w+)+\b|\"[^\"\n]*\"|\b[A-Za-z]+\d+\b|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)
# Time zones' identifiers (admin lists every zone there is for scheduled jobs).
ZONE_NAMES = zoneinfo.available_timezones() | {
    zone.replace("_", " ") for zone in zoneinfo.available_timezones()
}
ZONE = re.compile(r"\b[A-Z][\w+\-]*(?:/[\w+\- ]*\w)*")


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes (not scripts or styles) and the attributes read out."""

    HIDDEN = {"script", "style", "template", "textarea"}  # a textarea holds a field's value
    SPOKEN = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        attrs = dict(attrs)
        for name in self.SPOKEN & attrs.keys():
            if attrs[name]:
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html):
    parser = _VisibleText()
    parser.feed(html)
    return parser.texts


def stored_texts():
    """Every text value stored in the database, and every object's name: what people and the demo
    wrote, which is shown as written whatever the language."""
    found = set()
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices
        ]
        for obj in model._default_manager.all()[:200]:
            found.add(str(obj))
            found.update(str(getattr(obj, name)) for name in fields if getattr(obj, name))
    found = {" ".join(text.split()) for text in found}
    return sorted((text for text in found if len(text) > 1), key=len, reverse=True)


def without_stored(text, stored, *, fragments=16):
    """`text` without what is stored. Nothing is left when `text` is a fragment (at least `fragments`
    characters) of a longer stored text, such as a paragraph of a rendered post."""
    if len(text) >= fragments and any(text in value for value in stored if len(value) > len(text)):
        return ""
    for value in stored:
        if len(value) < 4:
            if text.strip() == value:
                return ""
        elif value in text:
            text = text.replace(value, " ")
    return text


def foreign_words(html, language, stored):
    """The words of the other language in a page's own text."""
    found = []
    for text in visible_texts(html):
        if text.strip() in LANGUAGE_NAMES:
            continue
        if language == "ar":
            if text.strip() in ZONE_NAMES:
                continue
            text = ZONE.sub(lambda match: " " if match.group(0) in ZONE_NAMES else match.group(0), text)
            text = without_stored(CODE.sub(" ", text), stored)
            found += [
                word for word in LATIN_WORD.findall(text) if word not in TECHNICAL_TERMS and len(word) > 1
            ]
        else:
            text = without_stored(text, stored, fragments=1)
            if ARABIC.search(text):
                found.append(text)
    return found


# --- Admin -------------------------------------------------------------------------------------------


def _admin_pages(client, model):
    """A model's list, its add form, and the change form of the first object the list shows."""
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    pages = [changelist, reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
    listed = client.get(changelist).content.decode()
    first = re.search(rf'href="({re.escape(changelist)}[^"]+/change/)"', listed)
    if first is not None:
        pages.append(first.group(1))
    return pages


@pytest.fixture
def superuser_client(world):
    return client_for(world["users"]["staff"])


def test_admin_index_and_app_pages_are_in_arabic(superuser_client):
    pages = [reverse("admin:index")]
    pages += [
        reverse("admin:app_list", args=[label]) for label in {m._meta.app_label for m in admin.site._registry}
    ]
    stored = stored_texts()
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page
        assert foreign_words(response.content.decode(), "ar", stored) == [], page


@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda model: model._meta.label), ids=lambda m: m._meta.label
)
def test_every_admin_page_of_a_model_is_in_arabic(superuser_client, model):
    stored = stored_texts()
    for page in _admin_pages(superuser_client, model):
        response = superuser_client.get(page)
        if response.status_code == 403:
            continue  # nobody adds or changes these here (the audit trail, participants' texts, ...)
        assert response.status_code == 200, page
        assert foreign_words(response.content.decode(), "ar", stored) == [], page


def test_the_two_step_verification_section_is_named_for_what_it_is(superuser_client):
    body = superuser_client.get(reverse("admin:index")).content.decode()
    assert "التحقق بخطوتين" in body
    assert "وزارة الخارجية" not in body


@pytest.mark.parametrize("language", ["ar", "en"])
def test_no_two_admin_sections_share_a_name(language):
    with translation.override(language):
        sections = {model._meta.app_config for model in admin.site._registry}
        names = [str(config.verbose_name) for config in sections]
        assert len(names) == len(set(names)), sorted(names)
        for config in sections:
            models_here = [m for m in admin.site._registry if m._meta.app_config is config]
            plural = [str(m._meta.verbose_name_plural) for m in models_here]
            assert len(plural) == len(set(plural)), (config.label, sorted(plural))


def test_every_untranslatable_model_or_field_name_has_a_translation():
    """A model or field named only by its Python name (or by a plain string) is listed in
    cssr/admin_labels.py, whose names the catalogs translate."""
    missing = set()
    for model in apps.get_models():
        missing.update(
            f"{model._meta.label}: {name}"
            for _holder, _attribute, name in admin_labels.untranslated_names(model)
        )
    assert missing == set()
    with translation.override("ar"):
        untranslated = [
            name for name in admin_labels.UNTRANSLATED_NAMES if not ARABIC.search(translation.gettext(name))
        ]
    assert untranslated == []


def test_permissions_are_listed_in_the_readers_language(superuser_client):
    body = superuser_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "يمكنه إضافة" in body
    assert "Can add" not in body


def test_yes_and_no_icons_are_read_in_the_readers_language(superuser_client):
    body = superuser_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert 'alt="نعم"' in body
    assert 'alt="True"' not in body


# --- The platform's pages, as a member --------------------------------------------------------------

SKIPPED = re.compile(r"/(logout|export|download|feed|ics|delete|leave)|\.(pdf|docx?|ics|csv|xlsx|zip)$")


def _crawl(client, start, limit=60):
    """The pages a member reaches from `start` by following links, GET only, this platform only."""
    seen, queue, pages = set(), list(start), {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or SKIPPED.search(path) or path.startswith(("/admin/", "/static/", "/media/")):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        for match in re.finditer(r'href="([^"#]+)"', html):
            target = urljoin(path, match.group(1).replace("&amp;", "&"))
            if urlsplit(target).netloc in ("", "testserver"):
                queue.append(urlsplit(target).path)
    return pages


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_members_pages_show_only_their_language(content, language):
    member = content["users"]["member"]
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    client = client_for(member)
    space = content["space"]
    start = ["/", reverse("workgroups:space-detail", args=[space.pk]), reverse("accounts:profile")]
    pages = _crawl(client, start)
    assert len(pages) > 10, sorted(pages)
    stored = stored_texts()
    leaks = {path: words for path, html in pages.items() if (words := foreign_words(html, language, stored))}
    assert leaks == {}


# --- Time zones and the sign-in field -----------------------------------------------------------------


def _zone_options(html):
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S).group(0)
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select))


@pytest.mark.parametrize(
    ("language", "damascus", "istanbul", "berlin"),
    [
        ("ar", "دمشق (سوريا)", "إسطنبول (تركيا)", "برلين (ألمانيا)"),
        ("en", "Damascus (Syria)", "Istanbul (Türkiye)", "Berlin (Germany)"),
    ],
)
def test_time_zones_are_offered_by_their_names_in_the_readers_language(
    world, language, damascus, istanbul, berlin
):
    member = world["users"]["member"]
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    options = _zone_options(client_for(member).get(reverse("accounts:profile")).content.decode())
    assert options["Asia/Damascus"] == damascus
    assert options["Europe/Istanbul"] == istanbul
    assert options["Europe/Berlin"] == berlin
    assert set(options) == zoneinfo.available_timezones()  # every zone can still be chosen
    for zone, label in options.items():
        if zone in time_zones.NAMED_TIME_ZONES:
            assert bool(ARABIC.search(label)) == (language == "ar"), (zone, label)
        elif zone != "UTC":
            assert label == zone.replace("_", " "), (zone, label)  # the standard identifier, readable


def test_a_named_time_zone_is_saved_from_the_profile(world):
    member = world["users"]["member"]
    client = client_for(member)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": member.display_name,
            "title": member.title,
            "preferred_language": "ar",
            "time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code in (200, 302)
    member.refresh_from_db()
    assert member.time_zone == "Europe/Berlin"


def test_the_sign_in_field_is_filled_as_a_username(client, db):
    body = client.get(reverse("account_login")).content.decode()
    field = re.search(r'<input[^>]*name="login"[^>]*>', body).group(0)
    assert 'autocomplete="username"' in field
    assert 'autocomplete="email"' not in field
