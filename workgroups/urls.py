from django.urls import path

from . import views

app_name = "workgroups"

urlpatterns = [
    path("", views.space_list, name="space-list"),
    path("spaces/<int:space_id>/", views.space_detail, name="space-detail"),
]
