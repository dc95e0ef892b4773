"""Load benchmark of the group pages on the production-like stack (not a test).

    make bench-http
    # or: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/http.py
    # shorter (about 4 minutes): BENCH_QUICK=1 make bench-http

Creates a throw-away PostgreSQL database, migrates it and fills one active space: BENCH_MEMBERS members
(default 200) who accepted the code of conduct, 50 discussions of 20 posts, concerns, documents,
events and the space's chat; and signed-in sessions written straight into the session table (no sign-in
form, no second factor: plain members need none), several per member. Starts the production web
command (docker-compose.yml: daphne on cssr.asgi, DJANGO_DEBUG=0) with the compose file's settings,
changed only where loopback differs (plain http, no proxy in front, no mail server), on PostgreSQL and
Redis (REDIS_URL, under its own key prefix), pinned to core 0 with taskset; the load generator, a small
asyncio HTTP/1.1 client with keep-alive connections (one per participant, cookies kept as a browser
keeps them), runs pinned to core 1.

1. Each page alone: PAGE_CONCURRENCY participants request it back to back for PAGE_SECONDS; requests,
   throughput, p50/p95/p99 and errors. The floor, measured the same way on the same server: the
   cheapest signed-in URL there is, the chat's catch-up JSON with nothing new to return
   (/chat/<id>/since/): every middleware of a signed-in request, the permission check, one query.
2. A mix: the same participants browse pages at random, replying in a discussion (a POST with the
   CSRF token taken from the page) and writing in the chat (the chat page's form, the non-websocket
   way to send) now and then.
3. The capacity ramp: participants who wait 5 to 10 s between pages, as people do (the same mix),
   added in steps of STEP_SECONDS (x1.5 from 25) until a step's p99 passes 2 s or its errors pass
   0.025 %; then one step halfway between that one and the last that passed (participants leave).
   The largest step that passed is what the server held.

The chat's per-user rate limit is lifted (CSSR_CHAT_RATE_MESSAGES): it guards against one abusive user,
and here one member's sessions can be several participants. Drops the database at the end.

Settings: BENCH_QUICK=1 (shorter phases), BENCH_MEMBERS, BENCH_SESSIONS, BENCH_PAGE_SECONDS,
BENCH_MIX_SECONDS, BENCH_STEP_SECONDS, BENCH_RAMP_SECONDS (the ramp's time before its halfway step).
"""

import asyncio
import os
import random
import re
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
# Run as a script, this file's folder would come first on the path, and its name is the standard
# library's `http` (which Django imports): the project's root takes its place.
sys.path[:] = [str(ROOT)] + [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]

