from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from . import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.conversation_list, name="conversation-list"),
    path("chat/direct/", views.direct_open, name="direct-open"),
    path("chat/<uuid:conversation_id>/", views.conversation_detail, name="conversation-detail"),
    path("chat/<uuid:conversation_id>/since/", views.conversation_since, name="conversation-since"),
    path("chat/<uuid:conversation_id>/read/", views.conversation_read, name="conversation-read"),
    path(
        "chat/<uuid:conversation_id>/preferences/",
        views.conversation_preferences,
        name="conversation-preferences",
    ),
    path("chat/<uuid:conversation_id>/leave/", views.conversation_leave, name="conversation-leave"),
    path(
        "chat/<uuid:conversation_id>/messages/<id:message_id>/edit/", views.message_edit, name="message-edit"
    ),
    path(
        "chat/<uuid:conversation_id>/messages/<id:message_id>/delete/",
        views.message_delete,
        name="message-delete",
    ),
    path(
        "chat/<uuid:conversation_id>/messages/<id:message_id>/report/",
        views.message_report,
        name="message-report",
    ),
    path("spaces/<id:space_id>/chat/", views.space_chat, name="space-chat"),
    path("spaces/<id:space_id>/chat/groups/new/", views.group_create, name="group-create"),
    path("spaces/<id:space_id>/chat/reports/", views.report_list, name="report-list"),
]
