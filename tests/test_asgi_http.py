"""HTTP through the ASGI application (cssr/asgi.py, cssr/handlers.py): a request is handed to the request
thread once and runs the middleware and its view there, with the same answers as under the test client."""

import asyncio
import warnings

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse

from cssr.asgi import application
from cssr.handlers import STREAM_BATCH_BYTES, SyncRequestASGIHandler

from . import factories
from .conftest import client_for
from .test_documents_library import make_document, minimal_pdf

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
    """The response to a GET through the ASGI application: status, headers and the whole body (the
    ASGI messages read one by one: a body's last message may carry no bytes)."""
    headers = [(b"host", b"localhost"), (b"accept-language", language.encode())]
    if cookie:
        headers.append((b"cookie", cookie))
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "server": ("localhost", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(10)
    return {"status": start["status"], "headers": start["headers"], "body": body}


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


@pytest.mark.asyncio
async def test_a_streamed_download_is_sent_as_it_is_read_not_read_whole_first():
    """Django's handler reads a synchronous streaming response into memory whole before sending it."""
    part, parts = b"x" * 65536, 40  # 2.5 MB in 64 KB parts
    read = []

    def file_like():
        for number in range(parts):
            read.append(number)
            yield part

    response = StreamingHttpResponse(file_like(), content_type="application/octet-stream")
    bodies, read_when_sent = [], []

    async def send(message):
        if message["type"] == "http.response.body":
            bodies.append(message.get("body", b""))
            read_when_sent.append(len(read))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "StreamingHttpResponse must consume synchronous iterators"
        await _http_handler().send_response(response, send)
    assert b"".join(bodies) == part * parts
    batch_parts = STREAM_BATCH_BYTES // len(part)
    # the first bytes left after one batch was read, and each later batch was read only once the one
    # before it was sent
    assert read_when_sent[0] == batch_parts
    assert sorted(set(read_when_sent)) == list(range(batch_parts, parts + 1, batch_parts))


@database_sync_to_async
def _a_document_and_a_reader():
    space = factories.make_space(name="مساحة الوثائق")
    member = factories.add_member(space, display_name="سامر")
    document = make_document(space, member, data=minimal_pdf(), name="تقرير.pdf")
    cookie = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    path = reverse("documents:version-download", args=[space.pk, document.pk, document.current_version.pk])
    return path, f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()


@pytest.mark.asyncio
async def test_a_document_download_through_the_asgi_application_arrives_whole(settings):
    settings.CSSR_X_ACCEL_REDIRECT = False  # served by the application, as in the embedded default
    path, cookie = await _a_document_and_a_reader()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = await _get(path, cookie)
    assert response["status"] == 200
    assert response["body"] == minimal_pdf()
    assert dict(response["headers"])[b"Content-Type"] == b"application/pdf"
