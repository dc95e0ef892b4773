"""Liveness and readiness, for the containers' health checks (docker-compose.yml) and load balancers.

- `/healthz`: the process answers. 200 "ok", without reading the database, a session or anything else.
- `/readyz`: the process can serve. The database answers and every migration is applied, the cache
  answers (Redis, when REDIS_URL is set), and the Celery broker answers. 200 when all hold, else 503
  with the names of the checks that failed: no host, address or error text (the log has those).

Both are open to anyone, outside the sign-in, two-factor and code-of-conduct gates, and set no cookie.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.decorators import conduct_not_required, two_factor_not_required
from cssr.celery import app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 5


class NotReady(Exception):
    pass


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise NotReady("migrations are not all applied")


def check_cache():
    caches["default"].get("cssr:readyz")  # a read that reaches the server; nothing is written


def check_broker():
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)


def readiness_checks():
    """(name, check) in the order they run; a check raises when it fails. The cache is checked only
    when it is a server of its own (Redis): the embedded default's lives in the process."""
    checks = [("database", check_database), ("migrations", check_migrations)]
    if settings.REDIS_URL:
        checks.append(("cache", check_cache))
    checks.append(("broker", check_broker))
    return checks


def failed_checks():
    """The names of the readiness checks that fail now (the migrations are not read without a database)."""
    failed = []
    for name, check in readiness_checks():
        if name == "migrations" and "database" in failed:
            continue
        try:
            check()
        except Exception as error:
            logger.warning("readiness check %s failed: %r", name, error)
            failed.append(name)
    return failed


def _open_to_probes(view):
    return login_not_required(conduct_not_required(two_factor_not_required(never_cache(require_safe(view)))))


@_open_to_probes
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@_open_to_probes
def readyz(request):
    failed = failed_checks()
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})


# Included at the root by cssr/urls.py.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
