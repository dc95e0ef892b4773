"""Benchmark of the chat over websockets on the production-like stack (not a test).

    make bench-chat
    # or: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/chat.py

Creates a throw-away PostgreSQL database, migrates it and fills one active space with 2,000 members
and their sessions; starts the project's ASGI application in uvicorn with channels-redis (REDIS_URL,
default redis://127.0.0.1:6379/0, under its own key prefix) on one core, and drives it from a load
generator pinned to the other core (taskset); then swaps the two cores and measures again.

For N = 50 and 200 clients connected to the space's conversation:
- throughput: 10 senders, each sending its next message as soon as its previous one came back to
  it; messages per second sustained over the run, and delivered frames against expected (N per message);
- latency: messages paced at one steady rate for both stacks, half the chat's measured throughput
  (so neither is saturated); p50 and p99 of the time from the send to each delivery, across every
  receiving client.
The same two measurements are taken, in the same run and on the same stack, against a bare Channels
echo consumer (no authentication, no database: receive, group_send, forward): the floor. Then the
server's memory with 2,000 idle authenticated sockets open.

The per-user rate limit is lifted for the run (CSSR_CHAT_RATE_MESSAGES): it guards against one abusive
user and would otherwise cap the senders, not the stack. Drops the database at the end.
"""

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IDLE_SOCKETS = 2_000
SENDERS = 10
THROUGHPUT_MESSAGES = {50: 600, 200: 300}
LATENCY_RATE = {50: 20, 200: 10}  # messages per second in the latency run
LATENCY_SECONDS = 10
CORES = ("0", "1")


# --- Set-up (in the generator's process) -----------------------------------------------------


def prepare_database(server_url, name):
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{server_url}/{name}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate():
    """One active space with IDLE_SOCKETS members (set-based, as a bulk import would), a session for
    each, and the space's conversation. Returns (conversation uuid, [session keys])."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from chat import services as chat_services
    from workgroups import services
    from workgroups.access.grants import role_group_name
    from workgroups.models import Membership, Role, Space, Theme

    User = get_user_model()
    today = timezone.localdate()
    space = services.space_create(
        actor=None,
        kind=Space.Kind.WORKING_GROUP,
        theme=Theme.objects.first(),
        name="مجموعة القياس",
        name_ar="مجموعة القياس",
        name_en="Benchmark group",
        cycle_start=today - timedelta(days=10),
        cycle_end=today + timedelta(days=90),
        status=Space.Status.ACTIVE,
    )
    password = make_password("bench-password-2026")
    User.objects.bulk_create(
        User(username=f"bench{n}", display_name=f"عضو {n}", password=password, preferred_language="ar")
        for n in range(IDLE_SOCKETS)
    )
    users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    Membership.objects.bulk_create(Membership(user=user, space=space, role=Role.MEMBER) for user in users)
    group = Group.objects.get(name=role_group_name(space.pk, Role.MEMBER))
    User.groups.through.objects.bulk_create(User.groups.through(user=user, group=group) for user in users)
    keys = []
    backend = "django.contrib.auth.backends.ModelBackend"
    sessions = []
    for user in users:
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=timezone.now() + timedelta(days=1),
            )
        )
        keys.append(key)
    Session.objects.bulk_create(sessions)
    conversation = chat_services.space_conversation_get_or_create(space=space)
    return str(conversation.public_id), keys


# --- The server -----------------------------------------------------------------------------


def start_server(core, port, env):
    command = [
        str(ROOT / ".venv/bin/python"),
        "-m",
        "uvicorn",
        "bench.chat_asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--lifespan",
        "off",
        "--ws",
        "websockets-sansio",
        "--no-access-log",
    ]
    if shutil.which("taskset"):
        command = ["taskset", "-c", core, *command]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    sys.exit("the ASGI server did not start")


def rss_mib(pid):
    """Resident memory of the server process and its children (uvicorn runs one worker here)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return total / 1024


# --- The load generator ---------------------------------------------------------------------


