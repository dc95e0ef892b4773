"""Sockets of a real server end with the access behind them when the change comes from another process.

One uvicorn process per module serves `cssr.asgi` on the test database: a SQLite file on the embedded
default (the in-memory test database copied to a file both processes open), the PostgreSQL test
database with DATABASE_URL/REDIS_URL. Rows are committed as they are written (the server must see
them) and stay until the module ends: each test makes its own space and people, and the database is
emptied once at the end, since emptying it recreates content types and permissions under new ids that
the server process keeps in memory. This test process stands in for the Celery worker and for the
other web processes: it makes each change (the inactivity job, a password set by staff, a
deactivation, a sign-out, ...) while a real websocket client holds a socket on the server, and that
socket must close within TIMEOUT seconds with nothing sent after the change reaching it. On the
embedded default the two processes share no memory, so the channel layer's close signal cannot reach
the server: only the liveness store (accounts/liveness.py) can.
"""

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as websocket_connect

from chat import services as chat_services
from workgroups.models import Role

from . import access_changes as changes
from . import factories
from .conftest import client_for
from .servers import uvicorn_process

# Marked so that pytest-django creates the test database; `_django_db_helper` below replaces its
# per-test wrapping (a transaction rolled back, or a flush) by plain autocommit.
pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5  # seconds: the most a socket may stay open after the change


@dataclass
class Server:
    port: int
    access_store: dict  # the CACHES entry of the liveness store the server uses

    def url(self, path, scheme="ws"):
        return f"{scheme}://127.0.0.1:{self.port}{path}"


def _shared_database(directory):
    """The URL of a database the server can open with the test database's contents, and a function
    that puts this process's connection back afterwards."""
    wrapper = connections["default"]
    name = wrapper.settings_dict["NAME"]
    assert wrapper.is_in_memory_db() if wrapper.vendor == "sqlite" else name.startswith("test_"), name
    if wrapper.vendor != "sqlite":
        db = wrapper.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return url, lambda: call_command("flush", interactive=False, verbosity=0)
    # The test database lives in this process's memory: copy it, migrated, to a file, and point this
    # process's connection at the file too, so that both processes read and write the same rows.
    path = directory / "test.sqlite3"
    wrapper.ensure_connection()
    copy = sqlite3.connect(path)
    wrapper.connection.backup(copy)
    copy.close()
    in_memory = wrapper.connection
    wrapper.connection = None  # set aside, not closed: closing it would drop the in-memory database
    wrapper.settings_dict["NAME"] = str(path)

    def restore():  # the in-memory database never saw the module's rows
        wrapper.close()
        wrapper.settings_dict["NAME"], wrapper.connection = name, in_memory

    return f"sqlite:///{path}", restore


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The server, and this module's tests writing to its database in autocommit."""
    with django_db_blocker.unblock():
        yield from _serve(tmp_path_factory.mktemp("server-var"))


def _serve(var):
    database_url, restore = _shared_database(var)
    access_store = {**settings.CACHES["access"]}
    if "LOCATION" in access_store and not settings.REDIS_URL:
        access_store["LOCATION"] = str(var / "cache" / "access")  # where the server's VAR_DIR puts it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cssr.settings",
        "DATABASE_URL": database_url,
        "CSSR_VAR_DIR": str(var),
        "SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "1",
        "CACHE_KEY_PREFIX": access_store.get("KEY_PREFIX", ""),
        "CHANNEL_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "cssr"),
    }
    try:
        with uvicorn_process(env=env, log=var / "server.log") as port:
            yield Server(port=port, access_store=access_store)
    finally:
        restore()


@pytest.fixture
def _django_db_helper(server):
    """Each test commits as it goes and leaves its rows to the end of the module (the server fixture
    holds database access open for the module and empties the database once, at the end)."""


@pytest.fixture
def chat(server, settings):
    """A space of its own with a member, a rapporteur, a political officer and staff (the shape of the
    websocket tests' `chat`), and this process writing to the server's liveness store."""
    settings.CACHES = {**settings.CACHES, "access": server.access_store}
    space = factories.make_space()
    users = {
        "member": factories.add_member(space),
        "rapporteur": factories.add_member(space, role=Role.RAPPORTEUR),
        "political_officer": factories.add_member(space, role=Role.POLITICAL_OFFICER),
        "staff": factories.StaffFactory(),
    }
    conversation = chat_services.space_conversation_get_or_create(space=space)
    return {"space": space, "users": users, "conversation": conversation}


