"""The ASGI handler of the platform's HTTP requests."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncRequestASGIHandler(ASGIHandler):
    """Django's ASGI handler, with each request run through the middleware and its view in one hand-over
    to the request thread.

    Every middleware and every view of the platform is synchronous. Django's own handler, built for a
    chain that may hold asynchronous parts, hands a request over three times: to the thread for the
    middleware, back to the event loop to resolve the view, and to the thread again to run it; under
    load each hand-over waits its turn on the loop (docs/performance.md). Here the chain is built
    synchronous (`load_middleware(is_async=False)`, as under WSGI) and the event loop hands the request
    to it once. The thread is the same one Django uses (`thread_sensitive`), so database connections and
    everything thread-bound behave as before; an asynchronous view, if one is added, still works (Django
    adapts it inside the chain)."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
