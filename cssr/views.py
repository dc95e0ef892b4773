"""Project-level views: error pages (in the user's language, inside the shell) and robots.txt."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import loader

from accounts.decorators import conduct_not_required
from workgroups import selectors
from workgroups.access import MembershipLocked

from . import unavailable


def _error(request, status, template):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    if isinstance(exception, MembershipLocked):
        pending = selectors.pending_reinstatement(user=request.user, space=exception.space)
        context = {"space": exception.space, "pending_request": pending}
        return render(request, "workgroups/space_locked.html", context, status=403)
    return render(request, "errors/403.html", {"reason": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return _error(request, 404, "errors/404.html")


def server_error(request):
    # No context processors: the database may be what failed. When it cannot be reached at all (or
    # Redis cannot), the 503 page says to try again shortly.
    if unavailable.is_unavailable(sys.exc_info()[1]):
        return unavailable.response(request)
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


@login_not_required
@conduct_not_required
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


def error_preview(request, status):
    """DEBUG only: look at an error page as users see it."""
    templates = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html"}
    if status not in templates:
        raise Http404
    return _error(request, status, templates[status])
