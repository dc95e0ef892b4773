"""What the load benchmarks share (bench/http.py, bench/chat.py, bench/servers.py; not a test).

- the import path: run as a script, a benchmark's folder (bench/) comes first on the path, and
  bench/http.py is named like the standard library's `http` (which Django imports): importing this
  module first puts the project's root in its place;
- the throw-away stack (`Stack`): a PostgreSQL database of its own, migrated, the production settings
  of docker-compose.yml in this process and in the server's (sessions written here must authenticate
  there), changed only where loopback differs (plain http, no proxy in front, no mail server), Redis
  under a key prefix of its own; all of it dropped on leaving;
- `populate`: one active space, its members and their signed-in sessions written straight into the
  session table (no sign-in form, no second factor: plain members need none), and, when asked, what
  its members would have written there;
- the servers: the production web command (read from docker-compose.yml) and daphne's, started
  pinned to cores with taskset;
- the load generator's clients: a keep-alive HTTP/1.1 client with a cookie jar (`Participant`), and
  a chat websocket client (`ChatClient`), run pinned to a core (`generator`).
"""

import asyncio
import json
import os
import random
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]

SERVER_CORE, GENERATOR_CORE = "0", "1"
TIMEOUT = 30.0


# --- The throw-away stack ---------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """`with Stack("http") as stack:` a migrated database `cssr_bench_<kind>_<pid>`, Django set up on it
    in this process, `stack.env` for the server's; everything dropped on leaving."""

    def __init__(self, kind):
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        if not base.startswith("postgres"):
            sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database there).")
        self.redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.server_url = base.rpartition("/")[0]
        self.name = f"cssr_bench_{kind}_{os.getpid()}"
        self.prefix = f"bench-{kind}-{uuid.uuid4().hex[:6]}"
        self.work = Path(tempfile.mkdtemp(prefix=f"cssr-bench-{kind}-"))
        self.port = free_port()
        self.env = None

    def __enter__(self):
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "cssr.settings",
                "DJANGO_DEBUG": "0",
                "SECRET_KEY": "bench-" + uuid.uuid4().hex,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": f"http://127.0.0.1:{self.port}",
                "REDIS_URL": self.redis_url,
                "CHANNEL_LAYER_PREFIX": self.prefix,
                "CACHE_KEY_PREFIX": self.prefix,
                "MEDIA_ROOT": str(self.work / "media"),
                "CSSR_VAR_DIR": str(self.work / "var"),
                "CSSR_X_ACCEL_REDIRECT": "0",
                "BEHIND_TLS_PROXY": "0",
                "SECURE_COOKIES": "0",
                "CSSR_TRUSTED_PROXY_COUNT": "0",
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                # guards against one abusive user; here one member's sessions can be several clients
                "CSSR_CHAT_RATE_MESSAGES": "1000000",
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
            }
        )
        import psycopg

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        os.environ["DATABASE_URL"] = f"{self.server_url}/{self.name}"
        self.env = dict(os.environ)
        try:
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def release_connections(self):
        """Close this process's database connections (before the server takes over)."""
        from django.db import connections

        connections.close_all()

    def __exit__(self, *exc):
        self.release_connections()
        import psycopg
        import redis

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=f"*{self.prefix}*"))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        shutil.rmtree(self.work, ignore_errors=True)
        return False


# --- The data ---------------------------------------------------------------------------------------


class Data:
    """What `populate` made: the space's id, its conversation's uuid, its discussions' ids, and the
    session keys (one per client)."""

    def __init__(self, space, conversation, threads, keys):
        self.space, self.conversation, self.threads, self.keys = space, conversation, threads, keys