class Client:
    def __init__(self, index, url, cookie, kind):
        self.index, self.url, self.cookie, self.kind = index, url, cookie, kind
        self.socket = None
        self.latencies = []
        self.received = 0
        self.acks = {}
        self.reader = None

    async def open(self):
        import websockets

        headers = {
            "Origin": "http" + self.url.split("/ws/", 1)[0][2:]
        }  # the page's origin: scheme, host, port
        if self.cookie:
            headers["Cookie"] = f"sessionid={self.cookie}"
        self.socket = await websockets.connect(
            self.url, additional_headers=headers, max_size=2**20, open_timeout=60, ping_interval=None
        )
        if self.kind == "chat":
            ready = json.loads(await self.socket.recv())
            assert ready["type"] == "ready", ready

    def start(self):
        self.reader = asyncio.get_running_loop().create_task(self.read())

    async def read(self):
        async for raw in self.socket:
            now = time.perf_counter()
            frame = json.loads(raw)
            if self.kind == "chat":
                if frame.get("type") != "message":
                    if frame.get("type") == "error":
                        print("error frame:", frame, file=sys.stderr)
                    continue
                payload = json.loads(frame["message"]["body"])
            else:
                payload = frame
            self.received += 1
            self.latencies.append(now - payload["t"])
            waiter = self.acks.pop(payload["id"], None)
            if waiter is not None:
                waiter.set_result(None)

    async def send(self, message_id):
        body = json.dumps({"id": message_id, "t": time.perf_counter(), "pad": "رسالة قياس " * 4})
        if self.kind == "chat":
            await self.socket.send(json.dumps({"type": "send", "body": body}))
        else:
            await self.socket.send(body)

    async def send_and_wait(self, message_id):
        waiter = asyncio.get_running_loop().create_future()
        self.acks[message_id] = waiter
        await self.send(message_id)
        await asyncio.wait_for(waiter, 60)

    async def close(self):
        if self.reader:
            self.reader.cancel()
        await self.socket.close()


async def connect_all(count, url, cookies, kind, batch=100):
    clients = [Client(n, url, cookies[n] if cookies else None, kind) for n in range(count)]
    for start in range(0, count, batch):
        await asyncio.gather(*(client.open() for client in clients[start : start + batch]))
    return clients


async def settle(clients, expected, timeout=60):
    deadline = time.perf_counter() + timeout
    while sum(c.received for c in clients) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)


async def throughput(kind, url, cookies, n):
    """Closed loop: SENDERS senders, each sending its next message when its previous one came back."""
    clients = await connect_all(n, url, cookies, kind)
    for client in clients:
        client.start()
    per_sender = THROUGHPUT_MESSAGES[n] // SENDERS
    ids = iter(range(1, 10**9))
    started = time.perf_counter()

    async def loop(sender):
        for _ in range(per_sender):
            await sender.send_and_wait(next(ids))

    await asyncio.gather(*(loop(sender) for sender in clients[:SENDERS]))
    sent = per_sender * SENDERS
    await settle(clients, sent * n)
    elapsed = time.perf_counter() - started
    delivered = sum(c.received for c in clients)
    for client in clients:
        await client.close()
    return {"msgs_per_s": sent / elapsed, "delivered": delivered, "expected": sent * n}


async def latency(kind, url, cookies, n, rate):
    """Open loop at `rate` messages per second for LATENCY_SECONDS; every delivery timed."""
    clients = await connect_all(n, url, cookies, kind)
    for client in clients:
        client.start()
    count = max(int(rate * LATENCY_SECONDS), SENDERS)
    begin = time.perf_counter()
    for index in range(count):
        await asyncio.sleep(max(0, begin + index / rate - time.perf_counter()))
        await clients[index % SENDERS].send(10**6 + index)
    await settle(clients, count * n)
    values = sorted(value for c in clients for value in c.latencies)
    delivered = sum(c.received for c in clients)
    for client in clients:
        await client.close()
    return {
        "p50": statistics.median(values) * 1000 if values else float("nan"),
        "p99": values[max(int(len(values) * 0.99) - 1, 0)] * 1000 if values else float("nan"),
        "delivered": delivered,
        "expected": count * n,
        "rate": rate,
    }


