"""Websocket routes of every app, joined in one list for cssr.asgi."""

websocket_urlpatterns = []
