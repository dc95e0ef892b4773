"""Every main page fits a 360 px phone, in Arabic (right to left) and in English (left to right).

The demo data (`manage.py load_demo`) fills the pages as a participant would see them. On each page the
test fails if the page scrolls sideways or if text is crushed into a column too narrow for its words
(titles broken letter by letter, one word per line). Each page is also photographed at 360 px and at
1280 px into test-artifacts/ as `<lang>-<width>-<page>.png`, for a person to look at.
"""

import importlib

import pytest
from django.core.management import call_command
from django.urls import reverse

from ..servers import uvicorn_in_thread
from .conftest import html_lang_dir, login, logout, sideways_overflow

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}

# Visible elements that hold text of their own and are rendered narrower than about three characters
# while being taller than three lines: a word broken letter by letter, or one word per line.
_CRUSHED = """async () => {
    await document.fonts.ready;
    const skipped = new Set(["SCRIPT", "STYLE", "svg", "IMG", "TEMPLATE", "OPTION", "SELECT"]);
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
        if (skipped.has(element.tagName)) continue;
        const own = [...element.childNodes]
            .filter((node) => node.nodeType === Node.TEXT_NODE)
            .map((node) => node.textContent)
            .join(" ")
            .trim();
        if (!own) continue;
        const longest = Math.max(...own.split(/\\s+/).map((word) => word.length));
        if (longest < 4) continue;
        const style = getComputedStyle(element);
        if (style.visibility === "hidden" || style.display === "none") continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (element.closest(".visually-hidden, .visually-hidden-focusable, [hidden]")) continue;
        const fontSize = parseFloat(style.fontSize) || 16;
        const lineHeight = parseFloat(style.lineHeight) || fontSize * 1.5;
        const narrow = box.width < Math.max(40, fontSize * 2.5);
        if (narrow && box.height > lineHeight * 3 + 2) {
            const name = element.tagName.toLowerCase()
                + (element.id ? `#${element.id}` : "")
                + [...element.classList].map((cls) => `.${cls}`).join("");
            const size = `${Math.round(box.width)}x${Math.round(box.height)} px`;
            found.push(`${name} ${size}: "${own.slice(0, 40)}"`);
        }
        if (found.length >= 5) break;
    }
    return found;
}"""


class AsgiServer:
    def __init__(self, url):
        self.url = url


@pytest.fixture
def asgi_server(transactional_db):
    """The ASGI application (HTTP and websockets), so the chat pages connect as they do in production."""
    with uvicorn_in_thread(ws="websockets-sansio") as port:
        yield AsgiServer(f"http://127.0.0.1:{port}")


# Running text (words and inline elements side by side) laid out by a flex or grid box that stacks
# its items: every marked-up word then takes a line of its own (a comparison read one word per line).
_STACKED = """() => {
    const phrasing = new Set(["A", "ABBR", "B", "CODE", "DEL", "EM", "I", "INS", "MARK", "Q", "S", "SMALL",
        "SPAN", "STRONG", "SUB", "SUP", "TIME", "U"]);
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
        const style = getComputedStyle(element);
        const stacking = (style.display.endsWith("flex") && style.flexDirection.startsWith("column"))
            || style.display.endsWith("grid");
        if (!stacking || element.getBoundingClientRect().width === 0) continue;
        const words = [...element.childNodes].filter(
            (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim().length > 0
        );
        const inline = [...element.children].filter(
            (child) => phrasing.has(child.tagName) && getComputedStyle(child).display !== "none"
        );
        if (words.length >= 2 && inline.length >= 2) {
            const name = element.tagName.toLowerCase()
                + [...element.classList].map((cls) => `.${cls}`).join("");
            const pieces = words.length + inline.length;
            found.push(`${name}: ${pieces} pieces of running text on lines of their own`);
        }
        if (found.length >= 5) break;
    }
    return found;
}"""


def crushed_text(page):
    """Visible text squeezed into a box narrower than about three characters, or running text whose
    pieces a flex or grid box puts on lines of their own (an empty list if none)."""
    return page.evaluate(_CRUSHED) + page.evaluate(_STACKED)


@pytest.fixture
def demo(conduct, settings):
    """The demo data. Transactional tests flush the tables after each test, so what the migrations seed
    (themes, the expression-of-interest questionnaire) is seeded again first, by the same code."""
    from django.apps import apps

    importlib.import_module("workgroups.migrations.0002_seed_themes").seed(apps, None)
    importlib.import_module("workgroups.migrations.0011_interest_questionnaire").create(apps, None)
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    return demo_objects()


