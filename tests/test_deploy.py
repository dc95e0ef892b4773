"""Production description and configuration: the compose file names things that exist."""

import gzip
import importlib
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import get_commands
from django.urls import reverse

from cssr.middleware import permissions_policy
from documents.downloads import FILE_CSP, content_disposition

from . import factories
from .conftest import client_for
from .servers import free_port, uvicorn_in_thread

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _import_target(dotted):
    module_name, _, attribute = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def test_compose_describes_the_production_services():
    assert {"postgres", "redis", "web", "worker", "beat", "proxy"} <= set(COMPOSE["services"])


@pytest.mark.parametrize("service", ["web", "worker", "beat", "migrate", "collectstatic"])
def test_each_app_service_command_names_real_modules(service):
    spec = COMPOSE["services"][service]
    command = spec["command"]
    environment = spec["environment"]
    assert environment["DJANGO_DEBUG"] == "0"
    if command[:2] == ["sh", "-c"] and "uvicorn" in command[2]:
        assert _import_target(_web_arguments()[0]) is not None  # cssr.asgi:application
    elif command[0] == "celery":
        app_module = command[command.index("--app") + 1]
        assert hasattr(importlib.import_module(app_module), "celery_app")
        if "--scheduler" in command:
            module, _, cls = command[command.index("--scheduler") + 1].rpartition(":")
            assert hasattr(importlib.import_module(module), cls)
    elif command[:2] == ["python", "manage.py"]:
        assert command[2] in get_commands()
    else:
        assert command[0] == "sh"


def test_every_setting_the_compose_file_sets_is_read_by_the_settings():
    """By the settings, or by the web command itself (WEB_CONCURRENCY, the number of worker processes)."""
    source = (ROOT / "cssr" / "settings.py").read_text()
    web = COMPOSE["services"]["web"]
    for name in web["environment"]:
        assert f'"{name}"' in source or f"${{{name}:-" in web["command"][2], (
            f"{name} is set in docker-compose.yml but never read"
        )


def test_proxy_serves_static_and_protected_media_from_the_config_in_the_repo():
    proxy = COMPOSE["services"]["proxy"]
    config = proxy["volumes"][0].split(":")[0]
    text = (ROOT / config).read_text()
    assert "location /static/" in text
    assert "internal;" in text  # protected media only through X-Accel-Redirect
    assert "proxy_set_header Upgrade" in text  # websockets


