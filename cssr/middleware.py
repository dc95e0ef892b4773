"""Headers every response of the platform carries, beside those of Django and django-csp."""

from django.conf import settings


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
