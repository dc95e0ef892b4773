"""HTTP through the ASGI application (cssr/asgi.py, cssr/handlers.py): a request is handed to the request
thread once and runs the middleware and its view there, with the same answers as under the test client."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.conf import settings
from django.urls import reverse

from cssr.asgi import application
from cssr.handlers import SyncRequestASGIHandler

from . import factories
from .conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def _http_handler():
    return application.application_mapping["http"]


def test_the_middleware_chain_and_the_view_run_in_one_synchronous_call():
    """Django's own ASGI handler builds an asynchronous chain around synchronous middleware, which hands
    each request between the event loop and the thread three times."""
    handler = _http_handler()
    assert isinstance(handler, SyncRequestASGIHandler)
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)


async def _get(path, cookie=None, language="ar"):
    headers = [(b"host", b"localhost"), (b"accept-language", language.encode())]
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = HttpCommunicator(application, "GET", path, headers=headers)
    return await communicator.get_response(timeout=10)


@database_sync_to_async
def _member_in_a_space():
    space = factories.make_space(name="مساحة الحوكمة")
    member = factories.add_member(space, display_name="ليلى حداد")
    cookie = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    return space, f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()


@pytest.mark.asyncio
async def test_a_members_page_and_a_missing_one_through_the_asgi_application():
    space, cookie = await _member_in_a_space()
    page = await _get(reverse("workgroups:space-detail", args=[space.pk]), cookie)
    assert page["status"] == 200
    assert "مساحة الحوكمة" in page["body"].decode()
    again = await _get(reverse("workgroups:space-detail", args=[space.pk]), cookie)
    assert again["status"] == 200

    missing = await _get("/spaces/999999/", cookie)
    assert missing["status"] == 404
    anonymous = await _get(reverse("workgroups:space-detail", args=[space.pk]))
    assert anonymous["status"] == 302  # to the sign-in page, as under the test client
