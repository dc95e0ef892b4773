"""A concluded space can be read but not changed: every write of the access matrix that succeeds in an
active space is refused once the space concludes, through the permission core, with its reason, and
changes nothing.

The writes come from the matrix itself (the modules of tests/matrix/): every POST row
on a page of the space, so a write added later is covered the day its row is. The few POSTs that stay
open are listed below with the reason.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from workgroups import services as workgroup_services
from workgroups.models import Election, Nomination, PostReport, Space, ThreadFollow, Vote

from .matrix import PLATFORM_NAMESPACES, ROWS

NOT_ACTIVE = "This space is not active: it can be read but not changed."
VIEWERS = ["member", "rapporteur", "technical_officer", "political_officer"]

# POSTs on a space's pages that are not writes to the space: they move what the person has read.
STILL_OPEN = {
    "chat:conversation-read": "the person's own read marker",
    "chat:conversation-preferences": "whether the person shows their read marker",
}


def _is_space_page(row):
    """A page of the space: who may not know the space gets 404 (staff included), a locked member 403."""
    return (
        row.expected["locked_member"] == 403
        and row.expected["staff"] == 404
        and row.expected["outsider"] == 404
    )


def _writers(row):
    """The roles of the space for whom the row succeeds in an active space."""
    return [role for role in VIEWERS if row.expected[role] in (200, 302)]


SPACE_WRITES = [
    row
    for row in ROWS
    if row.method == "post"
    and row.name not in STILL_OPEN
    and _writers(row)
    and (_is_space_page(row) or row.name == "chat:conversation-leave")
]


def _snapshot():
    """Every row of every platform model, field by field (a refused write must change none)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in PLATFORM_NAMESPACES
        for model in apps.get_app_config(label).get_models()
    }


def _reason_in(response):
    """The reason the platform gave: the 403 page's, or the message a redirect carries."""
    if response.status_code == 403:
        return str(response.context["reason"])
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _not_active_in(user):
    with translation.override(user.preferred_language):
        return gettext(NOT_ACTIVE)


def _conclude(space):
    workgroup_services.space_set_status(actor=None, space=space, status=Space.Status.CONCLUDED)


def test_the_writes_named_in_the_finding_are_among_those_tested():
    names = {row.name for row in SPACE_WRITES}
    assert {
        "workgroups:thread-follow",
        "workgroups:post-report",
        "workgroups:concern-endorse",
        "events:event-respond",
        "chat:message-report",
        "chat:conversation-leave",
        "documents:comment-create",
    } <= names


def test_a_concluded_space_refuses_every_write_with_its_reason_and_changes_nothing(content, clients):
    """Each row runs in a transaction rolled back afterwards, on the same content (one build for all)."""
    world = content
    signed_in = {role: clients[role] for role in VIEWERS}  # signing in writes: done before any snapshot
    failures = []
    for row in SPACE_WRITES:
        with transaction.atomic():
            _conclude(world["space"])
            before = _snapshot()
            for role in _writers(row):
                response = signed_in[role].post(row.url(world), row.data(world))
                refused = response.status_code in (403, 302) and _reason_in(response) == _not_active_in(
                    world["users"][role]
                )
                if not refused:
                    failures.append(f"{role} {row.id} → {response.status_code}")
                if _snapshot() != before:
                    failures.append(f"{role} {row.id} changed data")
            transaction.set_rollback(True)
    assert not failures, failures


def test_following_and_reporting_are_refused_by_the_services_too(content):
    world = content
    users, thread, post = world["users"], world["thread"], world["post"]
    _conclude(world["space"])
    follows, reports = list(ThreadFollow.objects.values_list("pk", flat=True)), PostReport.objects.count()
    for write in (
        lambda: workgroup_services.thread_follow(
            actor=users["political_officer"], thread=thread, follow=True
        ),
        lambda: workgroup_services.thread_follow(actor=users["member"], thread=thread, follow=False),
        lambda: workgroup_services.post_report(actor=users["technical_officer"], post=post, reason="إساءة"),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert list(ThreadFollow.objects.values_list("pk", flat=True)) == follows
    assert PostReport.objects.count() == reports


def test_a_vote_in_an_election_that_was_open_when_the_space_concluded_is_refused(world, clients):
    space, users = world["space"], world["users"]
    now = timezone.now()
    election = Election.objects.create(
        space=space, voting_opens_at=now - timedelta(hours=1), voting_closes_at=now + timedelta(days=2)
    )
    nomination = Nomination.objects.create(
        election=election, nominee=users["rapporteur"], nominated_by=users["member"], accepted_at=now
    )
    _conclude(space)
    response = clients["member"].post(
        reverse("workgroups:election-vote", args=[space.pk]), {"nomination": nomination.pk}
    )
    assert response.status_code == 403
    assert _reason_in(response) == _not_active_in(users["member"])
    assert not Vote.objects.exists()


def test_a_concluded_space_keeps_its_questionnaires_readable(content, clients):
    """Members still open the space's questionnaire (no longer answerable), its rapporteur still reads
    and exports the results; building it is refused with the space's reason, outsiders still get 404."""
    world = content
    questionnaire = world["space_questionnaire"]
    _conclude(world["space"])
    respond = reverse("workgroups:questionnaire-respond", args=[questionnaire.pk])
    for role in ("member", "rapporteur", "political_officer"):
        response = clients[role].get(respond)
        assert response.status_code == 200, role
        assert response.context["accepting"] is False
    results = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    assert clients["rapporteur"].get(results).status_code == 200
    assert (
        clients["rapporteur"]
        .get(reverse("workgroups:questionnaire-export-csv", args=[questionnaire.pk]))
        .status_code
        == 200
    )
    assert clients["member"].get(results).status_code == 403
    build = clients["rapporteur"].get(reverse("workgroups:questionnaire-build", args=[questionnaire.pk]))
    assert build.status_code == 403
    assert _reason_in(build) == _not_active_in(world["users"]["rapporteur"])
    listing = clients["rapporteur"].get(
        reverse("workgroups:space-questionnaire-list", args=[world["space"].pk])
    )
    assert questionnaire in listing.context["questionnaires"]
    assert results in listing.content.decode()
    assert clients["outsider"].get(respond).status_code == 404
