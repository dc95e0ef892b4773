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

from workgroups import services
from workgroups.models import DigestSubscription, Membership, OutgoingEmail

from . import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (CI's second pass)"),
]


def _database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker():
    """A real Celery worker process on its own queue, sharing the test's PostgreSQL database."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: PostgreSQL")
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "cssr.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cssr",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from cssr.celery import app

    yield lambda task: app.send_task(task, queue=queue)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_for(probe, seconds=60):
    """Poll the shared database until the worker's effect shows (another process: no in-process hook)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.5)
    return False


def test_the_inactivity_job_runs_in_a_real_worker(worker):
    space = factories.make_space()
    user = factories.add_member(space)
    Membership.objects.filter(user=user).update(last_contribution_at=timezone.now() - timedelta(days=60))
    worker("workgroups.tasks.run_inactivity")
    assert _wait_for(lambda: Membership.objects.get(user=user).state == Membership.State.LOCKED)


def test_the_digest_job_and_the_outbox_run_in_a_real_worker(worker):
    space = factories.make_space()
    reader = factories.add_member(space)
    writer = factories.add_member(space)
    DigestSubscription.objects.create(
        user=reader, frequency="daily", last_sent_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    DigestSubscription.objects.create(user=writer, frequency="off")
    services.thread_create(actor=writer, space=space, title="موضوع للملخص", body="نص")
    worker("workgroups.tasks.send_digests")
    sent = OutgoingEmail.objects.filter(
        recipient=reader, kind=OutgoingEmail.Kind.DIGEST, sent_at__isnull=False
    )
    assert _wait_for(sent.exists)
    # Run it again, then a fence: the solo worker takes tasks in order, so once the fence's effect
    # (a quiet member locked) shows, the second digest run is over. It must have written nothing.
    quiet = factories.add_member(factories.make_space())
    Membership.objects.filter(user=quiet).update(last_contribution_at=timezone.now() - timedelta(days=60))
    worker("workgroups.tasks.send_digests")
    worker("workgroups.tasks.run_inactivity")
    assert _wait_for(lambda: Membership.objects.get(user=quiet).state == Membership.State.LOCKED)
    assert OutgoingEmail.objects.filter(recipient=reader).count() == 1
