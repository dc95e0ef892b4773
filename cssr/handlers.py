"""The ASGI handler of the platform's HTTP requests."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

# How much of a synchronous streaming response (a download served by the application itself) is read
# in one hand-over to a thread: a download holds at most this much in memory at a time.
STREAM_BATCH_BYTES = 256 * 1024


class SyncRequestASGIHandler(ASGIHandler):
    """Django's ASGI handler, with each request run through the middleware and its view in one hand-over
    to the request thread, and downloads streamed a batch at a time.

    Every middleware and every view of the platform is synchronous. Django's own handler, built for a
    chain that may hold asynchronous parts, hands a request over three times: to the thread for the
    middleware, back to the event loop to resolve the view, and to the thread again to run it; under
    load each hand-over waits its turn on the loop (docs/performance.md). Here the chain is built
    synchronous (`load_middleware(is_async=False)`, as under WSGI) and the event loop hands the request
    to it once. The thread is the same one Django uses (`thread_sensitive`), so database connections and
    everything thread-bound behave as before; an asynchronous view, if one is added, still works (Django
    adapts it inside the chain).

    A streaming response over a synchronous iterator (a `FileResponse`: a document, an export, where no
    proxy serves the file) is read by Django's handler into memory whole before its first byte is sent.
    Here it is read `STREAM_BATCH_BYTES` at a time in a worker thread and sent as it is read."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    async def send_response(self, response, send):
        if response.streaming and not response.is_async:
            response.streaming_content = _batches(response.streaming_content)
        await super().send_response(response, send)


async def _batches(parts):
    """The parts of a synchronous iterator, read in a thread about `STREAM_BATCH_BYTES` at a time."""
    parts = iter(parts)

    def read():
        batch, size = [], 0
        for part in parts:
            batch.append(part)
            size += len(part)
            if size >= STREAM_BATCH_BYTES:
                break
        return batch

    while batch := await sync_to_async(read, thread_sensitive=False)():
        for part in batch:
            yield part
