"""Accessibility of the main pages, checked by axe-core in a real browser, in Arabic and in English.

axe-core is vendored from npm into static/vendor/axe/ by scripts/vendor_static.sh, for these tests only:
no template loads it. Each page is opened by a signed-in member (one sign-in per language). The
browser context adds the vendored file to every page it opens, as a Playwright init script: a script
tag would be an inline script, which the Content-Security-Policy refuses (and these pages keep their
policy). axe runs with the WCAG 2 A and AA rules and its best practices, and the test fails on any
violation of impact "serious" or "critical", naming the rule and the elements.
"""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from ..servers import uvicorn_in_thread
from .conftest import REPO_ROOT, html_lang_dir, login, path_of

AXE = REPO_ROOT / "static" / "vendor" / "axe" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
RULE_TAGS = ["wcag2a", "wcag2aa", "best-practice"]

_RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return {
        passes: results.passes.length,
        violations: results.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
        })),
    };
}"""


class AsgiServer:
    def __init__(self, url):
        self.url = url


@pytest.fixture
def asgi_server(transactional_db):
    """The platform's ASGI application (HTTP and websockets, as in production: the conversation page
    opens its websocket), in uvicorn in a thread of the test process."""
    with uvicorn_in_thread(ws="websockets-sansio") as port:
        yield AsgiServer(f"http://127.0.0.1:{port}")


@pytest.fixture
def interest_questionnaire(transactional_db):
    """The expression-of-interest questionnaire its migration creates: transactional tests flush the
    tables after each test, so it is created again here (the migration's own code) when it is gone."""
    from django.apps import apps

    importlib.import_module("workgroups.migrations.0011_interest_questionnaire").create(apps, None)


def _pages(world):
    """(name, path) of every main page a member opens, with the world's content."""
    space = world["space"].pk
    return [
        ("home", reverse("workgroups:space-list")),
        ("spaces to join", reverse("workgroups:interest-list")),
        ("space home", reverse("workgroups:space-detail", args=[space])),
        ("discussions", reverse("workgroups:thread-list", args=[space])),
        ("thread", reverse("workgroups:thread-detail", args=[space, world["thread"].pk])),
        ("concerns", reverse("workgroups:concern-list", args=[space])),
        ("concern", reverse("workgroups:concern-detail", args=[space, world["concern"].pk])),
        ("agenda", reverse("workgroups:agenda", args=[space])),
        ("documents", reverse("documents:document-list", args=[space])),
        ("document", reverse("documents:document-detail", args=[space, world["document"].pk])),
        ("drafts", reverse("documents:draft-list", args=[space])),
        ("draft", reverse("documents:draft-detail", args=[space, world["draft"].pk])),
        ("calendar", reverse("events:event-month", args=[space])),
        ("calendar feed", reverse("events:calendar-feed-settings")),
        ("events", reverse("events:event-list", args=[space])),
        ("event", reverse("events:event-detail", args=[space, world["event"].pk])),
        ("questionnaires", reverse("workgroups:questionnaire-list")),
        (
            "questionnaire",
            reverse("workgroups:questionnaire-respond", args=[world["space_questionnaire"].pk]),
        ),
        ("chat list", reverse("chat:conversation-list")),
        ("conversation", reverse("chat:conversation-detail", args=[world["chat_conversation"].public_id])),
        ("notifications", reverse("workgroups:notification-list")),
        ("search", reverse("workgroups:search") + "?q=%D8%A7%D9%84%D8%AF%D8%B3%D8%AA%D9%88%D8%B1"),
        ("profile", reverse("accounts:profile")),
        ("sessions", reverse("usersessions_list")),
    ]


def _violations(page):
    """axe's serious and critical violations on `page`, as readable lines."""
    page.wait_for_load_state("load")
    results = page.evaluate(_RUN_AXE, RULE_TAGS)
    assert results["passes"] > 0, f"axe checked nothing on {page.url}"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {violation['targets']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_main_pages_have_no_serious_accessibility_violations(
    new_page, asgi_server, conduct, interest_questionnaire, content, language
):
    assert AXE.is_file(), "static/vendor/axe/axe.min.js is missing: run scripts/vendor_static.sh"
    member = content["users"]["member"]
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    # the content gives the member a passkey, which would ask for it at sign-in: a password is enough here
    Authenticator.objects.filter(user=member).delete()
    page = new_page()
    page.context.add_init_script(path=str(AXE))
    found = {}

    page.goto(f"{asgi_server.url}{reverse('account_login')}")
    if language == "en":
        with page.expect_navigation():
            page.locator("footer form.language-switcher").get_by_role("button", name="English").click()
    assert html_lang_dir(page)[0] == language
    found["sign-in"] = _violations(page)

    login(page, asgi_server, member.username)
    assert path_of(page) == reverse("workgroups:space-list"), page.url
    for name, path in _pages(content):
        response = page.goto(f"{asgi_server.url}{path}")
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert html_lang_dir(page)[0] == language, name
        found[name] = _violations(page)

    report = [f"{name} ({language}): {line}" for name, lines in found.items() for line in lines]
    assert not report, "accessibility violations:\n" + "\n".join(report)


def test_no_page_loads_axe():
    """axe-core is for these tests only: no template, script or stylesheet of the platform names it."""
    sources = [
        path
        for folder in ("templates", "static/js", "static/css")
        for path in (REPO_ROOT / folder).rglob("*")
        if path.is_file() and path.suffix in (".html", ".txt", ".js", ".css")
    ]
    assert sources
    assert not [path for path in sources if "vendor/axe" in path.read_text(encoding="utf-8")]