QUICK = os.environ.get("BENCH_QUICK") == "1"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "200"))
THREADS, POSTS_PER_THREAD = 50, 20
CONCERNS, DOCUMENTS, EVENTS, CHAT_MESSAGES = 12, 12, 10, 120
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "2000"))  # one per participant, spread over the members
PAGE_CONCURRENCY = 10
PAGE_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "4" if QUICK else "12"))
MIX_SECONDS = float(os.environ.get("BENCH_MIX_SECONDS", "10" if QUICK else "30"))
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "20" if QUICK else "40"))
RAMP_BUDGET = float(os.environ.get("BENCH_RAMP_SECONDS", "120" if QUICK else "320"))
RAMP_START, RAMP_FACTOR = 25, 1.5
THINK = (5.0, 10.0)
P99_LIMIT = 2.0
ERROR_LIMIT = 0.00025
TIMEOUT = 30.0
SERVER_CORE, GENERATOR_CORE = "0", "1"
REPLY_SHARE, CHAT_SHARE = 0.10, 0.05
FLOOR = "floor: chat catch-up JSON, nothing new"
READS = ("space home", "discussions", "thread", "concerns", "documents", "chat page", "calendar month")
REPLY, CHAT = "reply (POST)", "chat message (POST)"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


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
    """One active space as its members would have filled it, through the services (as the demo data
    is made); members and sessions set-based. Returns the paths the participants use and the session
    keys."""
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
        for n in range(MEMBERS)
    )
    users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    Membership.objects.bulk_create(Membership(user=user, space=space, role=Role.MEMBER) for user in users)
    group = Group.objects.get(name=role_group_name(space.pk, Role.MEMBER))
    User.groups.through.objects.bulk_create(User.groups.through(user=user, group=group) for user in users)
    conduct = CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-version").first()
    if conduct is not None:
        ConductAcceptance.objects.bulk_create(ConductAcceptance(user=user, conduct=conduct) for user in users)

    sentence = "نقترح أن نناقش هذه النقطة في الاجتماع القادم مع مراعاة آراء جميع الأعضاء والمناطق. "
    threads = []
    for n in range(THREADS):
        thread = services.thread_create(
            actor=rng.choice(users), space=space, title=f"نقاش رقم {n + 1}", body=sentence * 3
        )
        for _ in range(POSTS_PER_THREAD - 1):
            services.post_create(actor=rng.choice(users), thread=thread, body=sentence * rng.randint(1, 4))
        threads.append(thread.pk)
    for n in range(CONCERNS):
        concern = services.concern_propose(
            actor=rng.choice(users),
            space=space,
            title=f"قضية رقم {n + 1}",
            description=sentence * 2,
            tags=["حوكمة محلية"],
            regions=["damascus", "aleppo"],
        )
        for user in rng.sample(users, 5):
            services.concern_endorse(actor=user, concern=concern)
    for n in range(DOCUMENTS):
        library_services.document_create(
            actor=rng.choice(users),
            space=space,
            title=f"وثيقة رقم {n + 1}",
            description=sentence,
            folder="أوراق العمل",
            language="ar",
            upload=SimpleUploadedFile(f"doc-{n}.txt", (sentence * 20).encode(), content_type="text/plain"),
        )
    for n in range(EVENTS):
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
    for n in range(CHAT_MESSAGES):
        chat_services.message_send(
            actor=rng.choice(users), conversation=conversation, body=f"رسالة رقم {n + 1}: {sentence}"
        )

    backend = "django.contrib.auth.backends.ModelBackend"
    keys, sessions = [], []
    for n in range(SESSIONS):
        user = users[n % len(users)]
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=now + timedelta(days=1))
        )
        keys.append(key)
    Session.objects.bulk_create(sessions, batch_size=1000)

    base = f"/spaces/{space.pk}/"
    chat_page = f"/chat/{conversation.public_id}/"
    paths = {
        FLOOR: lambda r: f"{chat_page}since/?after={10**15}",
        "space home": lambda r: base,
        "discussions": lambda r: f"{base}discussions/",
        "thread": lambda r: f"{base}discussions/{r.choice(threads)}/",
        "concerns": lambda r: f"{base}concerns/",
        "documents": lambda r: f"{base}documents/",
        "chat page": lambda r: chat_page,
        "calendar month": lambda r: f"{base}events/month/",
    }
    return paths, keys


# --- The server -----------------------------------------------------------------------------


def start_server(port, env):
    """The compose file's web command (daphne), on loopback, pinned to SERVER_CORE."""
    command = [
        str(ROOT / ".venv/bin/daphne"),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--proxy-headers",
        "--access-log",
        "/dev/null",
        "cssr.asgi:application",
    ]
    if shutil.which("taskset"):
        command = ["taskset", "-c", SERVER_CORE, *command]
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
    sys.exit("the web server did not start")


# --- The load generator ---------------------------------------------------------------------


class Failed(Exception):
    pass


class Participant:
    """A browser: one keep-alive HTTP/1.1 connection (opened again after an error) and its cookies."""

    def __init__(self, port, session_key, seed):
        self.port = port
        self.cookies = {"sessionid": session_key}
        self.rng = random.Random(seed)
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method, path, form=None):
        """(status, body); the connection is closed on any failure, and the failure raised."""
        try:
            return await asyncio.wait_for(self._exchange(method, path, form), TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            await self.close()
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


def summary(rows, seconds):
    times = sorted(row[2] for row in rows)
    errors = sum(1 for row in rows if not row[3])

    def quantile(q):
        return times[min(int(len(times) * q), len(times) - 1)] * 1000 if times else float("nan")

    return {
        "requests": len(rows),
        "rate": len(rows) / seconds if seconds else float("nan"),
        "p50": statistics.median(times) * 1000 if times else float("nan"),
        "p95": quantile(0.95),
        "p99": quantile(0.99),
        "errors": errors,
    }


async def act(participant, recorder, paths, label):
    """One thing a participant does: open a page, or open one and post its form."""
    rng = participant.rng
    if label == REPLY:
        path = paths["thread"](rng)
        page = await recorder.timed(participant, "thread", "GET", path)
        token = TOKEN.search(page or b"")
        if token is None:
            recorder.rows.append((REPLY, time.perf_counter(), 0.0, False))
            return
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "body": "أوافق على ما ورد أعلاه، مع ملاحظة صغيرة.",
        }
        await recorder.timed(participant, REPLY, "POST", path, form, expect=302)
    elif label == CHAT:
        path = paths["chat page"](rng)
        page = await recorder.timed(participant, "chat page", "GET", path)
        token = TOKEN.search(page or b"")
        if token is None:
            recorder.rows.append((CHAT, time.perf_counter(), 0.0, False))
            return
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "body": "شكراً، سأراجع الوثيقة قبل الاجتماع."}
        await recorder.timed(participant, CHAT, "POST", path, form, expect=302)
    else:
        await recorder.timed(participant, label, "GET", paths[label](rng))