def populate(members, sessions, *, threads=0, posts_per_thread=20, concerns=0, documents=0, events=0, chat=0):
    """One active space with `members` members who accepted the code of conduct (set-based, as a bulk
    import would), `sessions` sessions spread over them, and its conversation; then, through the
    services (as the demo data is made), `threads` discussions of `posts_per_thread` posts, concerns,
    documents, events and chat messages."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts.models import CodeOfConduct, ConductAcceptance
    from chat import services as chat_services
    from documents.services import library as library_services
    from events import services as event_services
    from workgroups import services
    from workgroups.access.grants import role_group_name
    from workgroups.models import Membership, Role, Space, Theme

    rng = random.Random(2026)
    User = get_user_model()
    now = timezone.now()
    today = timezone.localdate()
    space = services.space_create(
        actor=None,
        kind=Space.Kind.WORKING_GROUP,
        theme=Theme.objects.first(),
        name="مجموعة القياس",
        name_ar="مجموعة القياس",
        name_en="Benchmark group",
        cycle_start=today - timedelta(days=30),
        cycle_end=today + timedelta(days=90),
        status=Space.Status.ACTIVE,
    )
    password = make_password("bench-password-2026")
    User.objects.bulk_create(
        User(username=f"bench{n}", display_name=f"عضو {n}", password=password, preferred_language="ar")
        for n in range(members)
    )
    users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    Membership.objects.bulk_create(Membership(user=user, space=space, role=Role.MEMBER) for user in users)
    group = Group.objects.get(name=role_group_name(space.pk, Role.MEMBER))
    User.groups.through.objects.bulk_create(User.groups.through(user=user, group=group) for user in users)
    conduct = CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-version").first()
    if conduct is not None:
        ConductAcceptance.objects.bulk_create(ConductAcceptance(user=user, conduct=conduct) for user in users)

    sentence = "نقترح أن نناقش هذه النقطة في الاجتماع القادم مع مراعاة آراء جميع الأعضاء والمناطق. "
    thread_ids = []
    for n in range(threads):
        thread = services.thread_create(
            actor=rng.choice(users), space=space, title=f"نقاش رقم {n + 1}", body=sentence * 3
        )
        for _ in range(posts_per_thread - 1):
            services.post_create(actor=rng.choice(users), thread=thread, body=sentence * rng.randint(1, 4))
        thread_ids.append(thread.pk)
    for n in range(concerns):
        concern = services.concern_propose(
            actor=rng.choice(users),
            space=space,
            title=f"قضية رقم {n + 1}",
            description=sentence * 2,
            tags=["حوكمة محلية"],
            regions=["damascus", "aleppo"],
        )
        for user in rng.sample(users, min(5, len(users))):
            services.concern_endorse(actor=user, concern=concern)
    for n in range(documents):
        library_services.document_create(
            actor=rng.choice(users),
            space=space,
            title=f"وثيقة رقم {n + 1}",
            description=sentence,
            folder="أوراق العمل",
            language="ar",
            upload=SimpleUploadedFile(f"doc-{n}.txt", (sentence * 20).encode(), content_type="text/plain"),
        )
    for n in range(events):
        starts = (now + timedelta(days=n * 3 - 12)).replace(hour=14, minute=0, second=0, microsecond=0)
        event_services.event_create(
            actor=rng.choice(users),
            space=space,
            title=f"اجتماع رقم {n + 1}",
            description=sentence,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            time_zone="Asia/Damascus",
        )
    conversation = chat_services.space_conversation_get_or_create(space=space)
    for n in range(chat):
        chat_services.message_send(
            actor=rng.choice(users), conversation=conversation, body=f"رسالة رقم {n + 1}: {sentence}"
        )

    backend = "django.contrib.auth.backends.ModelBackend"
    keys, rows = [], []
    for n in range(sessions):
        user = users[n % len(users)]
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        expires = now + timedelta(days=1)
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    return Data(space.pk, str(conversation.public_id), thread_ids, keys)


# --- The servers ------------------------------------------------------------------------------------


def production_command(port, workers=1, app="cssr.asgi:application"):
    """docker-compose.yml's web command (`sh -c "exec uvicorn ..."`) as this machine runs it: the
    virtualenv's program, loopback, `port`, `workers` worker processes, `app`."""
    import yaml

    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert command[:2] == ["sh", "-c"], command
    words = shlex.split(command[2])
    assert words[:2] == ["exec", "uvicorn"], words
    argv = [str(ROOT / ".venv/bin/uvicorn")]
    for word in words[2:]:
        previous = argv[-1]
        if previous == "--host":
            word = "127.0.0.1"
        elif previous == "--port":
            word = str(port)
        elif previous == "--workers":
            word = str(workers)
        elif word == "cssr.asgi:application":
            word = app
        argv.append(word)
    return argv