def _settings_in_subprocess(env, expression):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cssr.settings'; "
        f"from django.conf import settings; print({expression})"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, cwd=ROOT, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_its_secrets():
    result = _settings_in_subprocess({"DJANGO_DEBUG": "0"}, "settings.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "REDIS_URL" in result.stderr


def test_production_cookies_are_secure_and_hsts_is_on():
    env = {
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "cssr.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    expression = (
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, "
        "settings.SESSION_COOKIE_SAMESITE, settings.SECURE_HSTS_SECONDS, "
        "settings.CHANNEL_LAYERS['default']['BACKEND'], "
        "settings.CELERY_BROKER_URL"
    )
    result = _settings_in_subprocess(env, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "Lax",
        "31536000",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "redis://127.0.0.1:6379/0",
    ]
    result = _settings_in_subprocess(
        {**env, "CHANNEL_LAYER": "core"}, "settings.CHANNEL_LAYERS['default']['BACKEND']"
    )
    assert result.stdout.split() == ["channels_redis.core.RedisChannelLayer"]


def test_postgresql_connections_come_from_a_pool_unless_turned_off():
    env = {"DATABASE_URL": "postgres://cssr@db.example.org:5432/cssr"}
    expression = (
        "settings.DATABASES['default'].get('OPTIONS', {}).get('pool'), "
        "settings.DATABASES['default']['CONN_MAX_AGE']"
    )
    result = _settings_in_subprocess(env, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'min_size': 2, 'max_size': 20, 'timeout': 10} 0"
    result = _settings_in_subprocess({**env, "DATABASE_POOL": "0"}, expression)
    assert result.stdout.strip() == "None 0"


def test_embedded_default_needs_nothing_installed():
    result = _settings_in_subprocess(
        {"DJANGO_DEBUG": ""},
        "settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'], "
        "settings.CELERY_BROKER_URL",
    )
    assert result.returncode == 0, result.stderr
    assert (
        "sqlite3" in result.stdout
        and "InMemoryChannelLayer" in result.stdout
        and "filesystem://" in result.stdout
    )


def test_guardian_is_used_only_by_the_permission_core():
    """Admin modules included: permissions come only from memberships, never granted by hand."""
    offenders = []
    for app in ("accounts", "workgroups", "documents", "chat", "events", "cssr"):
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith("workgroups/access/"):
                continue
            text = path.read_text()
            if "guardian" in text and ("import guardian" in text or "from guardian" in text):
                offenders.append(relative)
    assert not offenders, f"only the permission core (workgroups/access/) may call guardian: {offenders}"


def test_readme_documents_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


NGINX = "/usr/sbin/nginx"


@contextmanager
def _nginx(directory, *, upstream_port=9, media_root=None, static_root=None):
    """The project's deploy/nginx.conf run by a real nginx (installed by `make test`) on a free loopback
    port, in front of the app at 127.0.0.1:`upstream_port`, with the protected media and the static
    files at the given folders and the access log in `directory`. Yields the proxy's URL; nginx is
    stopped on leaving."""
    assert Path(NGINX).exists(), "nginx is installed by `make test` (make nginx)"
    port = free_port()
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "access_log /var/log/nginx/access.log cssr_private;" in config
    for old, new in {
        "server web:8000;": f"server 127.0.0.1:{upstream_port};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "/var/log/nginx/access.log": str(directory / "access.log"),
        "alias /srv/protected-media/;": f"alias {media_root or directory / 'media'}/;",
        "alias /srv/static/;": f"alias {static_root or directory / 'static'}/;",
    }.items():
        assert old in config, f"deploy/nginx.conf no longer says {old!r}: this set-up must follow it"
        config = config.replace(old, new)
    (directory / "site.conf").write_text(config)
    main = directory / "nginx.conf"
    # `user root`: the test's folders are private to the user running the tests (ignored unless root).
    main.write_text(
        f"user root;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {directory}/body;\n  proxy_temp_path {directory}/proxy;\n"
        # the media types, as the nginx image's main config has them
        "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        # the most eager compression a distribution's main config could ask for: the site's must undo it
        f"  gzip on;\n  gzip_proxied any;\n  gzip_types *;\n  gzip_min_length 1;\n"
        f"  include {directory}/site.conf;\n}}\n"
    )
    subprocess.run([NGINX, "-c", str(main)], check=True, capture_output=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([NGINX, "-c", str(main), "-s", "stop"], capture_output=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _fetch(url, *, cookies=None, data=None, headers=None):
    """(status, headers, body) of one request, redirects not followed."""
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback http URLs built here
    try:
        response = urllib.request.build_opener(_NoRedirects).open(request, timeout=20)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read()


def _wait_until_serving(process, port, log, seconds=60):
    """Wait until the server `process` started answers HTTP on `port` (its output in `log` if it
    stops first)."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the server did not start"
        try:
            _fetch(f"http://127.0.0.1:{port}/healthz")
            return
        except OSError:
            time.sleep(0.1)


def _cookies_set(headers):
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def _multipart(fields, *, file_field, filename, content, content_type):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_the_proxy_logs_networks_never_addresses_nor_query_strings(tmp_path):
    """The project's nginx config, run by a real nginx (installed by `make test`): a request with a
    forged X-Forwarded-For and a search in its query string leaves one log line with the client's /24,
    no address and no query."""
    with _nginx(tmp_path) as proxy:
        status, _headers, _body = _fetch(
            f"{proxy}/static/none.css?q=%D8%A7%D9%84%D8%A7%D8%B3%D9%85",
            headers={"X-Forwarded-For": "198.51.100.77"},
        )
        assert status == 404
    deadline = time.monotonic() + 5
    while not (tmp_path / "access.log").exists() or not (tmp_path / "access.log").read_text().strip():
        assert time.monotonic() < deadline, "nginx wrote no access log line"
        time.sleep(0.05)
    line = (tmp_path / "access.log").read_text().strip()
    assert line.startswith("127.0.0.0/24 ") and '"GET /static/none.css HTTP/1.1" 404' in line, line
    assert "127.0.0.1" not in line and "198.51.100" not in line and "?" not in line and "%D8" not in line


@pytest.mark.django_db(transaction=True)
def test_a_document_downloaded_through_nginx_keeps_the_apps_protective_headers(tmp_path, settings):
    """A member uploads a document through nginx and downloads it through nginx: the app answers with
    X-Accel-Redirect only, nginx sends the bytes, and the download's own headers (nosniff, the
    sandboxing CSP, CORP, no framing, its name, no caching) and the platform's reach the browser."""
    settings.CSSR_X_ACCEL_REDIRECT = True
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    member = factories.add_member(space, username="nginx-member", display_name="رنا")
    cookies = {settings.SESSION_COOKIE_NAME: client_for(member).cookies[settings.SESSION_COOKIE_NAME].value}
    content = "محضر الاجتماع الأول: المبادئ الدستورية".encode()
    filename = "محضر الاجتماع.txt"
    with (
        uvicorn_in_thread() as app_port,
        _nginx(tmp_path, upstream_port=app_port, media_root=settings.MEDIA_ROOT) as proxy,
    ):
        status, headers, body = _fetch(
            proxy + reverse("documents:document-create", args=[space.pk]),
            cookies=cookies,
            headers={"Accept-Encoding": "gzip"},
        )
        assert status == 200
        # The page, compressed by the app and passed on by nginx as it is: compressed once.
        assert headers.get_all("Content-Encoding") == ["gzip"]
        body = gzip.decompress(body)
        assert body.lstrip().startswith(b"<!DOCTYPE html>"), body[:100]
        cookies.update(_cookies_set(headers))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data, content_type = _multipart(
            {
                "csrfmiddlewaretoken": token,
                "title": "محضر الاجتماع الأول",
                "folder": "",
                "tags": "",
                "language": "ar",
            },
            file_field="file",
            filename=filename,
            content=content,
            content_type="text/plain",
        )
        status, headers, _body = _fetch(
            proxy + reverse("documents:document-create", args=[space.pk]),
            cookies=cookies,
            data=data,
            headers={"Content-Type": content_type},
        )
        assert status == 302, _body[:500]
        from documents.models import Document

        version = Document.objects.get(space=space).current_version
        args = [space.pk, version.document_id, version.pk]
        for name, inline in (("documents:version-download", False), ("documents:version-view", True)):
            url = reverse(name, args=args)
            # The app alone: the permission check, then X-Accel-Redirect and no bytes.
            status, headers, body = _fetch(f"http://127.0.0.1:{app_port}{url}", cookies=cookies)
            assert status == 200 and headers["X-Accel-Redirect"].startswith("/_protected/") and body == b""
            status, headers, body = _fetch(proxy + url, cookies=cookies, headers={"Accept-Encoding": "gzip"})
            assert status == 200 and body == content
            assert "X-Accel-Redirect" not in headers
            assert "Content-Encoding" not in headers  # a download leaves as it is stored
            assert headers["Content-Type"] == version.content_type
            assert headers["Content-Disposition"] == content_disposition(
                filename, inline=inline and version.is_viewable_inline
            )
            assert headers["Cache-Control"] == "private, no-store"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Content-Security-Policy"] == FILE_CSP
            assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["Referrer-Policy"] == "same-origin"
            assert headers["Permissions-Policy"] == permissions_policy(settings.CSSR_PERMISSIONS_POLICY)
        # Without signing in: the sign-in page, never the file; the internal location is not reachable.
        status, headers, body = _fetch(proxy + url)
        assert status == 302 and content not in body
        status, _headers, body = _fetch(f"{proxy}/_protected/{version.file.name}")
        assert status == 404 and content not in body
        # The embedded default streams the file itself: not compressed either, its length announced.
        settings.CSSR_X_ACCEL_REDIRECT = False
        status, headers, body = _fetch(
            f"http://127.0.0.1:{app_port}{url}", cookies=cookies, headers={"Accept-Encoding": "gzip"}
        )
        assert status == 200 and body == content
        assert "Content-Encoding" not in headers and headers["Content-Length"] == str(len(content))


def test_static_files_through_nginx_carry_the_platforms_permissions_policy(tmp_path):
    stored = staticfiles_storage.stored_name("css/cssr.css")
    with _nginx(tmp_path, static_root=settings.STATIC_ROOT) as proxy:
        status, headers, _body = _fetch(f"{proxy}/static/{stored}")
    assert status == 200
    assert headers["Permissions-Policy"] == permissions_policy(settings.CSSR_PERMISSIONS_POLICY)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]


@pytest.mark.parametrize(
    "name", ["vendor/bootstrap/bootstrap.rtl.min.css", "vendor/bootstrap/bootstrap.bundle.min.js"]
)
def test_static_files_through_nginx_are_the_precompressed_variants_cached_for_a_year(tmp_path, name):
    """A browser that takes gzip gets the .gz collectstatic wrote (never one nginx makes on the fly),
    once, with `Vary: Accept-Encoding`; one that does not gets the file itself. A font (already
    compressed) is sent as it is. All of them for a year, immutable: their names change with them."""
    stored = staticfiles_storage.stored_name(name)
    path = Path(staticfiles_storage.path(stored))
    font = staticfiles_storage.stored_name("vendor/fonts/ibm-plex-sans-arabic-400.woff2")
    with _nginx(tmp_path, static_root=settings.STATIC_ROOT) as proxy:
        zipped = _fetch(f"{proxy}/static/{stored}", headers={"Accept-Encoding": "gzip"})
        plain = _fetch(f"{proxy}/static/{stored}")
        woff2 = _fetch(f"{proxy}/static/{font}", headers={"Accept-Encoding": "gzip, br"})
    status, headers, body = zipped
    assert status == 200 and headers.get_all("Content-Encoding") == ["gzip"]
    media_type = "text/css" if name.endswith(".css") else "application/javascript"
    assert headers["Content-Type"].startswith(media_type)
    assert body == path.with_name(path.name + ".gz").read_bytes()
    assert gzip.decompress(body) == path.read_bytes()
    assert "Accept-Encoding" in headers["Vary"]
    status, headers, body = plain
    assert status == 200 and "Content-Encoding" not in headers and body == path.read_bytes()
    status, headers, body = woff2
    assert status == 200 and "Content-Encoding" not in headers
    assert body == Path(staticfiles_storage.path(font)).read_bytes()
    for _status, headers, _body in (zipped, plain, woff2):
        assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]


