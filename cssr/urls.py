from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

import cssr.converters  # noqa: F401 - registers <id:…> (admin's URLs use it too)
from accounts import views_sessions

from . import views

admin.site.site_header = _("CSSR operations")
admin.site.site_title = _("CSSR operations")
admin.site.index_title = _("Platform administration")


def _admin_logout(request, extra_context=None):
    """Signing out of admin is signing out of the platform, through allauth like every sign-out."""
    return account_views.logout(request)


# Admin has no sign-in of its own: /admin/login/ sends to the platform's sign-in (throttled, with the
# second factor) and comes back; a signed-in non-staff account gets 403 there.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.logout = _admin_logout

urlpatterns = [
    path("", include("workgroups.urls")),
    path("", include("documents.urls")),
    path("", include("chat.urls")),
    path("", include("events.urls")),
    # The sessions page, under allauth's own name and path, read set-based (accounts/views_sessions.py).
    path("accounts/sessions/", views_sessions.session_list, name="usersessions_list"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("", include("cssr.health")),  # /healthz and /readyz, for the containers' probes
]

handler400 = "cssr.views.bad_request"
handler403 = "cssr.views.permission_denied"
handler404 = "cssr.views.page_not_found"
handler500 = "cssr.views.server_error"

if settings.DEBUG:
    urlpatterns += [path("__errors__/<id:status>/", views.error_preview)]