def daphne_command(port, app="cssr.asgi:application"):
    """daphne, Channels' own server, with the options production gave it before uvicorn (one process:
    daphne has no workers option)."""
    return [
        str(ROOT / ".venv/bin/daphne"),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--proxy-headers",
        "--access-log",
        "/dev/null",
        app,
    ]


def start_server(command, port, env, cores=SERVER_CORE):
    """Start `command` pinned to `cores` (taskset's list, e.g. "0" or "0,1"; None: not pinned) and
    wait until it accepts connections on `port`."""
    if cores and shutil.which("taskset"):
        command = ["taskset", "-c", cores, *command]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    sys.exit(f"the web server did not start: {' '.join(command)}")


def stop_server(process, seconds=120):
    """SIGTERM, then SIGKILL after `seconds` (closing thousands of sockets takes a while)."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def generator(coroutine, core=GENERATOR_CORE, loop="uvloop"):
    """Run the load generator's `coroutine` pinned to `core` (None: every core), on uvloop when
    installed (`loop="asyncio"`: the standard loop)."""
    if core is not None and shutil.which("taskset"):
        os.sched_setaffinity(0, {int(core)})
    elif core is None:
        os.sched_setaffinity(0, range(os.cpu_count()))
    if loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.run(coroutine)
    return asyncio.run(coroutine)


# --- The HTTP client --------------------------------------------------------------------------------


class Failed(Exception):
    pass


class Participant:
    """A browser: one keep-alive HTTP/1.1 connection (opened again after an error) and its cookies; or,
    with `keep_alive=False`, a connection per request (`Connection: close`), as nginx opens them to the
    web server (deploy/nginx.conf's upstream keeps none)."""

    def __init__(self, port, session_key, seed, keep_alive=True):
        self.port = port
        self.keep_alive = keep_alive
        self.cookies = {"sessionid": session_key}
        self.rng = random.Random(seed)
        self.reader = self.writer = None
        self.answered = False

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method, path, form=None):
        """(status, body); the connection is closed on any failure, and the failure raised. A kept-alive
        connection the server closed while it was idle (uvicorn closes them after 5 s) is replaced
        and the request sent again, once, as browsers do, when no answer had begun."""
        for attempt in (1, 2):
            reused, self.answered = self.writer is not None, False
            try:
                return await asyncio.wait_for(self._exchange(method, path, form), TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                await self.close()
                stale = reused and not self.answered and isinstance(error, ConnectionError)
                if attempt == 1 and stale:
                    continue
                raise Failed(repr(error)) from error

    async def _exchange(self, method, path, form):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=2**22)
        host = f"127.0.0.1:{self.port}"
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {host}",
            "User-Agent: cssr-bench-http",
            "Accept: text/html,application/json",
            *([] if self.keep_alive else ["Connection: close"]),
            "Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        ]
        payload = b""
        if form is not None:
            payload = urlencode(form).encode()
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(payload)}",
                f"Origin: http://{host}",
                f"Referer: http://{host}{path}",
            ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split()[1])
        self.answered = True
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"][0]))
        else:
            body = await self.reader.read()
            await self.close()
        for cookie in headers.get("set-cookie", []):
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value.strip('"') or "max-age=0" in attributes.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if "close" in ",".join(headers.get("connection", [])).lower():
            await self.close()
        return status, body


class Recorder:
    def __init__(self):
        self.rows = []  # (label, finished at, seconds, ok)

    async def timed(self, participant, label, method, path, form=None, expect=200):
        started = time.perf_counter()
        try:
            status, body = await participant.request(method, path, form)
        except Failed:
            self.rows.append((label, time.perf_counter(), time.perf_counter() - started, False))
            return None
        finished = time.perf_counter()
        ok = status == expect
        self.rows.append((label, finished, finished - started, ok))
        return body if ok else None


