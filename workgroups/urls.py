from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from .views import discussions, elections, notifications, operations, participation, questionnaires, spaces

app_name = "workgroups"

space = "spaces/<id:space_id>/"

urlpatterns = [
    path("", spaces.space_list, name="space-list"),
    path(space, spaces.space_detail, name="space-detail"),
    # the rapporteur election
    path(space + "election/", elections.election_detail, name="election-detail"),
    path(space + "election/nominate/", elections.election_nominate, name="election-nominate"),
    path(space + "election/respond/", elections.election_respond, name="election-respond"),
    path(space + "election/vote/", elections.election_vote, name="election-vote"),
    path(space + "election/confirm/", elections.election_confirm, name="election-confirm"),
    # discussions
    path(space + "discussions/", discussions.thread_list, name="thread-list"),
    path(space + "discussions/<id:thread_id>/", discussions.thread_detail, name="thread-detail"),
    path(space + "discussions/<id:thread_id>/manage/", discussions.thread_manage, name="thread-manage"),
    path(space + "discussions/<id:thread_id>/follow/", discussions.thread_follow, name="thread-follow"),
    path(space + "posts/<id:post_id>/edit/", discussions.post_edit, name="post-edit"),
    path(space + "posts/<id:post_id>/delete/", discussions.post_delete, name="post-delete"),
    path(space + "posts/<id:post_id>/report/", discussions.post_report, name="post-report"),
    path(space + "posts/<id:post_id>/history/", discussions.post_history, name="post-history"),
    path(space + "moderation/", discussions.moderation_queue, name="moderation-queue"),
    # concerns
    path(space + "concerns/", discussions.concern_list, name="concern-list"),
    path(space + "concerns/new/", discussions.concern_create, name="concern-create"),
    path(space + "concerns/summary/", discussions.concern_summary, name="concern-summary"),
    path(space + "concerns/export.csv", discussions.concern_export, name="concern-export"),
    path(space + "concerns/<id:concern_id>/", discussions.concern_detail, name="concern-detail"),
    path(space + "concerns/<id:concern_id>/endorse/", discussions.concern_endorse, name="concern-endorse"),
    path(space + "concerns/<id:concern_id>/status/", discussions.concern_status, name="concern-status"),
    # agenda
    path(space + "agenda/", discussions.agenda, name="agenda"),
    path(space + "agenda/update/", discussions.agenda_update, name="agenda-update"),
    # across spaces
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read/", notifications.notification_read, name="notification-read"),
    path("notifications/settings/", notifications.notification_settings, name="notification-settings"),
    path("notifications/digest/", notifications.digest_settings, name="digest-settings"),
    path("search/", notifications.search, name="search"),
    path(space + "reinstatement/", notifications.reinstatement_request, name="reinstatement-request"),
    # joining and proposing groups
    path("interest/", participation.interest_list, name="interest-list"),
    path("proposals/", participation.proposal_list, name="proposal-list"),
    # operations staff
    path("staff/balance/", operations.balance_report, name="balance-report"),
    path("staff/balance.csv", operations.balance_export, name="balance-export"),
    # questionnaires
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaire-list"),
    path("questionnaires/new/", questionnaires.questionnaire_create, name="questionnaire-create"),
    path("questionnaires/<id:pk>/", questionnaires.questionnaire_respond, name="questionnaire-respond"),
    path("questionnaires/<id:pk>/build/", questionnaires.questionnaire_build, name="questionnaire-build"),
    path(
        "questionnaires/<id:pk>/results/", questionnaires.questionnaire_results, name="questionnaire-results"
    ),
    path("questionnaires/<id:pk>/themes/", questionnaires.questionnaire_themes, name="questionnaire-themes"),
    path(
        "questionnaires/<id:pk>/export.csv",
        questionnaires.questionnaire_export_csv,
        name="questionnaire-export-csv",
    ),
    path(
        "questionnaires/<id:pk>/export.xlsx",
        questionnaires.questionnaire_export_xlsx,
        name="questionnaire-export-xlsx",
    ),
    path(space + "questionnaires/", questionnaires.space_questionnaire_list, name="space-questionnaire-list"),
    path(
        space + "questionnaires/new/",
        questionnaires.space_questionnaire_create,
        name="space-questionnaire-create",
    ),
]
