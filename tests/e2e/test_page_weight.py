"""What a participant's browser downloads: every main page weighs at most 100 KB on a first visit and
10 KB on a repeat visit, in Arabic and in English.

Participants inside Syria browse on slow mobile data paid by the megabyte. The bytes counted are those
Chromium reports as received from the network for each request of the page (DevTools' "transferred":
`Network.loadingFinished`'s encodedDataLength, headers included), the page and everything it loads,
until the network is idle.

- First visit: a fresh browser (nothing cached) opens the page, signed in already (it holds only the
  cookies of an earlier sign-in), or the sign-in page without them.
- Repeat visit: the same browser then opens another main page: stylesheets, scripts and the font come
  from its cache without a request (they are hashed and served as `immutable`, for a year or more:
  WhiteNoise gives hashed names ten years).

The server is the platform's ASGI application in uvicorn, as `make run` starts it (DEBUG off, static
files from STATIC_ROOT through WhiteNoise with their hashed names and pre-compressed variants), not
pytest-django's live server; and the same behind deploy/nginx.conf run by a real nginx, as in
production (static files from nginx). The figures of every page are printed and written to
test-artifacts/page-weight-<lang>-<front>.txt.
"""

import importlib
import re
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from ..servers import uvicorn_in_thread
from ..test_deploy import _nginx
from .conftest import login
from .test_phone_layout import demo_objects

FIRST_VISIT_BUDGET = 100 * 1024
REPEAT_VISIT_BUDGET = 10 * 1024
YEAR = 365 * 24 * 3600


class _Server:
    def __init__(self, port):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture
def weight_demo(conduct, settings):
    """The demo data (what the migrations seed is seeded again first: transactional tests flush it)."""
    from django.apps import apps

    importlib.import_module("workgroups.migrations.0002_seed_themes").seed(apps, None)
    importlib.import_module("workgroups.migrations.0011_interest_questionnaire").create(apps, None)
    settings.DEBUG = True  # load_demo refuses to run in production
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False  # and the pages are served as users get them
    return demo_objects()


@pytest.fixture
def production_server(weight_demo):
    with uvicorn_in_thread(ws="websockets-sansio") as port:
        yield _Server(port)


def _pages(demo):
    """(name, path) of the main pages, as a rapporteur of the legal group sees them."""
    from chat.models import Conversation

    space = demo["space"]
    pages = [
        ("home", reverse("workgroups:space-list")),
        ("space", reverse("workgroups:space-detail", args=(space.pk,))),
        ("discussions", reverse("workgroups:thread-list", args=(space.pk,))),
        ("thread", reverse("workgroups:thread-detail", args=(space.pk, demo["thread"].pk))),
        ("concerns", reverse("workgroups:concern-list", args=(space.pk,))),
        ("documents", reverse("documents:document-list", args=(space.pk,))),
        ("document", reverse("documents:document-detail", args=(space.pk, demo["document"].pk))),
        ("chat", reverse("chat:conversation-list")),
        ("calendar", reverse("events:event-month", args=(space.pk,))),
        ("search", reverse("workgroups:search") + "?q=%D8%A7%D9%84%D8%AF%D8%B3%D8%AA%D9%88%D8%B1"),
    ]
    conversation = Conversation.objects.filter(space=space).order_by("pk").first()
    if conversation is not None:
        pages.insert(8, ("conversation", conversation.get_absolute_url()))
    return pages


class _Meter:
    """Counts the bytes one page of a browser context receives from the network (Chrome DevTools
    Protocol), request by request, and keeps each response's URL and headers."""

    def __init__(self, context, page):
        self.page = page
        self.requests = {}
        self.received = {}
        self.cached = set()
        self.failed = []
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.requestServedFromCache", lambda event: self.cached.add(event["requestId"]))
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.send("Network.enable")
        self._cdp = cdp

    def _sent(self, event):
        self.requests.setdefault(event["requestId"], {"url": event["request"]["url"], "headers": {}})

    def _response(self, event):
        entry = self.requests.setdefault(event["requestId"], {"url": event["response"]["url"]})
        entry["headers"] = {name.lower(): value for name, value in event["response"]["headers"].items()}
        entry["from_cache"] = event["response"].get("fromDiskCache") or event["response"].get(
            "fromMemoryCache"
        )

    def _finished(self, event):
        self.received[event["requestId"]] = event["encodedDataLength"]

    def _failed(self, event):
        self.failed.append(f"{self.requests.get(event['requestId'], {}).get('url')}: {event['errorText']}")

    def visit(self, url):
        """Opens `url`; returns [(url, bytes received, response headers)] of what the visit loaded."""
        self.requests, self.received, self.cached, self.failed = {}, {}, set(), []
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url} answered {response and response.status}"
        self.page.wait_for_load_state("networkidle")
        # a stylesheet, script or font that did not load would weigh nothing and the page be broken
        assert not self.failed, f"{url}: {self.failed}"
        return [
            (entry["url"], self.received.get(request_id, 0), entry.get("headers", {}))
            for request_id, entry in self.requests.items()
        ]