def measure_pair(core, chat_url, echo_url, cookies, n):
    """Throughput of the floor and the chat, then the latency of both at one common paced rate: half
    the chat's measured throughput (at most LATENCY_RATE[n]), so neither side is saturated."""
    floor = generator(core, throughput("echo", echo_url, None, n))
    chat = generator(core, throughput("chat", chat_url, cookies, n))
    rate = max(1.0, min(LATENCY_RATE[n], round(chat["msgs_per_s"] / 2, 1)))
    floor_latency = generator(core, latency("echo", echo_url, None, n, rate))
    chat_latency = generator(core, latency("chat", chat_url, cookies, n, rate))
    for result, timed in ((floor, floor_latency), (chat, chat_latency)):
        result.update(
            p50=timed["p50"],
            p99=timed["p99"],
            rate=rate,
            delivered=result["delivered"] + timed["delivered"],
            expected=result["expected"] + timed["expected"],
        )
    return floor, chat


async def idle_memory(url, cookies, pid):
    before = rss_mib(pid)
    clients = await connect_all(IDLE_SOCKETS, url, cookies, "chat")
    await asyncio.sleep(2)
    after = rss_mib(pid)
    for client in clients:
        await client.close()
    return before, after


def generator(core, coroutine):
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {int(core)})
    return asyncio.run(coroutine)


# --- Main -----------------------------------------------------------------------------------


def main():
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there).")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    server_url, _, _ = base.rpartition("/")
    name = f"cssr_bench_chat_{uuid.uuid4().hex[:8]}"
    prefix = f"bench-chat-{uuid.uuid4().hex[:6]}"
    # the same production settings in both processes: sessions written here must authenticate there
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cssr.settings",
            "REDIS_URL": redis_url,
            "CHANNEL_LAYER_PREFIX": prefix,
            "CACHE_KEY_PREFIX": prefix,
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSSR_CHAT_RATE_MESSAGES": "1000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    prepare_database(server_url, name)
    env = {**os.environ, "DATABASE_URL": f"{server_url}/{name}"}
    rows, memory = [], None
    try:
        conversation, cookies = populate()
        from django.db import connections

        connections.close_all()
        port = 8765
        for server_core, generator_core in (CORES, CORES[::-1]):
            process = start_server(server_core, port, env)
            try:
                chat_url = f"ws://127.0.0.1:{port}/ws/chat/{conversation}/"
                echo_url = f"ws://127.0.0.1:{port}/ws/echo/"
                for n in (50, 200):
                    floor, chat = measure_pair(generator_core, chat_url, echo_url, cookies, n)
                    rows.append((server_core, n, floor, chat))
                    print(
                        f"server on core {server_core}, {n} clients: floor {floor}, chat {chat}",
                        file=sys.stderr,
                    )
                if memory is None:
                    memory = generator(generator_core, idle_memory(chat_url, cookies, process.pid))
                    print(f"memory: {memory}", file=sys.stderr)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=120)
                except subprocess.TimeoutExpired:  # still closing thousands of sockets
                    process.kill()
                    process.wait()
            port += 1
    finally:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        forget_redis_keys(redis_url, prefix)
    report(rows, memory)


def forget_redis_keys(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def report(rows, memory):
    print()
    print(
        "| server core | clients | stack | msgs/s sustained | floor ÷ this | p50 ms | p99 ms "
        "| paced at msgs/s | delivered / expected |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for core, n, floor, chat in rows:
        for label, result in (("floor: bare echo consumer", floor), ("chat", chat)):
            ratio = floor["msgs_per_s"] / result["msgs_per_s"] if result["msgs_per_s"] else float("nan")
            print(
                f"| {core} | {n} | {label} | {result['msgs_per_s']:,.0f} | "
                f"{ratio:.1f} | {result['p50']:.1f} | {result['p99']:.1f} | {result['rate']} | "
                f"{result['delivered']:,} / {result['expected']:,} |"
            )
    if memory:
        before, after = memory
        print()
        print(
            f"Server resident memory: {before:.0f} MiB before, {after:.0f} MiB with {IDLE_SOCKETS:,} idle "
            f"authenticated sockets ({(after - before) * 1024 / IDLE_SOCKETS:.0f} KiB per socket)."
        )


if __name__ == "__main__":
    main()
