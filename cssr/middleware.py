"""Headers every response of the platform carries, beside those of Django and django-csp."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


def permissions_policy(policy):
    """The `Permissions-Policy` header value of {feature: allowed origins}: `camera=()` turns a
    feature off, `publickey-credentials-get=(self)` keeps it for the platform's own pages."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` (settings.CSSR_PERMISSIONS_POLICY) to every response, static files
    and downloads included: what the platform never uses, no page of it (nor anything injected into
    one) can turn on."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy(settings.CSSR_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for the platform's own pages and fragments only (docs/security.md:
    BREACH). Downloads are left as they are: a streamed file (the embedded default's downloads,
    Range requests), an attachment or inline file (`Content-Disposition`: exports, PDFs, already
    compressed formats) and nginx's X-Accel-Redirect answers (no body) pass through untouched.
    Static files never reach it: WhiteNoise, before it in settings.MIDDLEWARE, answers them with
    their pre-compressed variants."""

    def process_response(self, request, response):
        if response.streaming or response.has_header("Content-Disposition"):
            return response
        return super().process_response(request, response)
