"""Production smoke test: the platform as docker-compose.yml runs it, over HTTP and websockets on loopback.

`make smoke` runs it, and so does CI's second pass after the PostgreSQL/Redis suite. It needs PostgreSQL
on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379, and starts, as real processes:

- a fresh database `cssr_smoke_<pid>`, migrated by the compose file's `migrate` command, with the demo
  data (`load_demo --force`) and static files collected as the Dockerfile collects them;
- the compose file's `web` (the ASGI server: uvicorn, its shell command as written, with
  WEB_CONCURRENCY=2 worker processes), `worker` and `beat` commands, with the compose file's
  environment (DJANGO_DEBUG=0), changed only where loopback differs from production: no nginx in front
  (CSSR_TRUSTED_PROXY_COUNT=0, no X-Accel-Redirect), plain http (SECURE_COOKIES=0), no mail server
  (e-mail to a null backend once written to the outbox), and Redis shared with other runs (the run's own
  cache and channel-layer prefixes; its own Redis database for the Celery broker, whose queues have no
  prefix).

Then, as people would: staff sign in with their second factor and open admin; a member replies in a
discussion; a member uploads a document and downloads the same bytes; two members chat over websockets,
the receiver with a socket in each web worker (which worker holds a connection is read from /proc), so
the message crosses from one worker to the other through the Redis channel layer; the inactivity job,
run by the Celery worker, locks the receiver, made inactive in the database, and her sockets in every
web worker close within 5 s; the digest job writes digests to the outbox; /readyz answers 200.

One line per step with its duration. Everything started is stopped (process groups, the database, the
Redis keys) whatever happens; the exit status is 1 with the failed step named, its reason and the ends
of the processes' logs.
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import redis
import yaml
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as websocket_connect

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's programs stand in for the image's
POSTGRES = "host=127.0.0.1 port=5432 user=postgres"
REDIS = "redis://127.0.0.1:6379"
DEMO_PASSWORD = "cssr-demo-2026"  # noqa: S105 (accounts/demo.py; demo data only)
TIME_LIMIT = 240  # seconds: the whole run is stopped (and cleaned up) past this
SOCKET_CLOSE_SECONDS = 5  # the most a locked member's socket may stay open
BROKER_CLAIM_KEY = "cssr-smoke:claimed-by"
SERVICES = ("web", "worker", "beat")  # the long-running services of docker-compose.yml started here
WEB_WORKERS = 2  # WEB_CONCURRENCY here: sockets in different worker processes, whatever the machine has


class SmokeFailure(Exception):
    """A check failed; the message says what was expected and what happened."""


def expect(condition, message):
    if not condition:
        raise SmokeFailure(message)


def wait_for(probe, seconds, what):
    """Poll `probe` until it returns something true (returned), or fail saying `what` did not happen."""
    deadline = time.monotonic() + seconds
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{what} did not happen within {seconds} s")
        time.sleep(0.2)


# --- The compose file ------------------------------------------------------------------------------


def compose_service(name, variables):
    """The command and environment docker-compose.yml gives service `name`, its ${...} filled from
    `variables` (what `.env` holds in production) or the file's own defaults."""
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]

    def fill(match):
        variable, operator, fallback = match.group(1), match.group(2), match.group(3) or ""
        if variables.get(variable):
            return variables[variable]
        expect(operator != "?", f"docker-compose.yml needs {variable} ({fallback})")
        return fallback

    environment = {
        key: re.sub(r"\$\{(\w+)(?::?([-?])([^}]*))?\}", fill, str(value))
        for key, value in service.get("environment", {}).items()
    }
    return [str(arg) for arg in service["command"]], environment


def local_command(command, port):
    """A compose command on this machine: the virtualenv's programs, loopback instead of every
    interface, the run's port instead of 8000. A shell command (`sh -c "exec uvicorn ..."`) keeps its
    shell, with `$$` read as compose reads it (a `$` left for the shell); its programs are found first
    in the virtualenv (`shell_path`)."""
    if command[:2] == ["sh", "-c"]:
        script = command[2].replace("$$", "$")
        script = re.sub(r"--host 0\.0\.0\.0\b", "--host 127.0.0.1", script)
        script = re.sub(r"--port 8000\b", f"--port {port}", script)
        return ["sh", "-c", script]
    program = sys.executable if command[0] == "python" else str(BIN / command[0])
    replaced = {"0.0.0.0": "127.0.0.1", "8000": str(port), "0.0.0.0:8000": f"127.0.0.1:{port}"}  # noqa: S104
    return [program, *(replaced.get(arg, arg) for arg in command[1:])]


