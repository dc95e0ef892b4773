"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every test under tests/e2e is marked `e2e` here, so `pytest -m "not e2e"` (the unit run) never starts a
browser and `make test-e2e` runs only these. Each page a test opens fails the test if it logs a console
error, throws, breaks the Content-Security-Policy, or tries to reach any host but the live server's
(participants' visits must never reach third parties).
"""

import importlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# Chromium reports CSP violations as console errors; this makes sure any violation (including ones a
# report-only policy would let through) is reported the same way, whatever the browser's wording.
_CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


# --- Collection ------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on e2e items, so `new_page` can screenshot the pages of a failed test."""
    report = yield
    if item.get_closest_marker("e2e") is not None:
        setattr(item, f"e2e_report_{report.when}", report)
    return report


# --- Database --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the browser tests' database is a file in WAL mode, as `make run`'s is.

    Django's default test database for SQLite is in memory with a shared cache, where the live
    server's threads, the ASGI server's and a test's own thread lock whole tables: a read that meets
    another thread's write fails at once with "database table is locked" instead of waiting, which no
    deployment ever does. A file database lets readers read beside a writer and writers wait their turn.
    Django replaces the file when the run starts and removes it when the run ends.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        (REPO_ROOT / "var").mkdir(exist_ok=True)
        # one file per run, so two runs on one machine never share (or remove) each other's database
        database.setdefault("TEST", {})["NAME"] = str(REPO_ROOT / "var" / f"test-e2e-{os.getpid()}.sqlite3")


# --- Browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in the test thread; Django's ORM must be allowed there.

    Set for the e2e tests only (not at import), so a unit run in the same process keeps Django's guard.
    """
    already = "DJANGO_ALLOW_ASYNC_UNSAFE" in os.environ
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    if not already:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def browser(_allow_orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


def _through_the_app(wsgi_app):
    return wsgi_app


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but static files are served by the app itself (WhiteNoise, from
    STATIC_ROOT and its manifest) as in production.

    pytest-django's default serves /static/ through the staticfiles finders, which know nothing of
    the hashed names CompressedManifestStaticFilesStorage puts in the pages, so every stylesheet,
    script and font would be a 404.
    """
    from django.conf import settings
    from pytest_django.live_server_helper import LiveServer

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        pytest.fail(
            f"{manifest} is missing: run `make static` (manage.py collectstatic) before the e2e tests"
        )
    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _through_the_app
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def artifacts_dir():
    """<repo>/test-artifacts/ (gitignored): screenshots the tests take, and of every failed test."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def new_page(browser, live_server, request, artifacts_dir):
    """`new_page(viewport=PHONE, locale=None)`: a page in a fresh browser context (no cookies).

    At teardown the test fails if any page logged a console error, threw an uncaught exception,
    violated the CSP, or asked for anything from a host other than the live server's (such
    requests are blocked, never sent).
    """
    server_host = urlsplit(live_server.url).hostname
    allowed_hosts = LOCAL_HOSTS | {server_host}
    contexts, pages, errors, off_site = [], [], [], []

    def watch(page):
        if page in pages:
            return
        pages.append(page)

        def on_console(msg):
            failed_url = msg.location.get("url", "")
            if msg.type == "error" and "Failed to load resource" in msg.text and failed_url == page.url:
                return  # the page itself answered 4xx: the test asserts that status on purpose
            if msg.type == "error":
                errors.append(f"console error on {page.url}: {msg.text} ({msg.location.get('url', '')})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"uncaught exception on {page.url}: {exc}"))

    def guard(route):
        url = route.request.url
        if urlsplit(url).hostname not in allowed_hosts:
            off_site.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def make(viewport=None, locale=None):
        options = {"viewport": dict(viewport or PHONE), "service_workers": "block"}
        if locale:
            options["locale"] = locale
        context = browser.new_context(**options)
        contexts.append(context)
        context.add_init_script(_CSP_WATCH)
        context.route("**/*", guard)
        context.on("page", watch)
        page = context.new_page()
        watch(page)
        return page

    yield make

    call = getattr(request.node, "e2e_report_call", None)
    if call is not None and call.failed:
        for index, page in enumerate(pages):
            if not page.is_closed():
                name = f"FAILED-{request.node.name}-{index}.png".replace("/", "_")
                page.screenshot(path=artifacts_dir / name, full_page=True)
    for context in contexts:
        context.close()
    assert not off_site, f"requests to hosts other than the live server: {off_site}"
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    """A phone-sized page (360 x 740) in its own context."""
    return new_page()


# --- Data ------------------------------------------------------------------------------------


@pytest.fixture
def conduct(transactional_db):
    """The code of conduct in force. Migrations seed it, but transactional tests flush the tables
    after each test, so it is seeded again here (the same migration code) when it is gone."""
    from django.apps import apps
    from django.core.cache import cache

    from accounts.selectors import CURRENT_CONDUCT_CACHE_KEY, conduct_current

    current = conduct_current()
    if current is None:
        importlib.import_module("accounts.migrations.0002_seed_expertise_and_conduct").seed(apps, None)
        cache.delete(CURRENT_CONDUCT_CACHE_KEY)
        current = conduct_current()
    return current


# --- Helpers ---------------------------------------------------------------------------------


def login(page, live_server, username, password=None):
    """Sign in through the real sign-in form, as a participant would. An account that must use a second
    factor (accounts/two_factor.py: officers, rapporteurs, staff) then enters one of its recovery codes:
    a TOTP code could cross its 30-second window between being computed and being checked."""
    from tests.factories import PASSWORD

    code = _second_factor_code(username)
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator('form[action="/accounts/login/"]')
    form.locator('input[name="login"]').fill(username)
    form.locator('input[name="password"]').fill(password or PASSWORD)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert urlsplit(page.url).path != "/accounts/login/", (
        f"sign-in failed for {username!r}: still on {page.url}"
    )
    if code is not None:
        assert urlsplit(page.url).path == "/accounts/2fa/authenticate/", page.url
        form = page.locator('form[action="/accounts/2fa/authenticate/"]').filter(
            has=page.locator('input[name="code"]')
        )
        form.locator('input[name="code"]').fill(code)
        with page.expect_navigation():
            form.locator('button[type="submit"]').click()
        assert urlsplit(page.url).path != "/accounts/2fa/authenticate/", (
            f"second factor refused for {username!r}"
        )


def _second_factor_code(username):
    """An unused recovery code of `username` if they must sign in with a second factor (an authenticator
    app is set up for them first if they have none), else None."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts import two_factor
    from accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None or not two_factor.is_required(user):
        return None
    if not two_factor.second_factors(user):
        TOTP.activate(user, generate_totp_secret())
    codes = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    if codes is None:
        return RecoveryCodes.activate(user).get_unused_codes()[0]
    return RecoveryCodes(codes).get_unused_codes()[0]