# --- The web server ---------------------------------------------------------------------------------


def _web_script():
    """The compose file's web command (`sh -c "exec uvicorn ..."`), `$$` read as compose reads it."""
    command = COMPOSE["services"]["web"]["command"]
    assert command[:2] == ["sh", "-c"] and command[2].startswith("exec uvicorn "), command
    return command[2].replace("$$", "$")


def _web_arguments(environment=None):
    """uvicorn's arguments as the container's shell expands them, in `environment` (the test's own when
    None): the command run with `printf` in the place of uvicorn."""
    script = _web_script().replace("exec uvicorn ", "exec printf '%s\\n' ", 1)
    result = subprocess.run(
        ["sh", "-c", script],
        env=os.environ if environment is None else environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_the_image_runs_the_web_command_of_the_compose_file():
    """The Dockerfile's CMD is the compose file's web command (one server for `docker run` too)."""
    cmd = re.findall(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert len(cmd) == 1
    image = json.loads(cmd[0])
    assert image[:2] == ["sh", "-c"]
    assert " ".join(image[2].split()) == " ".join(_web_script().split())


def test_the_web_server_is_uvicorn_with_one_worker_per_core_behind_the_one_proxy():
    """The web command's arguments, expanded by a shell as in the container and parsed by uvicorn's
    own command line: one worker per core the process may use (nproc) unless WEB_CONCURRENCY says,
    the proxy headers of nginx taken from whichever address it has on the compose network (the app
    itself trusts exactly one proxy: CSSR_TRUSTED_PROXY_COUNT), no access log and no info lines (they
    carry each websocket's client address), no lifespan (Django has none), and a websockets
    implementation that is installed."""
    from uvicorn.config import WS_PROTOCOLS
    from uvicorn.importer import import_from_string
    from uvicorn.main import main as uvicorn_main

    web = COMPOSE["services"]["web"]
    base = {"PATH": os.environ.get("PATH", os.defpath)}
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    for given, workers in (({}, cores), ({"WEB_CONCURRENCY": ""}, cores), ({"WEB_CONCURRENCY": "3"}, "3")):
        arguments = _web_arguments({**base, **given})
        params = uvicorn_main.make_context("uvicorn", list(arguments)).params
        assert params["workers"] == int(workers), (given, arguments)
    assert params["app"] == "cssr.asgi:application"
    assert (params["host"], params["port"]) == ("0.0.0.0", 8000)  # noqa: S104 (inside the container)
    assert params["proxy_headers"] is True and params["forwarded_allow_ips"] == "*"
    assert web["environment"]["CSSR_TRUSTED_PROXY_COUNT"] == "1"
    assert "ports" not in web  # only nginx, on the compose network, reaches the web server
    assert params["access_log"] is False and params["log_level"] == "warning"
    assert params["lifespan"] == "off"
    assert import_from_string(WS_PROTOCOLS[params["ws"]]) is not None
    assert web["environment"]["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-}"


def test_the_asgi_servers_write_no_access_log_of_their_own(tmp_path):
    """The production web command, run by a shell as in the container with two workers: requests and a
    chat socket leave no client address and no path in what it writes (Django's own log names the
    path of a page not found, never an address). `make run` writes no access log either, and logs at
    warning level (uvicorn's info level names each websocket's address)."""
    run_script = (ROOT / "scripts" / "run.sh").read_text()
    assert "--no-access-log" in run_script and "server_options=(--log-level warning)" in run_script
    port = free_port()
    script = (
        _web_script().replace("--host 0.0.0.0", "--host 127.0.0.1").replace("--port 8000", f"--port {port}")
    )
    env = {
        **_environment_without_settings(),
        "CSSR_VAR_DIR": str(tmp_path / "var"),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]),
        "WEB_CONCURRENCY": "2",
    }
    log = tmp_path / "web.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["sh", "-c", script], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_serving(process, port, log)
        assert _fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) >= 2  # the supervisor's two workers
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        with connect(
            f"ws://127.0.0.1:{port}/ws/chat/{uuid.uuid4()}/",
            origin=f"http://127.0.0.1:{port}",
            open_timeout=10,
        ) as websocket:
            with pytest.raises(ConnectionClosed):  # nobody signed in: closed with 4401
                websocket.recv(timeout=10)
    finally:
        process.terminate()
        process.wait(timeout=30)
    written = log.read_text()
    assert "127.0.0.1" not in written and "/ws/chat/" not in written and "/healthz" not in written, written[
        -3000:
    ]


