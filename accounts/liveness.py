"""Whether an open websocket's session and access still hold, answered from a store every process shares.

A websocket outlives the request that opened it: signing out, a new password, a deactivated account,
a lock or a removal all happen in another request, or in the Celery worker, while the socket stays
open. The permission core also tells the sockets to close (`connections_close`), but that
signal travels on the channel layer, which the embedded default keeps in each process's memory, and
a lost signal must not leave a socket delivering. So every change also writes here, and every socket
checks here before it forwards anything:

- a **stamp** per user (`liveness:user:<id>`), a new random value whenever that user's credentials or
  access change (`users_changed`);
- an **ended** marker per session key (`liveness:session:<key>`), set when the session is signed out
  or deleted (`sessions_ended`).

A socket reads both keys before it is authorised and keeps them (`Ticket`); before each event it
reads them again (`holds`: one `get_many`, shared by every socket of the process that asks in the
same turn of the event loop) and closes if either moved. One watchdog task per process reads the keys
of all its sockets every `CSSR_LIVENESS_WATCH_SECONDS` (2) and closes the ones that moved, so a
socket closes even when no event comes; every `CSSR_LIVENESS_SESSION_SECONDS` (30) it also asks the
session store whether each socket's session still authenticates its user (an expired or deleted
session, or a password changed behind the signals' back).

Writes happen when the change is made inside a transaction (from then on no event passes) and again
once it commits (a socket that reconnected in between was authorised against the data before the
commit and must be authorised again). A store that cannot be read closes the sockets that ask: the
check fails closed.

The store is the cache alias "access" (cssr/settings.py): Redis with REDIS_URL, else a file cache
under VAR_DIR that the web server and the Celery worker share.
"""

import asyncio
import logging
import re
import uuid
import weakref
from dataclasses import dataclass
from importlib import import_module

import redis.asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts import sessions as lifetimes

logger = logging.getLogger(__name__)

STORE_ALIAS = "access"
_USER_KEY = "liveness:user:{}"
_SESSION_KEY = "liveness:session:{}"
# Long enough for any socket to have seen the change: a key that expires under an open socket only
# makes it reconnect once.
_KEEP_SECONDS = 14 * 24 * 3600


def _store_alias():
    return STORE_ALIAS if STORE_ALIAS in settings.CACHES else "default"


def shared_cache():
    """The cache every process of the platform shares (web, worker, shell): Redis, or files under
    VAR_DIR in the embedded default. For facts that one process changes and another must see at once."""
    return caches[_store_alias()]


def _watch_seconds():
    return float(getattr(settings, "CSSR_LIVENESS_WATCH_SECONDS", 2))


def _session_seconds():
    return float(getattr(settings, "CSSR_LIVENESS_SESSION_SECONDS", 30))


# --- writing: any process (web, worker, shell) --------------------------------------------------


def users_changed(user_ids):
    """The credentials or the access of these users changed (password, deactivation, two-factor, a
    lock, a removal, a new role): each of their sockets must be authorised afresh. Set-based: one
    `set_many` for the whole batch, now (inside a transaction) and on commit."""
    keys = [_USER_KEY.format(user_id) for user_id in dict.fromkeys(user_ids) if user_id is not None]
    if keys:
        # An integer: Django's Redis cache stores it as digits, which the socket side reads directly.
        write_now_and_on_commit(
            lambda: shared_cache().set_many(
                dict.fromkeys(keys, uuid.uuid4().int >> 65), timeout=_KEEP_SECONDS
            )
        )


def sessions_ended(session_keys):
    """These sessions were signed out or deleted: their sockets close, other sessions' stay open."""
    keys = [_SESSION_KEY.format(key) for key in dict.fromkeys(session_keys) if key]
    if keys:
        write_now_and_on_commit(
            lambda: shared_cache().set_many(dict.fromkeys(keys, 1), timeout=_KEEP_SECONDS)
        )


def write_now_and_on_commit(write, *, robust=False):
    """Run `write` (a write to the shared store) now, when inside a transaction, and again once it
    commits, so that what the transaction does next and what other processes read after the commit both
    see it. A failure before the commit is logged (the commit writes again); one at the commit is raised,
    unless `robust` (a write the data does not depend on, such as a cache version: logged, the change
    goes on)."""
    if transaction.get_connection().in_atomic_block:
        try:
            write()
        except Exception:  # the commit below writes again; a store that is down fails the readers closed
            logger.exception("liveness: could not write to the store before the commit")
    transaction.on_commit(write, robust=robust)


