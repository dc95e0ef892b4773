from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from . import (
    views,
    views_discussions,
    views_election,
    views_notifications,
    views_participation,
    views_questionnaires,
    views_staff,
)

app_name = "workgroups"

space = "spaces/<id:space_id>/"

urlpatterns = [
    path("", views.space_list, name="space-list"),
    path(space, views.space_detail, name="space-detail"),
    # the rapporteur election
    path(space + "election/", views_election.election_detail, name="election-detail"),
    path(space + "election/nominate/", views_election.election_nominate, name="election-nominate"),
    path(space + "election/respond/", views_election.election_respond, name="election-respond"),
    path(space + "election/vote/", views_election.election_vote, name="election-vote"),
    path(space + "election/confirm/", views_election.election_confirm, name="election-confirm"),
    # discussions
    path(space + "discussions/", views_discussions.thread_list, name="thread-list"),
    path(space + "discussions/<id:thread_id>/", views_discussions.thread_detail, name="thread-detail"),
    path(space + "discussions/<id:thread_id>/manage/", views_discussions.thread_manage, name="thread-manage"),
    path(space + "discussions/<id:thread_id>/follow/", views_discussions.thread_follow, name="thread-follow"),
    path(space + "posts/<id:post_id>/edit/", views_discussions.post_edit, name="post-edit"),
    path(space + "posts/<id:post_id>/delete/", views_discussions.post_delete, name="post-delete"),
    path(space + "posts/<id:post_id>/report/", views_discussions.post_report, name="post-report"),
    path(space + "posts/<id:post_id>/history/", views_discussions.post_history, name="post-history"),
    path(space + "moderation/", views_discussions.moderation_queue, name="moderation-queue"),
    # concerns
    path(space + "concerns/", views_discussions.concern_list, name="concern-list"),
    path(space + "concerns/new/", views_discussions.concern_create, name="concern-create"),
    path(space + "concerns/summary/", views_discussions.concern_summary, name="concern-summary"),
    path(space + "concerns/export.csv", views_discussions.concern_export, name="concern-export"),
    path(space + "concerns/<id:concern_id>/", views_discussions.concern_detail, name="concern-detail"),
    path(space + "concerns/<id:concern_id>/endorse/", views_discussions.concern_endorse, name="concern-endorse"),
    path(space + "concerns/<id:concern_id>/status/", views_discussions.concern_status, name="concern-status"),
    # agenda
    path(space + "agenda/", views_discussions.agenda, name="agenda"),
    path(space + "agenda/update/", views_discussions.agenda_update, name="agenda-update"),
    # across spaces
    path("notifications/", views_notifications.notification_list, name="notification-list"),
    path("notifications/read/", views_notifications.notification_read, name="notification-read"),
    path("notifications/settings/", views_notifications.notification_settings, name="notification-settings"),
    path("notifications/digest/", views_notifications.digest_settings, name="digest-settings"),
    path("search/", views_notifications.search, name="search"),
    path(space + "reinstatement/", views_notifications.reinstatement_request, name="reinstatement-request"),
    # joining and proposing groups
    path("interest/", views_participation.interest_list, name="interest-list"),
    path("proposals/", views_participation.proposal_list, name="proposal-list"),
    # operations staff
    path("staff/balance/", views_staff.balance_report, name="balance-report"),
    path("staff/balance.csv", views_staff.balance_export, name="balance-export"),
    # questionnaires
    path("questionnaires/", views_questionnaires.questionnaire_list, name="questionnaire-list"),
    path("questionnaires/new/", views_questionnaires.questionnaire_create, name="questionnaire-create"),
    path("questionnaires/<id:pk>/", views_questionnaires.questionnaire_respond, name="questionnaire-respond"),
    path("questionnaires/<id:pk>/build/", views_questionnaires.questionnaire_build, name="questionnaire-build"),
    path("questionnaires/<id:pk>/results/", views_questionnaires.questionnaire_results, name="questionnaire-results"),
    path("questionnaires/<id:pk>/themes/", views_questionnaires.questionnaire_themes, name="questionnaire-themes"),
    path("questionnaires/<id:pk>/export.csv", views_questionnaires.questionnaire_export_csv,
         name="questionnaire-export-csv"),
    path("questionnaires/<id:pk>/export.xlsx", views_questionnaires.questionnaire_export_xlsx,
         name="questionnaire-export-xlsx"),
    path(space + "questionnaires/", views_questionnaires.space_questionnaire_list, name="space-questionnaire-list"),
    path(space + "questionnaires/new/", views_questionnaires.space_questionnaire_create,
         name="space-questionnaire-create"),
]
