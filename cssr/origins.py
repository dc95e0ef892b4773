"""Which pages may open a websocket: those of the site's own origins, compared by scheme, host and port.

Channels' AllowedHostsOriginValidator compares only the host of the page's `Origin` with
ALLOWED_HOSTS: a page served by another program on another port of the same host, or over plain HTTP
when the site is HTTPS, would pass and ride on the visitor's session cookie. Here the `Origin` must be
one of the site's own origins, scheme, host and port alike (a scheme's default port written or not):

- SITE_URL's origin;
- the origin the socket itself was opened to: its `Host` header (a host ALLOWED_HOSTS admits) with
  `https` for a `wss` socket, or, behind a TLS proxy (SECURE_PROXY_SSL_HEADER), what the proxy says.

Anything else, and a socket without `Origin`, is refused before the consumer runs.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url):
    """(scheme, host, port) of an http(s) URL or origin, the scheme's default port filled in; None for
    anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme]


def _header(scope, name):
    return next((value.decode("latin1") for key, value in scope.get("headers", []) if key == name), None)


def _scheme(scope):
    """The scheme the page that opens this socket was served with, as Django's `request.is_secure()`
    tells it for a page: the TLS proxy's header when one is trusted and sent, else the socket's own."""
    if settings.SECURE_PROXY_SSL_HEADER:
        name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = _header(scope, name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin1"))
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return "https" if scope.get("scheme") == "wss" else "http"


def site_origins(scope):
    """The origins a page may open the websocket of `scope` from."""
    origins = {origin_of(settings.SITE_URL)}
    host = _header(scope, b"host")
    if host:
        domain, _port = split_domain_port(host)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            origins.add(origin_of(f"{_scheme(scope)}://{host}"))
    origins.discard(None)
    return origins


def is_site_origin(scope):
    """Whether the page that opens the websocket of `scope` is one of the site's own."""
    origin = _header(scope, b"origin")
    return origin is not None and origin_of(origin) in site_origins(scope)


class SiteOriginValidator:
    """ASGI middleware in front of the websocket routes: a socket from any other origin is refused."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SiteOriginValidator guards websocket connections only")
        if is_site_origin(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