def choose(rng):
    draw = rng.random()
    if draw < REPLY_SHARE:
        return REPLY
    if draw < REPLY_SHARE + CHAT_SHARE:
        return CHAT
    return rng.choice(READS)


async def closed_loop(participants, recorder, paths, pick, seconds):
    """Each participant acts again as soon as its last request came back, for `seconds`."""
    deadline = time.perf_counter() + seconds

    async def run(participant):
        while time.perf_counter() < deadline:
            await act(participant, recorder, paths, pick(participant.rng))

    started = time.perf_counter()
    await asyncio.gather(*(run(participant) for participant in participants))
    return time.perf_counter() - started


async def measure_pages(port, keys, paths):
    """Each page alone (the floor first), then the mix; per label: requests, rates, latencies."""
    participants = [Participant(port, keys[n], n) for n in range(PAGE_CONCURRENCY)]
    pages = []
    for label in (FLOOR, *READS):
        warm = Recorder()
        await closed_loop(participants, warm, paths, lambda rng, label=label: label, 1.0)
        recorder = Recorder()
        seconds = await closed_loop(
            participants, recorder, paths, lambda rng, label=label: label, PAGE_SECONDS
        )
        pages.append((label, summary(recorder.rows, seconds)))
        print(f"{label}: {pages[-1][1]}", file=sys.stderr)
    recorder = Recorder()
    seconds = await closed_loop(participants, recorder, paths, choose, MIX_SECONDS)
    mix = [("all requests", summary(recorder.rows, seconds))]
    for label in (*READS, REPLY, CHAT):
        mix.append((label, summary([row for row in recorder.rows if row[0] == label], seconds)))
    for participant in participants:
        await participant.close()
    return pages, mix


async def ramp(port, keys, paths):
    """Participants with think time, added in steps until a step fails or the time budget is spent;
    after a failed step, one step halfway between it and the last that held (participants leave)."""
    recorder = Recorder()
    participants, tasks, steps = [], [], []
    began = time.perf_counter()

    async def pause(participant, seconds):
        """Think for `seconds`; True if the participant left meanwhile."""
        try:
            await asyncio.wait_for(participant.leave.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def live(participant):
        # arrivals spread over the think time; a request under way is finished, never cut off
        if await pause(participant, participant.rng.uniform(0, THINK[1])):
            return
        while True:
            await act(participant, recorder, paths, choose(participant.rng))
            if await pause(participant, participant.rng.uniform(*THINK)):
                return

    async def step(count):
        while len(participants) < count:
            participant = Participant(
                port, keys[len(participants) + PAGE_CONCURRENCY], 10**6 + len(participants)
            )
            participant.leave = asyncio.Event()
            participants.append(participant)
            tasks.append(asyncio.create_task(live(participant)))
        while len(participants) > count:
            leaving = participants.pop()
            leaving.leave.set()
            await tasks.pop()
            await leaving.close()
        start = time.perf_counter()
        await asyncio.sleep(STEP_SECONDS)
        end = time.perf_counter()
        result = summary([row for row in recorder.rows if start <= row[1] < end], end - start)
        passed = (
            result["requests"] > 0
            and result["p99"] <= P99_LIMIT * 1000
            and result["errors"] <= ERROR_LIMIT * result["requests"]
        )
        steps.append((count, result, passed))
        print(f"ramp {count}: {result} {'held' if passed else 'FAILED'}", file=sys.stderr)
        return passed

    most = len(keys) - PAGE_CONCURRENCY
    held, count, failed = 0, min(RAMP_START, most), None
    while time.perf_counter() - began + STEP_SECONDS <= RAMP_BUDGET:
        if await step(count):
            held = count
            if count >= most:
                break
            count = min(int(count * RAMP_FACTOR), most)
        else:
            failed = count
            break
    if failed is not None and failed - held > 2:
        # the backlog of the failed step is served before the halfway step is measured
        await asyncio.sleep(THINK[1])
        halfway = (held + failed) // 2
        if await step(halfway):
            held = halfway
    for participant in participants:
        participant.leave.set()
    await asyncio.gather(*tasks)
    for participant in participants:
        await participant.close()
    return steps, held, failed


def generator(coroutine):
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {int(GENERATOR_CORE)})
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# --- Main -----------------------------------------------------------------------------------


