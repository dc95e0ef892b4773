"""Every URL of the platform × every role → the exact status (the rows are in this package's modules)."""

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from ..conftest import ROLES
from . import PLATFORM_NAMESPACES, ROWS


def _model_counts():
    counts = {}
    for label in PLATFORM_NAMESPACES:
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model.objects.count()
    return counts


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(row, role, content, clients):
    world = content
    client = clients[role]  # signed in before the count: a staff sign-in is an audited act of its own
    before = _model_counts()
    url = row.url(world)
    response = getattr(client, row.method)(url, row.data(world))
    expected = row.expected[role]
    assert response.status_code == expected, f"{role} {row.id} → {response.status_code}, expected {expected}"
    if role == "anonymous" and expected == 302 and not row.public:
        assert response["Location"].startswith("/accounts/login/")
    if expected in (403, 404, 405) or (role == "anonymous" and expected == 302 and not row.public):
        assert _model_counts() == before, "a refused request changed data"


def _named_urls(resolver, namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_urls(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace in PLATFORM_NAMESPACES:
            yield f"{namespace}:{pattern.name}"
        elif isinstance(pattern, URLPattern) and namespace is None and _is_passkey_url(pattern.name):
            yield pattern.name
        elif isinstance(pattern, URLPattern) and namespace is None and _is_health_url(pattern):
            yield pattern.name


def _is_health_url(pattern):
    """The project's own health checks (cssr/health.py): in the matrix too."""
    return bool(pattern.name) and getattr(pattern.callback, "__module__", "") == "cssr.health"


def _is_passkey_url(name):
    """allauth's passkey pages (no namespace), switched on by the platform's settings: in the matrix too."""
    return bool(name) and name.startswith("mfa_") and "webauthn" in name


def test_every_platform_url_is_in_the_matrix():
    covered = {row.name for row in ROWS}
    missing = sorted(set(_named_urls(get_resolver())) - covered)
    assert not missing, f"URLs with no row in tests/matrix/: {missing}"


def test_every_row_names_a_real_url():
    named = set(_named_urls(get_resolver()))
    assert {row.name for row in ROWS} <= named