# --- Safe by default ---------------------------------------------------------------------------------


def _environment_without_settings():
    """This process's environment without any variable the settings read: a machine with nothing set."""
    source = (ROOT / "cssr" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z0-9_]+)"', source)) | {"CSSR_VAR_DIR"}
    assert {"DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_URL", "SITE_URL"} <= read
    return {name: value for name, value in os.environ.items() if name not in read}


def test_the_embedded_default_makes_its_secret_key_once_and_keeps_it_private(tmp_path):
    """Processes that start together (the web server and the worker of `make run`) agree on one key,
    made on the first start, readable by its owner only; later starts read it."""
    env = {
        **_environment_without_settings(),
        "CSSR_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "cssr.settings",
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=120)[0].strip() for process in starts}
    later = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    key_file = tmp_path / "var" / "secret_key"
    assert keys == {later.stdout.strip()} == {key_file.read_text().strip()}
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in key_file.parent.iterdir()] == ["secret_key"]  # no draft left behind


def test_the_embedded_default_is_not_debug_and_answers_on_loopback_and_its_own_address():
    expression = (
        "settings.DEBUG, settings.CSSR_PRODUCTION, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT"
    )
    result = _settings_in_subprocess({"DJANGO_DEBUG": "", "SITE_URL": "http://192.0.2.10:9000"}, expression)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip() == "False False ['localhost', '127.0.0.1', '[::1]', '192.0.2.10'] False 0 False"
    )
    result = _settings_in_subprocess({"DJANGO_DEBUG": "1"}, "settings.DEBUG, settings.CSSR_PRODUCTION")
    assert result.stdout.strip() == "True False"


