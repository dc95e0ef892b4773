"""The 503 page: what a request gets when the platform cannot reach its database (or Redis).

A lost database raises `OperationalError` or `InterfaceError` wherever the request first needs it:
most often in a middleware (the session, the signed-in user), which Django turns into the 500 handler's
call. `cssr.views.server_error` asks `is_unavailable` about the exception being handled and answers with
`response` instead of the 500 page: status 503 with `Retry-After`, a page that needs neither the database
nor a context processor, in the language of the language cookie (Arabic without one: the user's own
language is in the database that cannot be read). With DEBUG on, Django shows its traceback instead.
"""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_unavailable(error):
    """True if `error` says a backing service (the database, Redis) cannot be reached."""
    return isinstance(error, UNAVAILABLE_ERRORS)


def _language(request):
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def response(request):
    """The 503 page, in the language cookie's language, rendered without the request's context."""
    with translation.override(_language(request)):
        page = HttpResponse(loader.get_template("503.html").render(), status=503)
    page["Retry-After"] = str(RETRY_AFTER_SECONDS)
    page["Cache-Control"] = "no-store"
    return page
