"""Websocket routes of every app, joined in one list for cssr.asgi."""

from chat.routing import websocket_urlpatterns as chat_websockets

websocket_urlpatterns = [*chat_websockets]
