"""Production description and configuration: the compose file names things that exist."""

import importlib
import os
import subprocess
import sys
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
