"""The benchmark's ASGI application: the project's own (cssr.asgi), plus /ws/echo/, a bare Channels
consumer on the same server and channel layer that is the floor of bench/chat.py: it authenticates
nobody, touches no database, and broadcasts each frame it receives to everyone connected."""

from channels.generic.websocket import AsyncWebsocketConsumer

from cssr.asgi import application as project

ECHO_GROUP = "bench-echo"


class EchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(ECHO_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(ECHO_GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(ECHO_GROUP, {"type": "echo.frame", "text": text_data})

    async def echo_frame(self, event):
        await self.send(text_data=event["text"])


echo = EchoConsumer.as_asgi()


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == "/ws/echo/":
        return await echo(scope, receive, send)
    return await project(scope, receive, send)
