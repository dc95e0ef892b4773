"""/healthz and /readyz (cssr/health.py): open to probes, outside every gate, and exact about failures."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from cssr.celery import app as celery_app

from . import factories
from .conftest import client_for

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def test_healthz_answers_without_the_database_a_session_or_a_cookie(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get(reverse("healthz"))
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert Client().head(reverse("healthz")).status_code == 200
    assert Client().post(reverse("healthz")).status_code == 405


def test_readyz_is_ok_when_everything_answers():
    response = Client().get(reverse("readyz"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert not response.cookies


def test_readyz_names_a_database_that_does_not_answer(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server at db.internal.example (10.0.0.5), port 5432")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "failed": ["database"]}
    assert b"db.internal" not in response.content and b"10.0.0.5" not in response.content


def test_readyz_names_migrations_not_yet_applied():
    executor = MigrationExecutor(connection)
    app_label, name = sorted(executor.loader.graph.leaf_nodes())[0]
    MigrationRecorder(connection).record_unapplied(app_label, name)  # as before `migrate` ran
    response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "failed": ["migrations"]}
    assert name.encode() not in response.content


def test_readyz_names_a_broker_that_does_not_answer(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "failed": ["broker"]}
    assert b"127.0.0.1" not in response.content


def test_readyz_asks_the_cache_only_when_it_is_redis(settings):
    settings.REDIS_URL = None
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS},
    }
    assert (
        Client().get(reverse("readyz")).status_code == 200
    )  # the embedded default's cache is in the process
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "failed": ["cache"]}


def test_the_health_checks_are_outside_the_two_factor_and_conduct_gates(world, conduct_in_force):
    """A rapporteur signed in with the password alone is held at the second factor, and a newcomer at
    the code of conduct, on every page but these two."""
    rapporteur = client_for(world["users"]["rapporteur"], second_factor=False)
    newcomer = factories.UserFactory(username="newcomer", accepted_conduct=False)
    newcomer_client = client_for(newcomer)
    for client in (rapporteur, newcomer_client):
        assert client.get(reverse("workgroups:space-list")).status_code == 302
        for name in ("healthz", "readyz"):
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            assert not response.cookies


def test_the_health_checks_answer_the_probes_plain_http_request(settings):
    """In production plain-HTTP requests are sent to HTTPS, except the containers' own probes."""
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get(reverse("readyz")).status_code == 200
    assert Client().get(reverse("healthz")).status_code == 200
    assert Client().get(reverse("account_login")).status_code == 301


@pytest.fixture
def conduct_in_force(db):
    from accounts.selectors import conduct_current

    current = conduct_current()
    assert current is not None, "the migrations seed a code of conduct"
    return current