def shell_path():
    """PATH with the virtualenv's programs first, where a shell command of the compose file looks."""
    return os.pathsep.join([str(BIN), os.environ.get("PATH", os.defpath)])


# --- The run ---------------------------------------------------------------------------------------


@dataclass
class Run:
    work: Path  # logs, media, static files and the var folder of this run
    port: int
    database: str
    prefix: str  # of the run's cache and channel-layer keys in Redis
    broker_database: int | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    processes: dict = field(default_factory=dict)  # label: Popen, each in its own process group
    sockets: ExitStack = field(default_factory=ExitStack)  # the open websockets, closed at the end
    found: dict = field(default_factory=dict)  # what one step found for the next (ids, sockets, browsers)

    @property
    def site(self):
        return f"http://127.0.0.1:{self.port}"

    def service(self, name):
        """The compose service's command and environment, on loopback (see the module docstring)."""
        command, environment = compose_service(
            name,
            {
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1",
                "SITE_URL": self.site,
                "POSTGRES_PASSWORD": "unused",  # in DATABASE_URL, replaced below
            },
        )
        environment.update(
            {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.database}",
                "REDIS_URL": f"{REDIS}/0",
                "CACHE_KEY_PREFIX": self.prefix,
                "CHANNEL_LAYER_PREFIX": self.prefix,
                "CELERY_BROKER_URL": f"{REDIS}/{self.broker_database}",  # read by Celery before its settings
                "CSSR_TRUSTED_PROXY_COUNT": "0",
                "BEHIND_TLS_PROXY": "0",
                "SECURE_COOKIES": "0",
                "CSSR_X_ACCEL_REDIRECT": "0",  # no nginx: the web process sends the bytes itself
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "MEDIA_ROOT": str(self.work / "media"),
                "STATIC_ROOT": str(self.work / "static"),
                "CSSR_VAR_DIR": str(self.work / "var"),
                "WEB_CONCURRENCY": str(WEB_WORKERS),
                # what the image's Dockerfile sets
                "DJANGO_SETTINGS_MODULE": "cssr.settings",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
            }
        )
        inherited = {name: os.environ[name] for name in ("HOME", "LANG", "TMPDIR") if name in os.environ}
        return local_command(command, self.port), {**inherited, "PATH": shell_path(), **environment}

    @property
    def environment(self):
        """The environment of the app's one-off commands: the worker's."""
        return self.service("worker")[1]

    def spawn(self, label, argv, environment):
        """Start a process in its own process group, its output in <work>/<label>.log."""
        with (self.work / f"{label}.log").open("w") as log:
            process = subprocess.Popen(  # noqa: S603
                argv, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes[label] = process
        return process

    def finish(self, label, seconds=150):
        """Wait for the process `label` to end; its output, or a failure quoting it."""
        try:
            returncode = self.processes[label].wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise SmokeFailure(f"{label} did not finish within {seconds} s") from None
        expect(returncode == 0, f"{label} exited with {returncode}:\n{tail(self.log(label))}")
        return self.log(label)

    def command(self, label, argv, environment=None):
        self.spawn(label, argv, environment or self.environment)
        return self.finish(label)

    def manage(self, *arguments):
        return self.command(f"manage.py {arguments[0]}", [sys.executable, "manage.py", *arguments])

    def start(self, name):
        """Start the compose service `name` (see `service`)."""
        self.spawn(name, *self.service(name))

    def log(self, name):
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def running(self, name):
        process = self.processes[name]
        expect(process.poll() is None, f"{name} exited with {process.returncode}:\n{tail(self.log(name))}")
        return True

    def sql(self, query, *params):
        with psycopg.connect(f"{POSTGRES} dbname={self.database}", autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []


def tail(text, lines=25):
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def claim_broker_database(run):
    """A Redis database of the run's own for the Celery broker: Celery's queues carry no key prefix, so
    another run's worker on a shared database would take this run's tasks. The first of 15..1 that is
    empty, claimed with a key (which also keeps other runs off it)."""
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{number}", socket_connect_timeout=5)
        if client.dbsize() == 0 and client.set(BROKER_CLAIM_KEY, run.prefix, nx=True, ex=TIME_LIMIT * 2):
            run.broker_database = number
            return number
    raise SmokeFailure("no empty Redis database (1-15) is left for the Celery broker")


# --- A browser -------------------------------------------------------------------------------------


@dataclass
class Page:
    status: int
    url: str
    body: bytes

    @property
    def path(self):
        return urlsplit(self.url).path

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx answer is returned as it is


class Browser:
    """One person's browser: cookies kept, redirects followed, each form's CSRF token sent back."""

    def __init__(self, site, follow_redirects=True):
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies)]
        self.opener = urllib.request.build_opener(*handlers, *([] if follow_redirects else [_NoRedirects]))

    def open(self, path, data=None, content_type=None):
        request = urllib.request.Request(self.site + path, data=data)  # noqa: S310 (always the run's http site)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read())

    def get(self, path):
        return self.open(path)

    def submit(self, path, fields, files=None):
        """GET the page at `path`, then POST its form there with `fields` (and `files`: name -> (file
        name, bytes, type)) and the CSRF token the form carries."""
        form = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        expect(form.status == 200 and token, f"no form at {path} (answered {form.status}, {form.path})")
        fields = {"csrfmiddlewaretoken": token.group(1), **fields}
        if not files:
            return self.open(path, urlencode(fields).encode(), "application/x-www-form-urlencoded")
        return self.open(path, *multipart(fields, files))

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)