def logout(page):
    """Sign out with the header's button (behind the menu toggler on a phone), and wait until the
    sign-in form is shown.

    Waits on what the participant sees, not on navigation events: the sign-out is a POST answered by
    two redirects, and under load a wait for "the next navigation" raced them. The phone menu is opened
    only once Bootstrap has finished its animation (`show` replaces `collapsing`), so the click lands on
    a button that no longer moves.
    """
    from playwright.sync_api import expect

    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        menu = page.locator("#main-nav")
        if "show" not in (menu.get_attribute("class") or "").split():
            toggler.click()
        expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"), timeout=15_000)
    button = page.locator('form[action="/accounts/logout/"] button[type="submit"]')
    button.click()
    expect(page.locator('form[action="/accounts/login/"]')).to_be_visible(timeout=30_000)


def html_lang_dir(page):
    html = page.locator("html")
    return html.get_attribute("lang"), html.get_attribute("dir")


def path_of(page):
    return urlsplit(page.url).path


_SIDEWAYS = """async () => {
    await document.fonts.ready;  // widths are final only once the vendored fonts are in
    const root = document.documentElement, width = root.clientWidth;
    if (root.scrollWidth <= width) return [];
    const clipped = (element) => {
        for (let parent = element.parentElement; parent && parent !== root; parent = parent.parentElement) {
            const style = getComputedStyle(parent);
            if (style.overflowX !== "visible" && style.overflowX !== "clip") {
                const box = parent.getBoundingClientRect();
                if (box.left >= -1 && box.right <= width + 1) return true;
            }
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")].filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && (box.left < -1 || box.right > width + 1) && !clipped(element);
    }).slice(0, 5).map((element) => {
        const box = element.getBoundingClientRect();
        return `${element.tagName.toLowerCase()}.${[...element.classList].join(".")} `
            + `[${Math.round(box.left)}, ${Math.round(box.right)}]`;
    }).concat([`document ${root.scrollWidth} px wide in a ${width} px viewport`]);
}"""


def sideways_overflow(page):
    """What makes `page` scroll sideways (an empty list when nothing does), once the page and its
    stylesheets have loaded (a click that navigates returns before) and after the fonts load."""
    page.wait_for_load_state("load")
    return page.evaluate(_SIDEWAYS)
