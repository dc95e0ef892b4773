"""The jobs through a real Celery worker on Redis and PostgreSQL (CI's second pass).

The embedded default runs the same tasks through `make run`'s worker on the file-system broker;
unit tests run them in-process. This test needs a broker and a database that a second process can
reach, so it runs where REDIS_URL is set and the test database is PostgreSQL.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from workgroups.models import Membership

from . import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (CI's second pass)"),
]


def _database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_the_inactivity_job_runs_in_a_real_worker():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: PostgreSQL")
    space = factories.make_space()
    user = factories.add_member(space)
    Membership.objects.filter(user=user).update(last_contribution_at=timezone.now() - timedelta(days=60))
    queue = f"test-{uuid.uuid4().hex}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "cssr.settings"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cssr", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        from cssr.celery import app

        app.send_task("workgroups.tasks.run_inactivity", queue=queue)
        deadline = time.monotonic() + 60
        state = None
        while time.monotonic() < deadline:
            state = Membership.objects.get(user=user).state
            if state == Membership.State.LOCKED:
                break
            time.sleep(0.5)
        assert state == Membership.State.LOCKED
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