def test_the_embedded_default_serves_users_pages_with_debug_off(tmp_path):
    """`make run` on a machine with nothing set (scripts/run.sh sets SITE_URL to where it listens): the
    server starts, a mistyped address gets the platform's own 404 page (no URL map), pages link
    hashed stylesheets that come compressed and cached for a year, other Host names are refused."""
    port = free_port()
    env = {
        **_environment_without_settings(),
        "CSSR_VAR_DIR": str(tmp_path / "var"),
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "cssr.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, port, log)
        assert _fetch(f"{base}/healthz")[0] == 200
        status, _headers, body = _fetch(f"{base}/no-such-page/")
        page = body.decode()
        assert status == 404 and 'dir="rtl"' in page and "navbar" in page
        assert "URLconf" not in page and "Traceback" not in page and "DEBUG" not in page
        stylesheet = re.search(r'href="(/static/css/cssr\.[0-9a-f]{12}\.css)"', page).group(1)
        status, headers, _body = _fetch(base + stylesheet, headers={"Accept-Encoding": "br, gzip"})
        assert status == 200 and headers["Content-Encoding"] in ("br", "gzip")
        assert "max-age=31536000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
        assert _fetch(f"{base}/healthz", headers={"Host": "cssr.evil.example"})[0] == 400
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert (tmp_path / "var" / "secret_key").exists()


def _compose_environment(service, values):
    """The environment docker-compose.yml gives `service`, with `values` for what .env provides."""

    def interpolate(match):
        name, operator, argument = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in values:
            return values[name]
        assert "?" not in operator, f"docker-compose.yml requires {name}: give it a value here"
        return argument if "-" in operator else ""

    return {
        name: re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", interpolate, str(value))
        for name, value in COMPOSE["services"][service]["environment"].items()
    }


def test_check_deploy_finds_nothing_to_fix_in_the_production_environment():
    """`manage.py check --deploy` with the web service's environment (dummy secrets for .env's)."""
    environment = _compose_environment(
        "web",
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "cssr.example.org",
            "SITE_URL": "https://cssr.example.org",
            "POSTGRES_PASSWORD": "not-a-real-password",
        },
    )
    assert environment["DJANGO_DEBUG"] == "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**_environment_without_settings(), **environment},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


