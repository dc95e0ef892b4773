"""The Arabic-first shell: languages and directions, sign-in everywhere, security headers, page weight."""

import datetime
import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import Context, Template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from . import factories

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)

# The only pages a signed-out visitor may open (nothing else is public).
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/invitation/",
    "/accounts/language/",
    "/accounts/logout/",
    "/accounts/2fa/authenticate/",
    "/accounts/confirm-email/",
    "/accounts/reauthenticate/",
    "/accounts/email/verify/",
    "/accounts/login/code/",
    "/accounts/inactive/",
    "/robots.txt",
    "/admin/login/",
    # The containers' health checks: "ok", or which check failed, and nothing else (tests/test_health.py).
    "/healthz",
    "/readyz",
    # Personal calendar feeds: fetched by calendar applications with no session; the secret token in the
    # URL is the key, and anything else gets 404 (tests/test_events.py, tests/matrix/events.py).
    "/calendar/feed/",
)


def _sample(converter):
    name = type(converter).__name__
    return {
        "IntConverter": "1",
        "IdConverter": "1",
        "UUIDConverter": "00000000-0000-0000-0000-000000000001",
    }.get(name, "sample")


def _all_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            for name, converter in getattr(
                pattern.pattern, "converters", {}
            ).items():  # include("x/<int:pk>/", ...)
                route = re.sub(rf"<(?:\w+:)?{name}>", _sample(converter), route)
            yield from _all_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            path = prefix + route
            if path.startswith("^") or "(?P" in path:
                continue  # regex routes (admin internals) are covered by the admin's own login check
            converters = getattr(pattern.pattern, "converters", {})
            for name, converter in converters.items():
                path = re.sub(rf"<(?:\w+:)?{name}>", _sample(converter), path)
            yield "/" + path


def test_anonymous_visitors_are_sent_to_sign_in_from_every_url():
    client = Client()
    checked = 0
    for path in sorted(set(_all_paths())):
        if path.startswith(PUBLIC_PREFIXES) or path.startswith("/__errors__/"):
            continue
        response = client.get(path)
        checked += 1
        assert response.status_code in (301, 302, 404, 405), (path, response.status_code)
        if response.status_code in (301, 302):
            location = response["Location"]
            assert location.startswith(("/accounts/login/", "/admin/login/")), (path, location)
        if response.status_code == 404:
            # Only the admin answers 404 for unknown objects before asking to sign in.
            assert path.startswith("/admin/"), path
    assert checked > 30


def test_arabic_is_the_default_whatever_the_browser_asks():
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("account_login"))
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert response["Content-Language"] == "ar"
    assert "bootstrap.rtl.min" in body


def test_language_switch_is_remembered_and_sets_direction():
    user = factories.UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:language-set"), {"language": "en", "next": reverse("accounts:profile")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.preferred_language == "en"
    body = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert "bootstrap.rtl.min" not in body
    # Remembered on the account: a new session on another device opens in English.
    other = Client()
    other.force_login(user)
    assert '<html lang="en" dir="ltr">' in other.get(reverse("accounts:profile")).content.decode()