def quantiles(seconds):
    """p50, p95 and p99 of `seconds`, in milliseconds (nan when empty)."""
    times = sorted(seconds)

    def quantile(q):
        return times[min(int(len(times) * q), len(times) - 1)] * 1000 if times else float("nan")

    return {
        "p50": statistics.median(times) * 1000 if times else float("nan"),
        "p95": quantile(0.95),
        "p99": quantile(0.99),
    }


def summary(rows, seconds):
    return {
        "requests": len(rows),
        "rate": len(rows) / seconds if seconds else float("nan"),
        **quantiles(row[2] for row in rows),
        "errors": sum(1 for row in rows if not row[3]),
    }


async def closed_loop(participants, turn, seconds):
    """Each participant takes its next `turn` (a coroutine function of the participant) as soon as its
    last one ended, for `seconds`; returns the seconds it took."""
    deadline = time.perf_counter() + seconds

    async def run(participant):
        while time.perf_counter() < deadline:
            await turn(participant)

    started = time.perf_counter()
    await asyncio.gather(*(run(participant) for participant in participants))
    return time.perf_counter() - started


# --- The chat websocket client ----------------------------------------------------------------------


class ChatClient:
    """A chat page's socket (`kind="chat"`: /ws/chat/<uuid>/, signed in by its session cookie) or the
    bench's bare echo socket (`kind="echo"`). Every message it sends carries its id and send time; every
    one it receives is counted and timed, and ends the wait of `send_and_wait` for that id."""

    def __init__(self, index, url, cookie, kind):
        self.index, self.url, self.cookie, self.kind = index, url, cookie, kind
        self.socket = None
        self.latencies = []
        self.received = 0
        self.acks = {}
        self.reader = None

    async def open(self):
        import websockets

        headers = {"Origin": "http" + self.url.split("/ws/", 1)[0][2:]}  # the page's origin
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
                waiter.set_result(now - payload["t"])

    async def send(self, message_id):
        body = json.dumps({"id": message_id, "t": time.perf_counter(), "pad": "رسالة قياس " * 4})
        if self.kind == "chat":
            await self.socket.send(json.dumps({"type": "send", "body": body}))
        else:
            await self.socket.send(body)

    async def send_and_wait(self, message_id):
        """Send, and wait until the message came back to this client; returns the round trip (s)."""
        waiter = asyncio.get_running_loop().create_future()
        self.acks[message_id] = waiter
        await self.send(message_id)
        return await asyncio.wait_for(waiter, 60)

    async def close(self):
        if self.reader:
            self.reader.cancel()
        await self.socket.close()


async def connect_all(count, url, cookies, kind, batch=100):
    clients = [ChatClient(n, url, cookies[n] if cookies else None, kind) for n in range(count)]
    for start in range(0, count, batch):
        await asyncio.gather(*(client.open() for client in clients[start : start + batch]))
    return clients


async def settle(clients, expected, timeout=60):
    """Wait until the clients received `expected` messages in all (or `timeout` passed)."""
    deadline = time.perf_counter() + timeout
    while sum(c.received for c in clients) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)


def server_processes(pid):
    """The server's process and its children (uvicorn's workers; not multiprocessing's helper)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [int(child) for child in children.read_text().split()] if children.exists() else []
    return [pid] + [
        child
        for child in pids
        if Path(f"/proc/{child}/cmdline").exists()
        and b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def cpu_seconds(pid):
    """CPU time (user + system) each of the server's processes has used so far ({pid: seconds}): what a
    measurement cost the server, whatever else ran on its cores meanwhile."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for one in server_processes(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        used[one] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15 of proc(5))
    return used


def rss_mib(pid):
    """Resident memory of the process `pid` and of its children (uvicorn's workers), in MiB."""
    total = 0
    for one in server_processes(pid):
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024
