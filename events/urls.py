from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from . import views

app_name = "events"

events = "spaces/<id:space_id>/events/"
event = events + "<id:event_id>/"

urlpatterns = [
    path(events, views.event_list, name="event-list"),
    path(events + "month/", views.event_month, name="event-month"),
    path(events + "new/", views.event_create, name="event-create"),
    path(event, views.event_detail, name="event-detail"),
    path(event + "edit/", views.event_edit, name="event-edit"),
    path(event + "cancel/", views.event_cancel, name="event-cancel"),
    path(event + "answer/", views.event_respond, name="event-respond"),
    path(event + "event.ics", views.event_ics, name="event-ics"),
    path(event + "expert/", views.expert_request, name="expert-request"),
    path("calendar/", views.calendar_feed_settings, name="calendar-feed-settings"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