def multipart(fields, files):
    """A multipart/form-data body and its content type."""
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join([*parts, f"--{boundary}--\r\n".encode()]), f"multipart/form-data; boundary={boundary}"


def demo_totp(run, username):
    """The demo account's current second-factor code (`manage.py demo_totp`), taken from the next
    30-second period when this one is about to end (a code is accepted in its own period only)."""
    for _attempt in range(2):
        output = run.manage("demo_totp")
        remaining = int(re.search(r"valid for (\d+)", output).group(1))
        if remaining >= 5:
            return re.search(rf"^{username}\s+(\d+)", output, re.MULTILINE).group(1)
        time.sleep(remaining + 1)
    raise SmokeFailure("no second-factor code with time left to use it")


def sign_in(run, username, second_factor=False):
    """A browser signed in as the demo user `username` through the sign-in page (and the
    second-factor page)."""
    browser = Browser(run.site)
    page = browser.submit("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
    if second_factor:
        expect(
            page.path == "/accounts/2fa/authenticate/", f"{username}: no second-factor page, got {page.path}"
        )
        page = browser.submit(page.path, {"code": demo_totp(run, username)})
    expect(
        page.status == 200 and not page.path.startswith("/accounts/"),
        f"{username} is not signed in: the sign-in ended on {page.path} with {page.status}",
    )
    return browser


def chat_socket(run, conversation, browser):
    """A websocket on the conversation, opened as the browser opens it; once the server said ready."""
    websocket = run.sockets.enter_context(
        websocket_connect(
            f"ws://127.0.0.1:{run.port}/ws/chat/{conversation}/",
            origin=run.site,
            open_timeout=10,
            additional_headers={"Cookie": f"sessionid={browser.cookie('sessionid')}"},
        )
    )
    frame = json.loads(websocket.recv(timeout=10))
    expect(frame["type"] == "ready", f"the socket's first frame is {frame}, not ready")
    return websocket


def web_workers(run):
    """The process ids of the web server's worker processes (the children of the compose command's
    process, which `exec`s uvicorn: its supervisor)."""
    supervisor = run.processes["web"].pid
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [
        int(pid)
        for pid in children
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()  # multiprocessing's helper
    ]


def worker_of(run, websocket):
    """The web worker process that holds `websocket`'s connection: the server's end of it is the socket
    in /proc/net/tcp whose remote port is this end's local port, and the worker the one whose file
    descriptors include that socket."""
    local_port = websocket.socket.getsockname()[1]
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote = fields[1], fields[2]
                if (
                    int(local.rsplit(":", 1)[1], 16) == run.port
                    and int(remote.rsplit(":", 1)[1], 16) == local_port
                ):
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in web_workers(run):
        with suppress(FileNotFoundError):
            if any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
    raise SmokeFailure(f"no web worker holds the socket from port {local_port}")


def frame_matching(websocket, predicate, seconds):
    """The first frame `predicate` accepts within `seconds` (TimeoutError otherwise)."""
    deadline = time.monotonic() + seconds
    while True:
        frame = json.loads(websocket.recv(timeout=max(0.0, deadline - time.monotonic())))
        if predicate(frame):
            return frame


def close_code(websocket, seconds):
    """The code the server closes the socket with within `seconds` (frames before it are skipped), or
    None when it is still open."""
    try:
        frame_matching(websocket, lambda frame: False, seconds)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    except TimeoutError:
        return None


def celery_call(run, task):
    """Queue `task` for the worker as an operator would (`celery call`)."""
    run.command(f"celery call {task}", [str(BIN / "celery"), "--app", "cssr", "call", task])


# --- The steps -------------------------------------------------------------------------------------


def step_prepare(run):
    with psycopg.connect(POSTGRES + " dbname=postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{run.database}"')
    number = claim_broker_database(run)
    return f"database {run.database}; Redis prefix {run.prefix}, broker in database {number}"


def step_migrate_and_collect_static(run):
    # Side by side (they share nothing): the run has two cores and three minutes.
    static_environment = {**run.environment, "DJANGO_DEBUG": "1"}  # as the Dockerfile collects them
    run.spawn(
        "collectstatic",
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        static_environment,
    )
    argv, environment = run.service("migrate")
    run.command("migrate", local_command(argv, run.port), environment)
    run.finish("collectstatic")


def step_demo_data(run):
    run.manage("load_demo", "--force")


def step_start(run):
    for name in SERVICES:
        run.start(name)
    anonymous = Browser(run.site)
    wait_for(
        lambda: run.running("web") and _answers(anonymous, "/accounts/login/"), 60, "the web server answering"
    )
    wait_for(lambda: run.running("worker") and " ready." in run.log("worker"), 60, "the worker being ready")
    wait_for(lambda: run.running("beat") and "beat: Starting" in run.log("beat"), 60, "beat starting")
    workers = wait_for(
        lambda: len(web_workers(run)) == WEB_WORKERS and web_workers(run), 30, "the web workers"
    )
    started = ", ".join(f"{name} pid {run.processes[name].pid}" for name in SERVICES)
    return f"{started}; web workers {workers}"


def _answers(browser, path):
    with suppress(OSError):
        return browser.get(path).status == 200
    return False


def step_readyz(run):
    page = Browser(run.site, follow_redirects=False).get("/readyz")
    expect(page.status == 200, f"/readyz answered {page.status}: {page.text[:200]}")


def step_staff_admin(run):
    staff = sign_in(run, "ops", second_factor=True)
    page = staff.get("/admin/")
    expect(
        page.status == 200 and page.path == "/admin/" and "/admin/accounts/user/" in page.text,
        f"admin did not open for staff: {page.status} at {page.path}",
    )


def step_discussion_reply(run):
    # An active space where both demo members are plain, active members, and one of its open discussions.
    found = run.sql(
        "SELECT s.id, min(t.id) FROM workgroups_space s JOIN workgroups_thread t ON t.space_id = s.id "
        "WHERE s.status = 'active' AND NOT t.is_closed AND (SELECT count(*) FROM workgroups_membership m "
        "JOIN accounts_user u ON u.id = m.user_id WHERE m.space_id = s.id AND m.state = 'active' "
        "AND m.role = 'member' AND u.username IN ('omar', 'huda')) = 2 GROUP BY s.id ORDER BY s.id LIMIT 1"
    )
    expect(found, "the demo data has no active space with an open discussion where omar and huda are members")
    space, thread = found[0]
    member = sign_in(run, "omar")
    body = f"A reply from the smoke test {secrets.token_hex(4)}"
    page = member.submit(f"/spaces/{space}/discussions/{thread}/", {"body": body})
    expect(
        page.status == 200 and "?post=" in page.url and body in page.text,
        f"the reply is not shown: {page.status} at {page.url}",
    )
    run.found.update(space=space, member=member)


def step_library(run):
    space, member = run.found["space"], run.found["member"]
    content = f"ملف من اختبار التشغيل {secrets.token_hex(4)}\nA file from the smoke test.\n".encode()
    page = member.submit(
        f"/spaces/{space}/documents/new/",
        {"title": "Smoke test"},
        files={"file": ("smoke.txt", content, "text/plain")},
    )
    link = re.search(rf'href="(/spaces/{space}/documents/\d+/versions/\d+/download/)"', page.text)
    expect(
        page.status == 200 and link,
        f"the upload did not lead to the document's page: {page.status} at {page.path}",
    )
    download = member.get(link.group(1))
    expect(
        download.status == 200 and download.body == content,
        f"the download differs: {download.status}, {len(download.body)} bytes for {len(content)}",
    )


def step_chat(run):
    """Omar sends on a socket one worker holds; Huda, with a socket in every worker (she opens them until
    each worker holds one: the kernel hands each new connection to one of them), receives it on each."""
    space, member = run.found["space"], run.found["member"]
    other = sign_in(run, "huda")
    conversation = re.fullmatch(r"/chat/([0-9a-f-]{36})/", member.get(f"/spaces/{space}/chat/").path)
    expect(conversation, "the space's chat did not open")
    sender = chat_socket(run, conversation.group(1), member)
    workers = set(web_workers(run))
    receivers = {}  # worker pid: Huda's socket there
    for _attempt in range(40):
        if set(receivers) == workers:
            break
        receiver = chat_socket(run, conversation.group(1), other)
        receivers.setdefault(worker_of(run, receiver), receiver)
    expect(
        set(receivers) == workers, f"40 sockets reached the workers {sorted(receivers)} of {sorted(workers)}"
    )
    body = f"Hello from the smoke test {secrets.token_hex(4)}"
    sender.send(json.dumps({"type": "send", "body": body, "client_id": "smoke"}))
    for receiver in receivers.values():
        frame_matching(
            receiver, lambda frame: frame["type"] == "message" and frame["message"]["body"] == body, 5
        )
    run.found.update(other=other, other_sockets=receivers)
    return f"sent in worker {worker_of(run, sender)}, received in workers {sorted(receivers)}"


def step_inactivity(run):
    space = run.found["space"]
    # Huda's last contribution goes back beyond the space's period, in the database (no waiting).
    run.sql(
        "UPDATE workgroups_membership m "
        "SET last_contribution_at = now() - make_interval(days => s.inactivity_days + 1), "
        "joined_at = now() - make_interval(days => s.inactivity_days + 1) "
        "FROM workgroups_space s, accounts_user u "
        "WHERE s.id = m.space_id AND u.id = m.user_id AND u.username = 'huda' AND m.space_id = %s",
        space,
    )
    celery_call(run, "workgroups.tasks.run_inactivity")
    wait_for(
        lambda: run.sql(
            "SELECT 1 FROM workgroups_membership m JOIN accounts_user u ON u.id = m.user_id "
            "WHERE u.username = 'huda' AND m.space_id = %s AND m.state = 'locked'",
            space,
        ),
        30,
        "the worker locking the inactive member",
    )
    locked_at = time.monotonic()
    for worker, websocket in run.found["other_sockets"].items():
        code = close_code(websocket, max(0.0, locked_at + SOCKET_CLOSE_SECONDS - time.monotonic()))
        expect(
            code is not None,
            f"the locked member's socket in worker {worker} is open {SOCKET_CLOSE_SECONDS} s after the lock",
        )
        expect(code == 4408, f"the locked member's socket in worker {worker} closed with {code}, not 4408")
    page = run.found["other"].get(f"/spaces/{space}/")
    expect(page.status == 403, f"the locked member's space answered {page.status}, not the lock page (403)")
    workers = len(run.found["other_sockets"])
    return f"her sockets in {workers} workers closed with 4408 within {time.monotonic() - locked_at:.1f} s"


def step_digests(run):
    (last,) = run.sql("SELECT coalesce(max(id), 0) FROM workgroups_outgoingemail")[0]
    # Omar's digest period ends now: his last digest goes back eight days, in the database.
    run.sql(
        "INSERT INTO workgroups_digestsubscription (user_id, frequency, last_sent_at) "
        "SELECT id, 'weekly', now() - interval '8 days' FROM accounts_user WHERE username = 'omar' "
        "ON CONFLICT (user_id) DO UPDATE SET frequency = 'weekly', last_sent_at = excluded.last_sent_at"
    )
    celery_call(run, "workgroups.tasks.send_digests")
    written = (
        "FROM workgroups_outgoingemail e JOIN accounts_user u ON u.id = e.recipient_id "
        "WHERE e.kind = 'digest' AND u.username = 'omar' AND e.id > %s"
    )
    wait_for(lambda: run.sql(f"SELECT 1 {written}", last), 30, "a digest for the member in the outbox")  # noqa: S608
    wait_for(
        lambda: run.sql(f"SELECT 1 {written} AND e.sent_at IS NOT NULL", last),
        30,  # noqa: S608
        "the outbox sending the digest",
    )
    (count,) = run.sql(
        "SELECT count(*) FROM workgroups_outgoingemail WHERE kind = 'digest' AND id > %s", last
    )[0]
    return f"{count} digest(s) written to the outbox and sent"


def step_still_running(run):
    for name in SERVICES:
        run.running(name)


# --- Running and cleaning up -----------------------------------------------------------------------


@contextmanager
def step(name, results):
    """Time the step and print its line; a failure is re-raised with the step's name."""
    started = time.monotonic()
    outcome = {"note": None}
    try:
        yield outcome
    except BaseException as error:  # a Ctrl-C or SIGTERM too: the step is named either way
        print(f"FAILED {time.monotonic() - started:6.1f} s  {name}", flush=True)
        reason = error if isinstance(error, Exception) else "interrupted"
        raise SmokeFailure(f"step '{name}' failed: {reason}") from error
    note = f"  ({outcome['note']})" if outcome["note"] else ""
    print(f"ok     {time.monotonic() - started:6.1f} s  {name}{note}", flush=True)
    results.append(name)


def clean_up(run):
    """Stop what the run started, whatever state it is in; returns the problems met."""
    problems = []
    with suppress(Exception):
        run.sockets.close()
    running = {label: process for label, process in run.processes.items() if process.poll() is None}
    for process in running.values():
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for label, process in running.items():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
            problems.append(f"{label} did not stop on SIGTERM within 15 s and was killed")
    try:
        with psycopg.connect(POSTGRES + " dbname=postgres", autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{run.database}" WITH (FORCE)')
    except psycopg.Error as error:
        problems.append(f"the database {run.database} was not dropped: {error}")
    try:
        shared = redis.Redis.from_url(f"{REDIS}/0", socket_connect_timeout=5)
        for key in shared.scan_iter(match=f"{run.prefix}*", count=1000):
            shared.delete(key)
        if run.broker_database is not None:
            broker = redis.Redis.from_url(f"{REDIS}/{run.broker_database}", socket_connect_timeout=5)
            if broker.get(BROKER_CLAIM_KEY) == run.prefix.encode():
                broker.flushdb()  # empty when claimed: only this run's queues are in it
    except redis.RedisError as error:
        problems.append(f"Redis keys of the run were not removed: {error}")
    return problems


def _time_limit_reached(signum, frame):
    raise SmokeFailure(f"the smoke test ran longer than {TIME_LIMIT} s")


def _terminated(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    run = Run(
        work=Path(tempfile.mkdtemp(prefix="cssr-smoke-")),
        port=free_port(),
        database=f"cssr_smoke_{os.getpid()}",
        prefix=f"cssr-smoke-{os.getpid()}",
    )
    steps = [
        ("prepare a fresh PostgreSQL database and the Redis namespaces", step_prepare),
        ("migrate (the compose file's command) and collect static files", step_migrate_and_collect_static),
        ("load the demo data", step_demo_data),
        ("start web, worker and beat as docker-compose.yml runs them", step_start),
        ("/readyz answers 200", step_readyz),
        ("staff sign in with their second factor and open admin", step_staff_admin),
        ("a member replies in a discussion of their space", step_discussion_reply),
        ("a member uploads a document and downloads the same bytes", step_library),
        ("two members chat over websockets, across the web workers", step_chat),
        ("the inactivity job locks a member and closes her sockets in every worker", step_inactivity),
        ("the digest job writes digests to the outbox", step_digests),
        ("web, worker and beat are still running", step_still_running),
    ]
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGALRM, _time_limit_reached)
    signal.alarm(TIME_LIMIT)
    started, passed, failure = time.monotonic(), [], None
    print(f"Smoke test of the production set-up on {run.site} (work folder {run.work})", flush=True)
    try:
        for name, function in steps:
            with step(name, passed) as outcome:
                outcome["note"] = function(run)
    except SmokeFailure as error:
        failure = error
    except KeyboardInterrupt:
        failure = SmokeFailure("interrupted")
    finally:
        signal.alarm(0)
        with step("stop everything, drop the database and the Redis keys", []) as outcome:
            problems = clean_up(run)
            outcome["note"] = "; ".join(problems) or None
    if failure is not None:
        print(f"\nSMOKE TEST FAILED: {failure}", file=sys.stderr)
        for name in SERVICES:
            if run.log(name):
                print(f"\n--- the end of {name}'s log ---\n{tail(run.log(name))}", file=sys.stderr)
        print(f"\nLogs kept in {run.work}", file=sys.stderr)
        return 1
    shutil.rmtree(run.work, ignore_errors=True)
    if problems:
        print(f"\nSMOKE TEST FAILED while cleaning up: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print(f"\nSmoke test passed: {len(passed)} steps in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
