"""The platform survives losing what it runs on: a database that cannot be reached gives the 503 page,
not a traceback; the chat comes back from a Redis restart without losing a message."""

import http.client
import json
import os
import shutil
import subprocess
import time
from contextlib import ExitStack, contextmanager

import pytest
import redis
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as websocket_connect

from chat import services as chat_services
from chat.models import Message
from workgroups.models import Role

from . import factories
from .access_changes import SESSION_ENDED
from .conftest import client_for
from .servers import free_port, uvicorn_process
from .test_live_server_sockets import Server, _cookie_for, _shared_database


@contextmanager
def _unreachable_database(tmp_path):
    """Point the default connection, for the block, at a database that cannot be reached: PostgreSQL on a
    port where nothing listens, or an SQLite file in a directory that does not exist. A fresh connection
    object under an alias of its own (its own pool too); the test database's connection is put back."""
    wrapper = connections["default"]
    broken = {**wrapper.settings_dict, "OPTIONS": {**wrapper.settings_dict["OPTIONS"]}}
    if wrapper.vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT=str(free_port()))  # nothing listens there
        broken["OPTIONS"]["connect_timeout"] = 2
        if "pool" in broken["OPTIONS"]:  # a request waits for the pool as in production, briefly here
            broken["OPTIONS"]["pool"] = {**broken["OPTIONS"]["pool"], "min_size": 1, "timeout": 2}
    else:
        broken["NAME"] = str(tmp_path / "missing-directory" / "cssr.sqlite3")
    lost = type(wrapper)(broken, alias="unreachable")
    connections["default"] = lost
    try:
        yield
    finally:
        connections["default"] = wrapper
        lost.close()
        if getattr(lost, "pool", None) is not None:
            lost.close_pool()


@pytest.mark.parametrize(("cookie", "language", "direction"), [(None, "ar", "rtl"), ("en", "en", "ltr")])
def test_a_lost_database_gives_the_503_page_in_the_language_of_the_cookie(
    world, tmp_path, cookie, language, direction
):
    signed_in = client_for(world["users"]["member"])  # the session is in the database that will be lost
    client = Client(raise_request_exception=False)
    client.cookies = signed_in.cookies
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    with _unreachable_database(tmp_path):
        response = client.get(f"/spaces/{world['space'].pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert [template.name for template in response.templates] == ["503.html", "errors/_standalone.html"]
    page = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    with translation.override(language):
        assert gettext("Temporarily unavailable") in page
    assert "Traceback" not in page and "OperationalError" not in page
    # the database is back: the same request is served
    assert client.get(f"/spaces/{world['space'].pk}/").status_code == 200


# --- The chat survives a Redis restart ------------------------------------------------------------
#
# A real server (uvicorn on `cssr.asgi`, as tests/test_live_server_sockets.py runs it) on a Redis of the
# test's own: cache, liveness store and channel layer (`REDIS_URL`), and this process's liveness store
# and channel layer on it too. Two people hold the space's chat open as the browser does (chat.js): on
# every (re)connect they ask for everything after the last id they hold (`since`). Redis is killed and
# started again on the same port, empty; no message may be lost.

REDIS_TIMEOUT = 30  # seconds: the most the server may take to be back on a restarted Redis


class _PrivateRedis:
    """A redis-server on a free port, with nothing saved to disk (a restart starts it empty)."""

    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis.Redis.from_url(self.url, socket_connect_timeout=1) as client:
                    client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    server = _PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def chat_server(transactional_db, private_redis, tmp_path, settings):
    """The server on the private Redis (DEBUG off, as in production) and the test database."""
    database_url, put_back = _shared_database(tmp_path)
    prefix = f"resilience-{os.getpid()}"
    settings.CACHES = {
        **settings.CACHES,
        "access": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": prefix,
        },
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [private_redis.url], "prefix": prefix},
        }
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cssr.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": private_redis.url,
        "CACHE_KEY_PREFIX": prefix,
        "CHANNEL_LAYER_PREFIX": prefix,
        "CHANNEL_LAYER": "pubsub",
        "CSSR_VAR_DIR": str(tmp_path),
        "SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    try:
        with uvicorn_process(env=env, log=tmp_path / "server.log") as port:
            yield Server(port=port, access_store=settings.CACHES["access"])
    finally:
        put_back()


