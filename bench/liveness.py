"""What the liveness check (accounts/liveness.py) adds to forwarding one event to a chat socket.

    .venv/bin/python bench/liveness.py                       # the file store of the embedded default
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/liveness.py   # and the Redis store

Drives the real `ChatConsumer.dispatch` with a `chat.message` event, its ASGI send replaced by a
no-op (no network, no channel layer), so what is timed is what the consumer does per event: Channels'
`close_old_connections` hop, the handler, the JSON encoding and, with a ticket, the check. The floor is
the same consumer without a ticket (no check). Two shapes: one socket receiving events one after
another, and 200 sockets of the process receiving the same event at once (as a broadcast to a
conversation), where the checks of one turn of the event loop share one read of the store.
Prints microseconds per event and socket (the median of several rounds).
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROUNDS, SEQUENTIAL, BROADCAST = 9, 2000, 200


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cssr.settings")
    os.environ.setdefault("CSSR_VAR_DIR", tempfile.mkdtemp(prefix="cssr-bench-var-"))  # leave var/ alone
    import django
    from django.conf import settings

    stores = {
        "file (embedded default)": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": tempfile.mkdtemp(prefix="cssr-bench-liveness-"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    if os.environ.get("REDIS_URL"):
        stores["redis"] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        }
    django.setup()
    settings.CACHES.update({f"bench-{n}": config for n, config in enumerate(stores.values())})

    from accounts import liveness

    print(f"{'store':<26}{'shape':<34}{'floor µs':>10}{'checked µs':>12}{'added µs':>10}")
    for n, name in enumerate(stores):
        liveness.STORE_ALIAS = f"bench-{n}"
        liveness.users_changed([1])  # a stamp exists, as for anyone whose access once changed
        for shape, sockets, events in (
            ("one socket, events in a row", 1, SEQUENTIAL),
            (f"{BROADCAST} sockets, one broadcast", BROADCAST, 1),
        ):
            rounds = [
                (asyncio.run(_round(sockets, events, False)), asyncio.run(_round(sockets, events, True)))
                for _ in range(ROUNDS)
            ]  # alternated, so that both see the same machine
            floor, checked = (statistics.median(times) for times in zip(*rounds, strict=True))
            print(f"{name:<26}{shape:<34}{floor:>10.1f}{checked:>12.1f}{checked - floor:>10.1f}")
        alone = statistics.median(asyncio.run(_check_alone()) for _ in range(ROUNDS))
        print(f"{name:<26}{'the check alone, in a row':<34}{'':>10}{alone:>12.1f}{alone:>10.1f}")


async def _check_alone():
    from accounts import liveness

    ticket = await liveness.ticket_for(user_id=1, session_key="s" * 32)
    started = time.perf_counter()
    for _ in range(SEQUENTIAL):
        assert await liveness.holds(ticket)
    return (time.perf_counter() - started) / SEQUENTIAL * 1e6


async def _round(sockets, events, check):
    """Microseconds per (event, socket): `events` events delivered to each of `sockets` consumers, each
    consumer in its own task reading its own queue, as Channels runs them."""
    from accounts import liveness
    from chat.consumers import ChatConsumer

    async def discard(message):
        pass

    async def run(consumer, queue):
        while True:
            await consumer.dispatch(await queue.get())
            handled.release()

    handled, queues, tasks = asyncio.Semaphore(0), [], []
    for n in range(sockets):
        consumer = ChatConsumer()
        consumer.base_send = discard
        if check:
            consumer.liveness_ticket = await liveness.ticket_for(user_id=1 + n % 50, session_key=f"s{n:031d}")
        queues.append(asyncio.Queue())
        tasks.append(asyncio.create_task(run(consumer, queues[-1])))
    event = {"type": "chat.message", "message": {"id": 1, "author": "ليلى حداد", "body": "نص الرسالة " * 8}}

    async def deliver():
        for queue in queues:
            queue.put_nowait(event)
        for _ in queues:
            await handled.acquire()

    await deliver()  # warm up
    started = time.perf_counter()
    for _ in range(events):
        await deliver()
    elapsed = time.perf_counter() - started
    for task in tasks:
        task.cancel()
    return elapsed / (events * sockets) * 1e6


if __name__ == "__main__":
    main()