def _context(browser, lang, storage_state=None):
    options = {"viewport": {"width": 360, "height": 640}, "locale": lang, "service_workers": "block"}
    if storage_state is not None:
        options["storage_state"] = storage_state
    # No request routing here (the other browser tests' guard): Playwright turns the HTTP cache off
    # in a context whose requests it routes, and the repeat visit is about that cache.
    return browser.new_context(**options)


def _open(context):
    page = context.new_page()
    return _Meter(context, page)


def _static_headers_problems(loaded, base):
    """Every static file of the platform comes hashed, for a year, immutable; pages and stylesheets
    come compressed."""
    problems = []
    for url, _size, headers in loaded:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue  # an image written into a stylesheet: nothing is downloaded
        if f"{parts.scheme}://{parts.netloc}" != base:
            problems.append(f"a request to another host: {url}")
            continue
        if not headers:
            continue  # served from the cache: no response headers to look at
        if parts.path.startswith("/static/"):
            cache = headers.get("cache-control", "")
            max_age = re.search(r"max-age=(\d+)", cache)
            if not max_age or int(max_age.group(1)) < YEAR or "immutable" not in cache:
                problems.append(f"{parts.path} is not cached for a year, immutable: {cache!r}")
        content_type = headers.get("content-type", "")
        if content_type.startswith(("text/html", "text/css", "text/javascript", "application/javascript")):
            if headers.get("content-encoding") not in ("gzip", "br"):
                problems.append(f"{parts.path} ({content_type}) is sent uncompressed")
    return problems


def _row(name, first, repeat):
    return f"{name:<24}{first / 1024:>10.1f}{repeat / 1024:>10.1f}"


@pytest.mark.parametrize("front", ["whitenoise", "nginx"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_main_page_is_light_on_a_first_and_a_repeat_visit(
    browser, production_server, weight_demo, artifacts_dir, tmp_path, lang, front
):
    """`whitenoise`: the app alone, as `make run` serves it (static files by WhiteNoise, brotli or gzip).
    `nginx`: deploy/nginx.conf in front of it, as production serves it (static files by nginx, gzip)."""
    with ExitStack() as stack:
        if front == "nginx":
            base = stack.enter_context(
                _nginx(tmp_path, upstream_port=production_server.port, static_root=settings.STATIC_ROOT)
            )
        else:
            base = production_server.url
        _measure_pages(browser, production_server, base, weight_demo, artifacts_dir, lang, front)


def _measure_pages(browser, server, base, demo, artifacts_dir, lang, front):
    from accounts.demo import DEMO_PASSWORD

    username = "layla"
    demo["users"].filter(username=username).update(preferred_language=lang)
    figures, problems, details = [], [], []

    # The sign-in page: a first visit, then the same browser opens it again.
    context = _context(browser, lang)
    meter = _open(context)
    sign_in = f"{base}{reverse('account_login')}"
    first = meter.visit(sign_in)
    repeat = meter.visit(sign_in)
    figures.append(("sign-in", first, repeat))
    context.close()

    # Signed in once; every page's first visit is then made by a fresh browser holding that session.
    # (Straight to the app: cookies belong to the host whatever the port, and the sign-in's POST through
    # the test's nginx would carry an Origin with a port the forwarded Host header has lost.)
    context = _context(browser, lang)
    login(context.new_page(), server, username, DEMO_PASSWORD)
    session = context.storage_state()
    context.close()

    pages = _pages(demo)
    first_visits, repeat_visits = {}, {}
    for index, (name, path) in enumerate(pages):
        context = _context(browser, lang, storage_state=session)
        meter = _open(context)
        first_visits[name] = meter.visit(f"{base}{path}")
        # the next page of the list, opened by the same browser: a repeat visit
        following, following_path = pages[(index + 1) % len(pages)]
        repeat_visits[following] = meter.visit(f"{base}{following_path}")
        context.close()
    figures += [(name, first_visits[name], repeat_visits[name]) for name, _path in pages]

    lines = [f"{'page (' + lang + ', ' + front + ')':<24}{'first KB':>10}{'repeat KB':>10}"]
    for name, first, repeat in figures:
        first_bytes = sum(size for _url, size, _headers in first)
        repeat_bytes = sum(size for _url, size, _headers in repeat)
        lines.append(_row(name, first_bytes, repeat_bytes))
        if first_bytes > FIRST_VISIT_BUDGET:
            problems.append(f"{name}: a first visit weighs {first_bytes / 1024:.1f} KB (budget 100 KB)")
        if repeat_bytes > REPEAT_VISIT_BUDGET:
            problems.append(f"{name}: a repeat visit weighs {repeat_bytes / 1024:.1f} KB (budget 10 KB)")
        problems += [f"{name}: {problem}" for problem in _static_headers_problems(first + repeat, base)]
        details.append(f"\n{name}, first visit:")
        details += [f"  {size:>8}  {urlsplit(url).path}" for url, size, _headers in first]
        details.append(f"{name}, repeat visit:")
        details += [f"  {size:>8}  {urlsplit(url).path}" for url, size, _headers in repeat]
    table = "\n".join(lines)
    print(f"\n{table}")
    (artifacts_dir / f"page-weight-{lang}-{front}.txt").write_text(table + "\n" + "\n".join(details) + "\n")
    assert not problems, table + "\n" + "\n".join(dict.fromkeys(problems))