def test_language_switch_for_a_signed_out_visitor_uses_a_cookie():
    client = Client()
    client.post(reverse("accounts:language-set"), {"language": "en", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en" dir="ltr">' in client.get(reverse("account_login")).content.decode()


def test_unknown_language_code_is_refused_with_a_message_and_changes_nothing():
    user = factories.UserFactory(preferred_language="ar")
    client = Client()
    client.force_login(user)
    response = client.post(reverse("accounts:language-set"), {"language": "xx", "next": "/"}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages, "a message explains the refusal"
    user.refresh_from_db()
    assert user.preferred_language == "ar"
    assert (
        settings.LANGUAGE_COOKIE_NAME not in client.cookies
        or client.cookies[settings.LANGUAGE_COOKIE_NAME].value != "xx"
    )


def test_dates_and_numbers_follow_the_locale():
    template = Template('{% load humanize %}{{ when|date:"DATE_FORMAT" }}|{{ number|intcomma }}')
    context = Context({"when": datetime.date(2026, 11, 23), "number": 12345})
    with translation.override("ar"):
        arabic = template.render(context)
    with translation.override("en"):
        english = template.render(context)
    assert arabic != english
    assert "نوفمبر" in arabic or "تشرين الثاني" in arabic
    assert "November" in english
    assert "12,345" in english


def test_open_redirect_through_next_is_refused():
    response = Client().post(
        reverse("accounts:language-set"), {"language": "en", "next": "https://evil.example.com/x"}
    )
    assert response["Location"] == reverse("workgroups:space-list")


PAGES_TO_AUDIT = ["account_login", "workgroups:space-list", "accounts:profile", "accounts:conduct"]


@pytest.mark.parametrize("name", PAGES_TO_AUDIT)
def test_pages_have_no_inline_script_or_style_and_no_other_host(name, world, clients):
    response = (
        clients["member"].get(reverse(name)) if name != "account_login" else Client().get(reverse(name))
    )
    assert response.status_code == 200
    body = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline <script>"
    assert "<style" not in body, "inline <style>"
    assert not re.search(r"\sstyle=", body), "style attribute"
    assert not re.search(r"\son[a-z]+=", body), "inline event handler"
    for url in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert not re.match(r"^(https?:)?//", url) or url.startswith("https://meet."), url


def test_no_template_or_stylesheet_names_another_host():
    offenders = []
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "static" / "css").rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(
            r"(?:src|href)\s*=\s*[\"']((?:https?:)?//[^\"']+)|url\(\s*[\"']?((?:https?:)?//[^)\"']+)", text
        ):
            offenders.append((path.name, match.group(0)))
    assert not offenders


def _compressed_size(static_name):
    """Size of the file as served: its pre-compressed gzip variant (whitenoise), else gzip -9 of it."""
    path = Path(staticfiles_storage.path(staticfiles_storage.stored_name(static_name)))
    gz = path.with_name(path.name + ".gz")
    if gz.exists():
        return gz.stat().st_size
    return len(gzip.compress(path.read_bytes(), 9))


def _first_visit_weight(body):
    """HTML + every stylesheet, script and font the page loads, compressed as served."""
    total = len(gzip.compress(body.encode(), 6))
    assets = re.findall(
        r'<(?:link[^>]+rel="(?:stylesheet|preload|icon)"[^>]*href|script[^>]*src)="/static/([^"]+)"', body
    )
    fonts = set()
    for asset in assets:
        if asset.endswith(".css"):
            css_path = Path(staticfiles_storage.path(asset))
            for ref in re.findall(r'url\("?\.?/?([^")]+\.woff2)"?\)', css_path.read_text()):
                fonts.add(str(Path(asset).parent / ref))
    names = {staticfiles_storage.stored_name(a.split("?")[0]) if "." in a else a for a in []}
    del names
    seen = set()
    for asset in assets:
        original = _original_name(asset)
        if original in seen:
            continue
        seen.add(original)
        total += _compressed_size(original)
    for font in fonts:
        original = _original_name(font)
        if original not in seen:
            seen.add(original)
            total += _compressed_size(original)
    return total, seen


def _original_name(hashed):
    """Map a hashed static name back to its source name through the manifest."""
    manifest = staticfiles_storage.hashed_files
    for original, stored in manifest.items():
        if stored == hashed:
            return original
    return hashed


@pytest.mark.parametrize("page", ["login", "home"])
def test_first_visit_weighs_at_most_150_kb_compressed(page, world, clients):
    if page == "login":
        response = Client().get(reverse("account_login"))
    else:
        response = clients["member"].get(reverse("workgroups:space-list"))
    total, files = _first_visit_weight(response.content.decode())
    assert any(name.endswith(".woff2") for name in files), "the Arabic font is counted"
    assert any("bootstrap" in name for name in files)
    print(f"{page}: {total / 1024:.1f} KB compressed over {len(files)} files")
    assert total <= 150 * 1024, f"{page} weighs {total / 1024:.1f} KB"


def test_static_files_are_hashed_and_precompressed():
    stored = staticfiles_storage.stored_name("css/cssr.css")
    assert re.search(r"cssr\.[0-9a-f]{12}\.css$", stored)
    path = Path(staticfiles_storage.path(stored))
    assert path.with_name(path.name + ".gz").exists()
    assert settings.WHITENOISE_MAX_AGE >= 365 * 24 * 3600


def test_robots_txt_keeps_crawlers_out():
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /" in response.content.decode()


def test_404_page_is_in_the_users_language_inside_the_shell(world, clients):
    response = clients["member"].get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'dir="rtl"' in body and "navbar" in body


def test_every_response_turns_off_the_browser_features_the_platform_never_uses(world, clients):
    """Permissions-Policy on pages, error pages, static files and downloads: camera, microphone,
    location, payment, USB, ad-interest tracking... off; passkeys on, for the platform's pages only."""
    from cssr.middleware import permissions_policy

    expected = permissions_policy(settings.CSSR_PERMISSIONS_POLICY)
    stylesheet = "/static/" + staticfiles_storage.stored_name("css/cssr.css")
    responses = [
        Client().get(reverse("account_login")),
        clients["member"].get(reverse("workgroups:space-list")),
        clients["member"].get("/no-such-page/"),
        Client().get(stylesheet),
        Client().get("/robots.txt"),
    ]
    assert [response.status_code for response in responses] == [200, 200, 404, 200, 200]
    for response in responses:
        assert response["Permissions-Policy"] == expected
    policy = dict(item.split("=", 1) for item in expected.split(", "))
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
        "display-capture",
        "serial",
        "hid",
    ):
        assert policy[feature] == "()", feature
    assert policy["publickey-credentials-get"] == policy["publickey-credentials-create"] == "(self)"
