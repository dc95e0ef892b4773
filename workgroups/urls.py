from django.urls import path

from . import views, views_election, views_participation, views_staff

app_name = "workgroups"

urlpatterns = [
    path("", views.space_list, name="space-list"),
    path("spaces/<int:space_id>/", views.space_detail, name="space-detail"),
    path("spaces/<int:space_id>/election/", views_election.election_detail, name="election-detail"),
    path("spaces/<int:space_id>/election/nominate/", views_election.election_nominate, name="election-nominate"),
    path("spaces/<int:space_id>/election/respond/", views_election.election_respond, name="election-respond"),
    path("spaces/<int:space_id>/election/vote/", views_election.election_vote, name="election-vote"),
    path("spaces/<int:space_id>/election/confirm/", views_election.election_confirm, name="election-confirm"),
    path("interest/", views_participation.interest_list, name="interest-list"),
    path("proposals/", views_participation.proposal_list, name="proposal-list"),
    path("staff/balance/", views_staff.balance_report, name="balance-report"),
    path("staff/balance.csv", views_staff.balance_export, name="balance-export"),
]