def demo_objects():
    """The demo's objects whose pages the test opens (in the legal group's current cohort)."""
    from accounts.models import User
    from documents.models import Document, Draft
    from documents.services.drafts import draft_member_names
    from events.models import Event
    from workgroups.models import Concern, Questionnaire, Space, Thread

    space = Space.objects.get(name_en="Legal and constitutional issues working group")
    draft = Draft.objects.filter(space=space).order_by("pk").first()
    section = draft.sections.filter(revisions__number__gte=2).distinct().first() or draft.sections.first()
    if not draft_member_names(draft):
        # the export asks first when the text names a member: name one, as a careless draft would
        other = draft.sections.exclude(pk=section.pk).first() or section
        other.text = f"{other.text}\n\nاقترحت ليلى حداد هذه الصياغة."
        other.save(update_fields=["text"])
    document = Document.objects.filter(space=space).order_by("-pk").first()
    for candidate in Document.objects.filter(space=space):
        if candidate.versions.count() > document.versions.count():
            document = candidate
    return {
        "users": User.objects,
        "space": space,
        "thread": Thread.objects.filter(space=space).order_by("pk").first(),
        "concern": Concern.objects.filter(space=space).order_by("pk").first(),
        "document": document,
        "draft": draft,
        "section": section,
        "event": Event.objects.filter(space=space).order_by("pk").first(),
        "questionnaire": Questionnaire.objects.filter(title_ar="أولويات المجتمعات المحلية واحتياجاتها").get(),
        "interest": Questionnaire.objects.filter(space=None).order_by("pk").first(),
    }


def _participant_pages(demo):
    """(name, path) of the pages a rapporteur of the space sees."""
    from chat.models import Conversation

    space, draft, section = demo["space"], demo["draft"], demo["section"]
    in_space = (space.pk,)
    in_draft = (space.pk, draft.pk)
    in_section = (space.pk, draft.pk, section.pk)
    conversation = Conversation.objects.filter(space=space).order_by("pk").first()
    pages = [
        ("home", "/"),
        ("spaces", reverse("workgroups:space-list")),
        ("space", reverse("workgroups:space-detail", args=in_space)),
        ("discussions", reverse("workgroups:thread-list", args=in_space)),
        ("thread", reverse("workgroups:thread-detail", args=(space.pk, demo["thread"].pk))),
        ("concerns", reverse("workgroups:concern-list", args=in_space)),
        ("concern", reverse("workgroups:concern-detail", args=(space.pk, demo["concern"].pk))),
        ("concern-summary", reverse("workgroups:concern-summary", args=in_space)),
        ("agenda", reverse("workgroups:agenda", args=in_space)),
        ("documents", reverse("documents:document-list", args=in_space)),
        ("document", reverse("documents:document-detail", args=(space.pk, demo["document"].pk))),
        ("drafts", reverse("documents:draft-list", args=in_space)),
        ("draft", reverse("documents:draft-detail", args=in_draft)),
        ("section-history", reverse("documents:section-history", args=in_section)),
        ("compare", reverse("documents:section-diff", args=in_section)),
        ("merge", reverse("documents:section-edit", args=in_section)),
        ("export-confirm", reverse("documents:draft-export", args=(*in_draft, "pdf"))),
        ("archive", reverse("documents:archive-list")),
        ("calendar-month", reverse("events:event-month", args=in_space)),
        ("events", reverse("events:event-list", args=in_space)),
        ("event", reverse("events:event-detail", args=(space.pk, demo["event"].pk))),
        ("questionnaires", reverse("workgroups:questionnaire-list")),
        ("space-questionnaires", reverse("workgroups:space-questionnaire-list", args=in_space)),
        ("questionnaire", reverse("workgroups:questionnaire-respond", args=(demo["questionnaire"].pk,))),
        ("results", reverse("workgroups:questionnaire-results", args=(demo["questionnaire"].pk,))),
        (
            "results-by-region",
            reverse("workgroups:questionnaire-results", args=(demo["questionnaire"].pk,)) + "?by=region",
        ),
        ("chat", reverse("chat:conversation-list")),
        ("notifications", reverse("workgroups:notification-list")),
        ("search", reverse("workgroups:search") + "?q=%D8%A7%D9%84%D8%AF%D8%B3%D8%AA%D9%88%D8%B1"),
        ("profile", reverse("accounts:profile")),
        ("sessions", reverse("usersessions_list")),
        ("two-factor", reverse("mfa_index")),
        ("notification-settings", reverse("workgroups:notification-settings")),
        ("calendar-feed", reverse("events:calendar-feed-settings")),
    ]
    if conversation is not None:
        pages.insert(-5, ("conversation", conversation.get_absolute_url()))
    return pages


