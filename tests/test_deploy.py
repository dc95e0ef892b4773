"""Production description and configuration: the compose file names things that exist."""

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

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
    if command[0] == "daphne":
        assert _import_target(command[-1]) is not None  # cssr.asgi:application
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
    source = (ROOT / "cssr" / "settings.py").read_text()
    environment = COMPOSE["services"]["web"]["environment"]
    for name in environment:
        assert f'"{name}"' in source, f"{name} is set in docker-compose.yml but never read"


def test_proxy_serves_static_and_protected_media_from_the_config_in_the_repo():
    proxy = COMPOSE["services"]["proxy"]
    config = proxy["volumes"][0].split(":")[0]
    text = (ROOT / config).read_text()
    assert "location /static/" in text
    assert "internal;" in text  # protected media only through X-Accel-Redirect
    assert "proxy_set_header Upgrade" in text  # websockets


def _settings_in_subprocess(env, expression):
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cssr.settings'; from django.conf import settings; print({expression})"
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, cwd=ROOT, capture_output=True, text=True)


def test_production_refuses_to_start_without_its_secrets():
    result = _settings_in_subprocess({"DJANGO_DEBUG": "0"}, "settings.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "REDIS_URL" in result.stderr


def test_production_cookies_are_secure_and_hsts_is_on():
    env = {"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "cssr.example.org",
           "REDIS_URL": "redis://127.0.0.1:6379/0"}
    expression = ("settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, "
                  "settings.SESSION_COOKIE_SAMESITE, settings.SECURE_HSTS_SECONDS, settings.CHANNEL_LAYERS['default']['BACKEND'], "
                  "settings.CELERY_BROKER_URL")
    result = _settings_in_subprocess(env, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True", "True", "True", "Lax", "31536000", "channels_redis.pubsub.RedisPubSubChannelLayer",
        "redis://127.0.0.1:6379/0",
    ]
    result = _settings_in_subprocess({**env, "CHANNEL_LAYER": "core"}, "settings.CHANNEL_LAYERS['default']['BACKEND']")
    assert result.stdout.split() == ["channels_redis.core.RedisChannelLayer"]


def test_postgresql_connections_come_from_a_pool_unless_turned_off():
    env = {"DATABASE_URL": "postgres://cssr@db.example.org:5432/cssr"}
    expression = "settings.DATABASES['default'].get('OPTIONS', {}).get('pool'), settings.DATABASES['default']['CONN_MAX_AGE']"
    result = _settings_in_subprocess(env, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'min_size': 2, 'max_size': 20, 'timeout': 10} 0"
    result = _settings_in_subprocess({**env, "DATABASE_POOL": "0"}, expression)
    assert result.stdout.strip() == "None 0"


def test_embedded_default_needs_nothing_installed():
    result = _settings_in_subprocess(
        {"DJANGO_DEBUG": ""},
        "settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'], settings.CELERY_BROKER_URL",
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout and "InMemoryChannelLayer" in result.stdout and "filesystem://" in result.stdout


def test_guardian_is_used_only_by_the_permission_core():
    """Admin modules included: permissions come only from memberships, never granted by hand."""
    offenders = []
    for app in ("accounts", "workgroups", "documents", "chat", "events", "cssr"):
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative == "workgroups/access.py":
                continue
            text = path.read_text()
            if "guardian" in text and ("import guardian" in text or "from guardian" in text):
                offenders.append(relative)
    assert not offenders, f"only workgroups/access.py may call guardian: {offenders}"


def test_readme_documents_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


NGINX = "/usr/sbin/nginx"


def test_the_proxy_logs_networks_never_addresses_nor_query_strings(tmp_path):
    """The project's nginx config, run by a real nginx (installed by `make test`): a request with a
    forged X-Forwarded-For and a search in its query string leaves one log line with the client's /24,
    no address and no query."""
    assert Path(NGINX).exists(), "nginx is installed by `make test` (make nginx)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "access_log /var/log/nginx/access.log cssr_private;" in config
    config = (config.replace("server web:8000;", "server 127.0.0.1:9;")
              .replace("listen 80;", f"listen 127.0.0.1:{port};")
              .replace("/var/log/nginx/access.log", str(tmp_path / "access.log")))
    (tmp_path / "site.conf").write_text(config)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n")
    subprocess.run([NGINX, "-c", str(tmp_path / "nginx.conf")], check=True, capture_output=True)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/static/none.css?q=%D8%A7%D9%84%D8%A7%D8%B3%D9%85",
                                         headers={"X-Forwarded-For": "198.51.100.77"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=5)  # noqa: S310 - a loopback http URL built here
    finally:
        subprocess.run([NGINX, "-c", str(tmp_path / "nginx.conf"), "-s", "stop"], capture_output=True)
    deadline = time.monotonic() + 5
    while not (tmp_path / "access.log").exists() or not (tmp_path / "access.log").read_text().strip():
        assert time.monotonic() < deadline, "nginx wrote no access log line"
        time.sleep(0.05)
    line = (tmp_path / "access.log").read_text().strip()
    assert line.startswith("127.0.0.0/24 ") and '"GET /static/none.css HTTP/1.1" 404' in line, line
    assert "127.0.0.1" not in line and "198.51.100" not in line and "?" not in line and "%D8" not in line


def test_the_asgi_servers_write_no_access_log_of_their_own():
    web = COMPOSE["services"]["web"]["command"]
    assert web[web.index("--access-log") + 1] == "/dev/null"
    assert '"--access-log", "/dev/null"' in (ROOT / "Dockerfile").read_text()
    assert "--no-access-log" in (ROOT / "scripts" / "run.sh").read_text()
