"""ASGI entry point: HTTP through Django, websockets through Channels (the site's own origins only,
compared by scheme, host and port: cssr/origins.py; session auth)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cssr.settings")
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the app registry)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from cssr.handlers import SyncRequestASGIHandler  # noqa: E402
from cssr.origins import SiteOriginValidator  # noqa: E402
from cssr.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": SyncRequestASGIHandler(),  # one hand-over per request: cssr/handlers.py
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