def main():
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there).")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    server_url, _, _ = base.rpartition("/")
    name = f"cssr_bench_http_{os.getpid()}"
    prefix = f"bench-http-{uuid.uuid4().hex[:6]}"
    work = Path(tempfile.mkdtemp(prefix="cssr-bench-http-"))
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the compose file's settings in both processes (sessions written here must authenticate there),
    # changed where loopback differs: plain http, no proxy in front, no mail server
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cssr.settings",
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "REDIS_URL": redis_url,
            "CHANNEL_LAYER_PREFIX": prefix,
            "CACHE_KEY_PREFIX": prefix,
            "MEDIA_ROOT": str(work / "media"),
            "CSSR_VAR_DIR": str(work / "var"),
            "CSSR_X_ACCEL_REDIRECT": "0",
            "BEHIND_TLS_PROXY": "0",
            "SECURE_COOKIES": "0",
            "CSSR_TRUSTED_PROXY_COUNT": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "CSSR_CHAT_RATE_MESSAGES": "1000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    began = time.perf_counter()
    pages = mix = steps = failed = None
    held = 0
    try:
        prepare_database(server_url, name)
        env = {**os.environ, "DATABASE_URL": f"{server_url}/{name}"}
        paths, keys = populate()
        print(f"data ready in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        from django.db import connections

        connections.close_all()
        process = start_server(port, env)
        try:
            pages, mix = generator(measure_pages(port, keys, paths))
            steps, held, failed = generator(ramp(port, keys, paths))
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        forget_redis_keys(redis_url, prefix)
        shutil.rmtree(work, ignore_errors=True)
    report(pages, mix, steps, held, failed, time.perf_counter() - began)


def forget_redis_keys(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def row(label, result, floor=None):
    ratio = ""
    if floor is not None:
        ratio = f" {floor['rate'] / result['rate']:.1f} |" if result["rate"] else " – |"
    return (
        f"| {label} | {result['requests']:,} | {result['rate']:,.1f} |{ratio} {result['p50']:.0f} | "
        f"{result['p95']:.0f} | {result['p99']:.0f} | {result['errors']} |"
    )


def report(pages, mix, steps, held, failed, seconds):
    floor = pages[0][1]
    print()
    print(
        f"Each page alone, {PAGE_CONCURRENCY} participants back to back, {PAGE_SECONDS:.0f} s each "
        "(server on core 0, generator on core 1):"
    )
    print()
    print("| page | requests | req/s | floor ÷ this | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, result in pages:
        print(row(label, result, floor))
    print()
    print(
        f"The mix, {PAGE_CONCURRENCY} participants back to back for {MIX_SECONDS:.0f} s "
        f"({REPLY_SHARE:.0%} replies, {CHAT_SHARE:.0%} chat messages, each after its page):"
    )
    print()
    print("| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, result in mix:
        print(row(label, result))
    print()
    print(
        f"Capacity ramp: participants waiting {THINK[0]:.0f}-{THINK[1]:.0f} s between pages (same mix), "
        f"{STEP_SECONDS:.0f} s per step; a step holds while p99 <= {P99_LIMIT:.0f} s and errors <= "
        f"{ERROR_LIMIT:.3%}:"
    )
    print()
    print("| participants | requests | req/s | p50 ms | p95 ms | p99 ms | errors | held |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for count, result, passed in steps:
        print(f"{row(str(count), result)} {'yes' if passed else 'no'} |")
    print()
    if failed is None:
        ended = "the time budget or the sessions ran out before any step failed"
    else:
        ended = f"{failed} did not hold"
    print(f"Held {held} participants ({ended}). Whole run: {seconds:.0f} s.")


if __name__ == "__main__":
    main()