# --- reading: the ASGI process --------------------------------------------------------------------


@dataclass
class Ticket:
    """What a socket saw when it was authorised: its user's stamp and its session key."""

    user_id: int
    session_key: str | None
    stamp: int | None = None
    # When the session reaches its idle or absolute limit unless a request moves it (epoch seconds;
    # None: unknown). The watchdog asks the session store again as soon as it passes.
    deadline: int | None = None

    @property
    def keys(self):
        keys = [_USER_KEY.format(self.user_id)]
        if self.session_key:
            keys.append(_SESSION_KEY.format(self.session_key))
        return keys

    def holds_in(self, values):
        """True while the user's stamp is the one seen at connect and the session has not ended."""
        return values.get(_USER_KEY.format(self.user_id)) == self.stamp and not (
            self.session_key and values.get(_SESSION_KEY.format(self.session_key))
        )


async def ticket_for(*, user_id, session_key):
    """Read the socket's keys; call it *before* authorising, so that a change stored after this read
    is seen by the next check. Returns None when the session has already ended or the store is down."""
    ticket = Ticket(user_id=user_id, session_key=session_key)
    values = await _process().read(ticket.keys)
    if values is None or (session_key and values.get(_SESSION_KEY.format(session_key))):
        return None
    ticket.stamp = values.get(_USER_KEY.format(user_id))
    return ticket


async def holds(ticket):
    """Whether nothing changed for this socket since its ticket was taken (fails closed)."""
    values = await _process().read(ticket.keys)
    return values is not None and ticket.holds_in(values)


def watch(consumer):
    """Have this process's watchdog close `consumer` (through `await consumer.liveness_lost()`) when its
    `consumer.liveness_ticket` stops holding, even if no event arrives."""
    _process().watch(consumer)


def unwatch(consumer):
    _process().sockets.pop(consumer, None)


def session_deadline(session_key, user):
    """Whether the session still signs `user` in, as Django would decide on the next request (the
    session exists and has not expired, names this user and an enabled backend, and carries the
    hash of the user's current password) and the two-factor gate would let it through (a session that
    must pass a second factor and has not reaches no page, so it opens no socket), without changing
    the session. Reads the session store. Returns False when it does not; else the epoch second at
    which the session reaches its idle or absolute limit unless a request moves it (None: unknown)."""
    if not session_key or user is None or not user.is_active:
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    return _deadline_of(data) if _authenticates(data, user) else False


def _deadline_of(data):
    deadline = lifetimes.session_deadline(data)
    return None if deadline is None else deadline[0]