def _staff_pages(demo):
    """(name, path) of the pages operations staff see."""
    from documents.models import ArchiveEntry

    entry = ArchiveEntry.objects.order_by("pk").first()
    pages = [
        ("staff-outputs", reverse("documents:outputs-inbox")),
        ("staff-balance", reverse("workgroups:balance-report")),
        ("staff-interest", reverse("workgroups:interest-list")),
        ("staff-proposals", reverse("workgroups:proposal-list")),
        ("staff-questionnaires", reverse("workgroups:questionnaire-list")),
        ("staff-interest-results", reverse("workgroups:questionnaire-results", args=(demo["interest"].pk,))),
        ("admin", reverse("admin:index")),
        ("admin-spaces", reverse("admin:workgroups_space_changelist")),
        ("admin-space", reverse("admin:workgroups_space_change", args=(demo["space"].pk,))),
        ("admin-memberships", reverse("admin:workgroups_membership_changelist")),
        ("admin-users", reverse("admin:accounts_user_changelist")),
    ]
    if entry is not None:
        pages.insert(0, ("archive-entry", reverse("documents:archive-detail", args=(entry.pk,))))
    return pages


def _open(page, server, name, path):
    """Open one page as a participant reaches it; the merge view is what a save on a stale revision shows."""
    response = page.goto(f"{server.url}{path}")
    if name == "merge":
        form = page.locator("#main form").filter(has=page.locator("textarea[name=text]"))
        form.locator("input[name=base_revision]").evaluate("(input) => { input.value = '0'; }")
        form.locator("textarea[name=text]").fill(
            "نص مقترح جديد يعيد صياغة الفقرة بالكامل ليختلف عن النص الحالي للقسم اختلافاً واضحاً.\n\n"
            "A second paragraph in English, with a long address: https://example.invalid/"
            "a-very-long-path-that-never-breaks-on-its-own/and-goes-on-and-on"
        )
        with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
            form.locator("button[type=submit]").first.click()
        page.wait_for_load_state("load")
        status = answer.value.status
        assert status == 409, f"{name}: the save was not refused as stale ({status})"
        return
    assert response is not None and response.ok, f"{name}: {path} answered {response and response.status}"


def _check_pages(page, server, artifacts_dir, lang, pages):
    problems = []
    for name, path in pages:
        page.set_viewport_size(PHONE)
        _open(page, server, name, path)
        assert html_lang_dir(page) == (lang, "rtl" if lang == "ar" else "ltr"), name
        overflow = sideways_overflow(page)
        crushed = crushed_text(page)
        if overflow:
            problems.append(f"{name} ({path}) scrolls sideways: {overflow}")
        if crushed:
            problems.append(f"{name} ({path}) crushes text: {crushed}")
        page.screenshot(path=str(artifacts_dir / f"{lang}-360-{name}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(artifacts_dir / f"{lang}-1280-{name}.png"), full_page=True)
    return problems


# Who signs in, and what they see: a rapporteur (every page of a space, the merge view, the results
# of the space's survey), a political officer (the outputs inbox) and operations staff (staff pages, admin).
def _visits(demo):
    return [
        ("layla", _participant_pages(demo)),
        ("nadia", [("outputs", reverse("documents:outputs-inbox"))]),
        ("ops", _staff_pages(demo)),
    ]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_main_page_fits_a_phone(new_page, asgi_server, demo, artifacts_dir, lang):
    from accounts.demo import DEMO_PASSWORD

    visits = _visits(demo)
    demo["users"].filter(username__in=[username for username, _ in visits]).update(preferred_language=lang)
    page = new_page(viewport=PHONE, locale=lang)
    problems = []
    for index, (username, pages) in enumerate(visits):
        if index:
            page.set_viewport_size(PHONE)
            logout(page)
        login(page, asgi_server, username, DEMO_PASSWORD)
        problems += _check_pages(page, asgi_server, artifacts_dir, lang, pages)
    assert not problems, "\n".join(problems)