def _cookie_for(user, *, second_factor=True):
    """The session cookie of `user` signed in as on a real sign-in (with the second factor where the
    policy asks for one; `second_factor=False`: the password alone)."""
    return client_for(user, second_factor=second_factor).cookies[settings.SESSION_COOKIE_NAME].value


@contextmanager
def _socket(server, conversation, cookie, *, ready=True):
    """A websocket on the server, as a browser opens it (session cookie, same origin); with `ready`,
    once the server said it is authorised."""
    with websocket_connect(
        server.url(f"/ws/chat/{conversation.public_id}/"),
        origin=server.url("", "http"),
        open_timeout=30,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    ) as websocket:
        if ready:
            assert json.loads(websocket.recv(timeout=TIMEOUT))["type"] == "ready"
        yield websocket


def _frames_until_closed(websocket):
    """Every frame the socket gets until the server closes it, and the close code; fails if it is still
    open after TIMEOUT seconds."""
    frames, deadline = [], time.monotonic() + TIMEOUT
    while True:
        try:
            frames.append(json.loads(websocket.recv(timeout=max(0.0, deadline - time.monotonic()))))
        except ConnectionClosed as closed:
            return frames, closed.rcvd.code if closed.rcvd else None


def _send_and_see(observer, body):
    """The observer posts on its socket (the server saves and broadcasts it); returns the message id
    once the observer got it back, so the server has broadcast it to every socket of the conversation."""
    observer.send(json.dumps({"type": "send", "body": body, "client_id": "fence"}))
    acked = None
    while True:
        frame = json.loads(observer.recv(timeout=TIMEOUT))
        if frame["type"] == "ack":
            acked = frame["id"]
        if frame["type"] == "message" and frame["message"]["id"] == acked:
            return acked


@pytest.mark.parametrize("change", changes.CHANGES, ids=lambda change: change.__name__)
def test_a_change_made_in_another_process_closes_the_socket_and_nothing_more_reaches_it(server, chat, change):
    users, conversation = chat["users"], chat["conversation"]
    cookie = _cookie_for(users["member"])
    observer_cookie = _cookie_for(users["rapporteur"])
    with (
        _socket(server, conversation, cookie) as target,
        _socket(server, conversation, observer_cookie) as observer,
    ):
        change(chat, users["member"], cookie)
        _send_and_see(observer, "بعد التغيير")  # posted after the change: must not reach the target
        frames, code = _frames_until_closed(target)
        assert code == changes.SESSION_ENDED
        assert frames == []
    # the same browser reconnects and is authorised afresh
    with _socket(server, conversation, cookie, ready=changes.CHANGES[change] is None) as again:
        if changes.CHANGES[change] is not None:
            assert _frames_until_closed(again) == ([], changes.CHANGES[change])


@pytest.mark.parametrize(
    "change",
    [changes.inactivity_job_locks, changes.set_password_and_save],
    ids=lambda change: change.__name__,
)
def test_with_no_event_at_all_the_socket_still_closes_within_five_seconds(server, chat, change):
    users, conversation = chat["users"], chat["conversation"]
    cookie = _cookie_for(users["member"])
    with _socket(server, conversation, cookie) as target:
        change(chat, users["member"], cookie)
        assert _frames_until_closed(target) == ([], changes.SESSION_ENDED)


def test_other_people_keep_their_sockets_and_the_users_other_session_still_connects(server, chat):
    users, conversation = chat["users"], chat["conversation"]
    member_cookie, other_device_cookie = _cookie_for(users["member"]), _cookie_for(users["member"])
    observer_cookie = _cookie_for(users["rapporteur"])
    with (
        _socket(server, conversation, member_cookie) as member,
        _socket(server, conversation, observer_cookie) as observer,
    ):
        changes.sign_out(chat, users["member"], member_cookie)
        changes.staff_locks(chat, users["political_officer"], None)
        assert _frames_until_closed(member) == ([], changes.SESSION_ENDED)
        with _socket(server, conversation, other_device_cookie) as other_device:
            sent = _send_and_see(observer, "ما زلنا هنا")
            frame = json.loads(other_device.recv(timeout=TIMEOUT))
            assert frame["type"] == "message" and frame["message"]["id"] == sent
