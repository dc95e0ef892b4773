from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("conduct/", views.conduct, name="conduct"),
    path("language/", views.language_set, name="language-set"),
    path("profile/", views.profile, name="profile"),
]
