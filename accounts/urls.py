from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from . import views, views_sessions

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("conduct/", views.conduct, name="conduct"),
    path("language/", views.language_set, name="language-set"),
    path("profile/", views.profile, name="profile"),
    path("sessions/<id:session_id>/end/", views_sessions.session_end, name="session-end"),
    path("profile/my-data/", views.data_download, name="data-download"),
]