def signs_in(data, user):
    """Whether a session's loaded `data` signs `user` in as Django would (this user, an enabled backend,
    the hash of their current password); the two-factor gate aside."""
    if (
        data.get(SESSION_KEY) != str(user.pk)
        or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS
    ):
        return False
    session_hash = data.get(HASH_SESSION_KEY)
    return bool(session_hash) and any(
        constant_time_compare(session_hash, candidate)
        for candidate in (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
    )


def _authenticates(data, user):
    from accounts import two_factor

    return signs_in(data, user) and two_factor.session_admits(data, user)


def stored_sessions(keys):
    """{session key: its data} of the sessions among `keys` that exist and have not expired: one query
    with database sessions (other engines: one load per key)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return {key: store_class(key).load() for key in keys}
    store = store_class()
    return {
        row.session_key: store.decode(row.session_data)
        for row in store_class.get_model_class().objects.filter(
            session_key__in=list(keys), expire_date__gt=timezone.now()
        )
    }


def sessions_that_ended(tickets):
    """The tickets whose session no longer authenticates their user: one query for the users and, with
    database sessions, one for the sessions (other engines: one load per session). The others' deadlines
    are brought up to date."""
    tickets = [ticket for ticket in tickets if ticket.session_key]
    users = (
        get_user_model()
        .objects.filter(pk__in={ticket.user_id for ticket in tickets}, is_active=True)
        .only("pk", "password", "is_active", "is_staff")
        .in_bulk()
    )
    data = stored_sessions({ticket.session_key for ticket in tickets})

    ended, now = [], lifetimes.now()
    for ticket in tickets:
        session = data.get(ticket.session_key, {})
        deadline = _deadline_of(session)
        if (
            ticket.user_id not in users
            or not _authenticates(session, users[ticket.user_id])
            or (deadline is not None and deadline <= now)
        ):
            ended.append(ticket)
        else:
            ticket.deadline = deadline  # a request in the meantime moved it
    return ended


class _Process:
    """The liveness state of one event loop (one ASGI process): its watched sockets, the read being
    gathered, and the watchdog task."""

    def __init__(self, loop):
        self.loop = loop
        self.store = shared_cache()  # one instance for the process: Django's would be one per task context
        self.redis = None  # with a Redis store: this loop's own asyncio client, closed by the watchdog
        self.reading = 0  # Redis reads under way
        self.sockets = weakref.WeakKeyDictionary()  # consumer -> its ticket
        self.watchdog = None
        self.gathering = None  # (keys, future) of the read that has not started yet
        self.tasks = set()

    async def read(self, keys):
        """The values of `keys`, read after this call began: checks that ask in the same turn of the
        loop share one get_many, which starts once they have all asked. None if the store failed."""
        if self.gathering is None:
            self.gathering = (set(), self.loop.create_future())
            self.loop.call_soon(self._start_read)
        gathered, future = self.gathering
        gathered.update(keys)
        try:
            return await asyncio.shield(future)
        except Exception:
            logger.exception("liveness: the store could not be read; closing the socket")
            return None

    def _start_read(self):
        (keys, future), self.gathering = self.gathering, None
        task = self.loop.create_task(self._read_into(list(keys), future))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _read_into(self, keys, future):
        try:
            values = await self._values(keys)
        except Exception as error:
            future.set_exception(error)
        else:
            future.set_result(values)

    async def _values(self, keys):
        """{key: value} of the keys the store holds. A file or local-memory store is read right here (a
        few microseconds, no thread); Redis with one MGET on this loop's own asyncio client (the values
        are integers, which Django's Redis cache stores as digits); any other cache in a thread."""
        if isinstance(self.store, (FileBasedCache, LocMemCache)):
            return self.store.get_many(keys)
        if not isinstance(self.store, RedisCache):
            return await sync_to_async(self.store.get_many, thread_sensitive=False)(keys)
        self.reading += 1
        try:
            if self.redis is None:
                location = settings.CACHES[_store_alias()]["LOCATION"]
                self.redis = redis.asyncio.Redis.from_url(
                    re.split("[;,]", location)[0] if isinstance(location, str) else location[0]
                )
                self._ensure_watchdog()  # it closes the client once nothing is watched or read
            raw = await self.redis.mget([self.store.make_and_validate_key(key) for key in keys])
        finally:
            self.reading -= 1
        return {key: int(value) for key, value in zip(keys, raw, strict=True) if value is not None}

    async def _close_redis(self):
        client, self.redis = self.redis, None
        if client is not None:
            await client.aclose()

    def watch(self, consumer):
        self.sockets[consumer] = consumer.liveness_ticket
        self._ensure_watchdog()

    def _ensure_watchdog(self):
        if self.watchdog is None or self.watchdog.done():
            self.watchdog = self.loop.create_task(self._watch())

    async def _watch(self):
        try:
            await self._watch_rounds()
        finally:
            await self._close_redis()

    async def _watch_rounds(self):
        sessions_checked = self.loop.time()
        while self.sockets or self.reading:
            await asyncio.sleep(_watch_seconds())
            watched = list(self.sockets.items())
            if not watched:
                continue
            values = await self.read({key for _consumer, ticket in watched for key in ticket.keys})
            lost = [consumer for consumer, ticket in watched if values is None or not ticket.holds_in(values)]
            # Every session at each CSSR_LIVENESS_SESSION_SECONDS, and in each round those whose idle or
            # absolute limit just passed (unless a request moved it, they ended then).
            checked = watched
            if self.loop.time() - sessions_checked >= _session_seconds():
                sessions_checked = self.loop.time()
            else:
                now = lifetimes.now()
                checked = [
                    (consumer, ticket)
                    for consumer, ticket in watched
                    if ticket.deadline is not None and ticket.deadline <= now
                ]
            if checked:
                try:
                    ended = await database_sync_to_async(sessions_that_ended)(
                        [ticket for _c, ticket in checked]
                    )
                except Exception:
                    logger.exception("liveness: the sessions could not be checked")
                else:
                    ended = {id(ticket) for ticket in ended}
                    lost += [consumer for consumer, ticket in watched if id(ticket) in ended]
            for consumer in dict.fromkeys(lost):
                self.sockets.pop(consumer, None)
                try:
                    await consumer.liveness_lost()
                except Exception:
                    logger.exception("liveness: a socket could not be closed")


_processes = weakref.WeakKeyDictionary()


def _process():
    loop = asyncio.get_running_loop()
    state = _processes.get(loop)
    if state is None:
        state = _processes[loop] = _Process(loop)
    return state
