"""Websockets open only from the site's own origins, compared by scheme, host and port (cssr/origins.py)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from chat import services as chat_services
from cssr.asgi import application
from cssr.origins import is_site_origin, origin_of

from . import factories
from .conftest import client_for

TIMEOUT = 5


def _scope(origin, host, *, scheme="ws", **headers):
    pairs = [(b"host", host.encode())] if host else []
    if origin is not None:
        pairs.append((b"origin", origin.encode()))
    pairs += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "websocket", "scheme": scheme, "headers": pairs}


def test_origins_are_compared_with_the_default_port_filled_in():
    assert (
        origin_of("https://cssr.example.org")
        == origin_of("https://CSSR.example.org:443/")
        == ("https", "cssr.example.org", 443)
    )
    assert origin_of("http://[::1]:8000") == ("http", "::1", 8000)
    assert origin_of("null") is None and origin_of("file:///tmp/x.html") is None
    assert origin_of("http://localhost:99999") is None


@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        ("http://localhost", "localhost", True),  # the page's own origin
        ("http://localhost:80", "localhost", True),  # the default port, written
        ("http://localhost:8000", "localhost:8000", True),
        ("http://localhost:8080", "localhost:8000", False),  # another program on another port
        ("http://localhost", "localhost:8000", False),
        ("https://localhost:8000", "localhost:8000", False),  # another scheme than the socket's
        ("http://evil.example", "evil.example", False),  # a host ALLOWED_HOSTS does not admit (rebinding)
        ("http://evil.example", "localhost", False),
        ("null", "localhost", False),  # a sandboxed frame or a file
        (None, "localhost", False),  # no Origin at all
    ],
)
def test_the_page_must_come_from_the_origin_the_socket_was_opened_to(origin, host, accepted, settings):
    settings.SITE_URL = "https://cssr.example.org"
    assert is_site_origin(_scope(origin, host)) is accepted


def test_a_secure_socket_belongs_to_https_pages():
    assert is_site_origin(_scope("https://localhost:8443", "localhost:8443", scheme="wss"))
    assert not is_site_origin(_scope("http://localhost:8443", "localhost:8443", scheme="wss"))


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        ("https://cssr.example.org", True),
        ("https://cssr.example.org:443", True),
        ("http://cssr.example.org:8080", False),
        ("https://cssr.example.org:8443", False),
        ("https://other.example.org", False),
    ],
)
def test_site_url_is_the_sites_origin_when_the_socket_cannot_tell_its_scheme(origin, accepted, settings):
    """Behind a TLS proxy that does not say the scheme the socket looks like plain ws; SITE_URL's origin
    is the site's all the same."""
    settings.SITE_URL = "https://cssr.example.org"
    settings.ALLOWED_HOSTS = ["cssr.example.org"]
    assert is_site_origin(_scope(origin, "cssr.example.org")) is accepted


def test_behind_a_trusted_tls_proxy_its_scheme_counts(settings):
    settings.SITE_URL = "https://cssr.example.org"
    settings.ALLOWED_HOSTS = ["cssr.example.org", "cssr.example.net"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    host = "cssr.example.net"  # served under a second name as well
    assert is_site_origin(_scope(f"https://{host}", host, x_forwarded_proto="https"))
    assert not is_site_origin(_scope(f"http://{host}", host, x_forwarded_proto="https"))
    assert is_site_origin(_scope(f"http://{host}", host, x_forwarded_proto="http"))
    assert not is_site_origin(_scope(f"https://{host}", host, x_forwarded_proto="http"))
    settings.SECURE_PROXY_SSL_HEADER = None  # not trusted: the header means nothing
    assert not is_site_origin(_scope(f"https://{host}", host, x_forwarded_proto="https"))


# --- Through the ASGI application ---------------------------------------------------------------


@database_sync_to_async
def _signed_in_member():
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    member = factories.add_member(space, username="origin-member", display_name="رنا")
    conversation = chat_services.space_conversation_get_or_create(space=space)
    cookie = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    return f"/ws/chat/{conversation.public_id}/", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_signed_in_members_socket_opens_only_from_the_sites_own_origin():
    path, cookie = await _signed_in_member()
    for origin, opens in (
        ("http://localhost:8000", True),
        ("http://localhost:8001", False),
        ("https://localhost:8000", False),
        ("http://localhost.evil.example:8000", False),
    ):
        socket = WebsocketCommunicator(
            application,
            path,
            headers=[(b"host", b"localhost:8000"), (b"origin", origin.encode()), (b"cookie", cookie)],
        )
        connected, _code = await socket.connect(timeout=TIMEOUT)
        assert connected is opens, origin
        if opens:
            assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "ready"
            await socket.disconnect()