class _ChatPage:
    """One person's open chat page, as chat.js keeps it: a socket, the last message id it holds, and on
    every (re)connect a `since` frame for what came after it."""

    def __init__(self, server, conversation, cookie):
        self.server, self.conversation, self.cookie = server, conversation, cookie
        self.seen, self.last_id, self.socket = [], 0, None
        self.sockets = ExitStack()  # every socket it opened, closed when the page goes

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.sockets.close()

    def connect(self):
        """Open the socket, retrying as chat.js does, until the server says it is ready; then catch up."""
        deadline = time.monotonic() + REDIS_TIMEOUT
        while True:
            try:
                socket = self.sockets.enter_context(
                    websocket_connect(
                        self.server.url(f"/ws/chat/{self.conversation.public_id}/"),
                        open_timeout=5,
                        origin=self.server.url("", "http"),
                        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
                    )
                )
                if json.loads(socket.recv(timeout=5))["type"] == "ready":
                    self.socket = socket
                    break
            except (OSError, ConnectionClosed, TimeoutError):
                pass
            assert time.monotonic() < deadline, "the chat did not come back after the Redis restart"
            time.sleep(0.2)
        self.socket.send(json.dumps({"type": "since", "after": self.last_id}))
        while True:
            frame = self._next()
            if frame["type"] == "history" and frame["complete"]:
                return

    def _take(self, message):
        if message["id"] not in self.seen:
            self.seen.append(message["id"])
        self.last_id = max(self.last_id, message["id"])

    def _next(self):
        frame = json.loads(self.socket.recv(timeout=REDIS_TIMEOUT))
        for message in frame.get("messages", [frame["message"]] if frame["type"] == "message" else []):
            self._take(message)
        return frame

    def send(self, body):
        """Send on the socket; the id once the server acknowledged it and broadcast it back."""
        self.socket.send(json.dumps({"type": "send", "body": body, "client_id": body}))
        acked = None
        while acked is None or acked not in self.seen:
            frame = self._next()
            if frame["type"] == "ack":
                acked = frame["id"]
        return acked

    def receive(self, message_id):
        """Read frames until the message with this id arrived live."""
        while message_id not in self.seen:
            self._next()

    def until_closed(self):
        """The close code once the server closes the socket."""
        try:
            while True:
                self._next()
        except ConnectionClosed as closed:
            self.socket = None
            return closed.rcvd.code if closed.rcvd else None


def _get(server, path, cookie):
    """A page as a signed-in browser asks for it: the response, whatever its status."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REDIS_TIMEOUT)
    connection.request("GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_chat_survives_a_redis_restart_and_no_message_is_lost(chat_server, private_redis):
    space = factories.make_space()
    member, rapporteur = factories.add_member(space), factories.add_member(space, role=Role.RAPPORTEUR)
    political_officer = factories.add_member(space, role=Role.POLITICAL_OFFICER)
    conversation = chat_services.space_conversation_get_or_create(space=space)
    cookies = {person: _cookie_for(person) for person in (member, rapporteur)}
    with (
        _ChatPage(chat_server, conversation, cookies[member]) as first,
        _ChatPage(chat_server, conversation, cookies[rapporteur]) as second,
    ):
        _restart_redis_while_chatting(
            chat_server, private_redis, conversation, first, second, political_officer
        )


def _restart_redis_while_chatting(chat_server, private_redis, conversation, first, second, political_officer):
    first.connect()
    second.connect()
    before = first.send("قبل إعادة التشغيل")
    second.receive(before)

    private_redis.kill()
    # The liveness store cannot be read: each socket closes (fails closed) and its page reconnects later.
    assert first.until_closed() == second.until_closed() == SESSION_ENDED
    # A page asked for now says "try again shortly": 503 with Retry-After, not a traceback.
    page = _get(chat_server, f"/chat/{conversation.public_id}/", first.cookie)
    assert page.status == 503 and page.headers["Retry-After"] == "30"
    # Another process stores a message while Redis is down: saved, its broadcast has nowhere to go.
    while_down = chat_services.message_send(
        actor=political_officer, conversation=conversation, body="أثناء التوقف"
    ).pk

    private_redis.start()
    second.connect()  # catches up by id: what was stored while Redis was down
    assert while_down in second.seen
    during = second.send("والأول لم يعد بعد")  # the first page is still offline
    first.connect()
    assert {while_down, during} <= set(first.seen)
    after = first.send("بعد إعادة التشغيل")
    second.receive(after)  # live again, through the restarted Redis

    everything = [before, while_down, during, after]
    assert (
        list(Message.objects.filter(conversation=conversation).order_by("pk").values_list("pk", flat=True))
        == everything
    )
    assert sorted(first.seen) == sorted(second.seen) == everything


def test_the_close_signal_is_sent_again_once_when_the_channel_layer_drops_a_connection(monkeypatch, caplog):
    """A send over a connection Redis dropped fails once; the signal goes out on the next try, and a layer
    that is down entirely is logged without an error for the caller (the liveness store closes sockets)."""
    from channels.layers import get_channel_layer

    from workgroups.services.connections import connections_close

    layer = get_channel_layer()
    sent, failures = [], {"left": 1}

    async def flaky_send(group, message):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("connection reset by Redis")
        sent.append((group, message["type"]))

    monkeypatch.setattr(layer, "group_send", flaky_send)
    connections_close([7, 8])
    assert sent == [("user.7", "access.revoked"), ("user.8", "access.revoked")]

    async def down(group, message):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(layer, "group_send", down)
    with caplog.at_level("ERROR", logger="workgroups.services.connections"):
        connections_close([9])
    assert "the close signal could not be sent" in caplog.text