# --- Health checks in docker-compose.yml ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_web_services_healthcheck_asks_readyz_and_fails_when_it_does(monkeypatch):
    """The compose healthcheck's own command, run against the app: it passes while /readyz says ready and
    fails when a check fails (the broker here)."""
    from cssr.celery import app as celery_app

    healthcheck = COMPOSE["services"]["web"]["healthcheck"]
    assert healthcheck["test"][:3] == ["CMD", "python", "-c"]
    code = healthcheck["test"][3]
    assert "/readyz" in code and "127.0.0.1:8000" in code
    assert COMPOSE["services"]["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}
    with uvicorn_in_thread() as port:
        here = code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        env = {**os.environ, "SITE_URL": "https://localhost"}  # the site's host name: an allowed host
        ready = subprocess.run([sys.executable, "-c", here], env=env, capture_output=True, text=True)
        assert ready.returncode == 0, ready.stderr
        monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
        broken = subprocess.run([sys.executable, "-c", here], env=env, capture_output=True, text=True)
    assert broken.returncode != 0 and "503" in broken.stderr


def test_the_workers_healthcheck_runs_the_readiness_checks(tmp_path):
    """The worker's healthcheck command fails on a machine whose database is not migrated (here a
    fresh embedded default); with every check passing it would exit 0 (cssr.health.failed_checks is
    the same function /readyz answers from: tests/test_health.py)."""
    healthcheck = COMPOSE["services"]["worker"]["healthcheck"]["test"]
    assert healthcheck[:3] == ["CMD", "python", "-c"]
    assert "from cssr.health import failed_checks" in healthcheck[3]
    env = {
        **_environment_without_settings(),
        "CSSR_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "cssr.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", healthcheck[3]], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert "readiness check migrations failed" in result.stderr


# --- The production image ---------------------------------------------------------------------------------

# What Debian (bookworm, the image's base) calls the libraries WeasyPrint loads, and the font packages
# behind the generic families a stylesheet may fall back to (each has Arabic letters).
DEBIAN_LIBRARIES = {
    "libgobject-2.0-0": "libglib2.0-0",
    "libpango-1.0-0": "libpango-1.0-0",
    "libharfbuzz-0": "libharfbuzz0b",
    "libharfbuzz-subset-0": "libharfbuzz-subset0",
    "libfontconfig-1": "libfontconfig1",
    "libpangoft2-1.0-0": "libpangoft2-1.0-0",
}
DEBIAN_FONTS = {"sans-serif": "fonts-dejavu-core"}


def _dockerfile_packages():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    packages = set()
    for command in re.findall(r"apt-get install ([^&\n]+)", text):
        packages |= {word for word in command.split() if not word.startswith("-")}
    return packages


def test_the_image_has_what_weasyprint_loads():
    """Every library WeasyPrint's own code opens (read from the installed WeasyPrint) is installed."""
    import weasyprint.text.ffi

    source = Path(weasyprint.text.ffi.__file__).read_text()
    opened = re.findall(r"_dlopen\(\s*ffi,\s*'([^']+)'(.*?)\)", source, flags=re.DOTALL)
    required = {name for name, rest in opened if "allow_fail=True" not in rest}
    assert required, "no library found in WeasyPrint's ffi module: this test must follow it"
    unknown = required - set(DEBIAN_LIBRARIES)
    assert not unknown, f"WeasyPrint now loads {unknown}: add its Debian package to the Dockerfile and here"
    packages = _dockerfile_packages()
    missing = {DEBIAN_LIBRARIES[name] for name in required} - packages
    assert not missing, f"the Dockerfile does not install {missing}"
    assert {"fontconfig", "gettext", "libharfbuzz-subset0"} <= packages


def test_the_image_has_every_font_the_pdf_export_names():
    """The families the export's stylesheet names (read from it): each is embedded from a vendored file
    that the image holds, or a generic family whose Arabic-capable Debian font the image installs."""
    from django.contrib.staticfiles import finders

    from documents import exports

    stylesheet = exports._font_face_css() + exports.EXPORT_CSS
    named = {
        family.strip().strip("\"'")
        for value in re.findall(r"font-family:\s*([^;}]+)", stylesheet)
        for family in value.split(",")
    }
    faces = re.findall(
        r"@font-face\s*\{[^}]*font-family:\s*\"([^\"]+)\"[^}]*src:\s*url\(\"file://([^\"]+)\"\)", stylesheet
    )
    embedded = {family for family, _path in faces}
    assert exports.FONT_FAMILY in named and exports.FONT_FAMILY in embedded
    ignored = (ROOT / ".dockerignore").read_text().split()
    for relative in exports.FONT_FILES.values():
        path = Path(finders.find(relative)).relative_to(ROOT)
        assert not any(path.as_posix().startswith(pattern.rstrip("/")) for pattern in ignored), path
    packages = _dockerfile_packages()
    for family in named - embedded:
        assert family in DEBIAN_FONTS, (
            f"the PDF export names the font {family!r}: install it in the Dockerfile"
        )
        assert DEBIAN_FONTS[family] in packages, family
