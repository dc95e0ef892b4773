"""The rapporteur election: nominate, accept, vote (two votes each), confirm."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from workgroups import services
from workgroups.models import Election, Membership, Nomination, Role, Vote

from . import factories

pytestmark = pytest.mark.django_db


def _election(space, *, phase="nominating"):
    now = timezone.now()
    opens = {
        "nominating": now + timedelta(days=1),
        "voting": now - timedelta(hours=1),
        "counting": now - timedelta(days=3),
    }[phase]
    closes = now + timedelta(days=5) if phase != "counting" else now - timedelta(hours=1)
    return Election.objects.create(space=space, voting_opens_at=opens, voting_closes_at=closes)


def _set_phase(election, phase):
    now = timezone.now()
    if phase == "voting":
        election.voting_opens_at, election.voting_closes_at = (
            now - timedelta(hours=1),
            now + timedelta(days=2),
        )
    elif phase == "counting":
        election.voting_opens_at, election.voting_closes_at = (
            now - timedelta(days=3),
            now - timedelta(hours=1),
        )
    election.save()


def test_the_whole_election_through_the_pages(world, clients):
    space = world["space"]
    users = world["users"]
    candidate = factories.add_member(space, display_name="هدى")
    election = _election(space)
    url = reverse("workgroups:election-detail", args=[space.pk])

    # A member nominates themselves (a candidate at once) and another member (who must accept).
    clients["member"].post(
        reverse("workgroups:election-nominate", args=[space.pk]), {"nominee": users["member"].pk}
    )
    clients["member"].post(
        reverse("workgroups:election-nominate", args=[space.pk]), {"nominee": candidate.pk}
    )
    own = Nomination.objects.get(nominee=users["member"])
    other = Nomination.objects.get(nominee=candidate)
    assert own.accepted_at is not None and other.accepted_at is None
    candidate_client = factories_client(candidate)
    candidate_client.post(
        reverse("workgroups:election-respond", args=[space.pk]), {"nomination": other.pk, "accept": "1"}
    )
    other.refresh_from_db()
    assert other.accepted_at is not None

    _set_phase(election, "voting")
    vote = reverse("workgroups:election-vote", args=[space.pk])
    clients["rapporteur"].post(vote, {"nomination": own.pk})
    clients["rapporteur"].post(vote, {"nomination": other.pk})
    response = clients["rapporteur"].post(vote, {"nomination": own.pk}, follow=True)
    assert Vote.objects.filter(voter=users["rapporteur"]).count() == 2
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"  # the refused third vote
    clients["member"].post(vote, {"nomination": other.pk})
    # Officers see the election but do not vote.
    assert clients["technical_officer"].post(vote, {"nomination": own.pk}).status_code == 403
    assert clients["political_officer"].post(vote, {"nomination": own.pk}).status_code == 403
    assert Vote.objects.count() == 3

    # Counts are hidden while voting is open, visible to the space once it closed.
    assert clients["member"].get(url).context["show_counts"] is False
    _set_phase(election, "counting")
    page = clients["political_officer"].get(url)
    assert page.context["show_counts"] is True
    assert [(n.nominee_id, n.vote_count) for n in page.context["results"]] == [
        (candidate.pk, 2),
        (users["member"].pk, 1),
    ]

    # Only staff confirm; the winners become the rapporteurs, the previous rapporteur a member.
    confirm = reverse("workgroups:election-confirm", args=[space.pk])
    assert clients["rapporteur"].post(confirm, {"nominations": [own.pk, other.pk]}).status_code == 403
    assert clients["staff"].post(confirm, {"nominations": [own.pk, other.pk]}).status_code == 302
    roles = dict(Membership.objects.filter(space=space).values_list("user_id", "role"))
    assert roles[candidate.pk] == Role.RAPPORTEUR and roles[users["member"].pk] == Role.RAPPORTEUR
    assert roles[users["rapporteur"].pk] == Role.MEMBER
    election.refresh_from_db()
    assert election.confirmed_at is not None


def factories_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_voting_outside_the_window_is_refused_and_changes_nothing(world):
    space, member = world["space"], world["users"]["member"]
    election = _election(space)
    nomination = services.nomination_create(actor=member, election=election, nominee=member)
    with pytest.raises(ValidationError):
        services.vote_cast(actor=member, election=election, nomination=nomination)
    _set_phase(election, "counting")
    with pytest.raises(ValidationError):
        services.vote_cast(actor=member, election=election, nomination=nomination)
    assert Vote.objects.count() == 0


def test_a_third_vote_and_a_second_vote_for_one_nominee_are_refused(world):
    space = world["space"]
    voter = world["users"]["member"]
    election = _election(space)
    nominees = [factories.add_member(space) for _ in range(3)]
    nominations = [services.nomination_create(actor=n, election=election, nominee=n) for n in nominees]
    _set_phase(election, "voting")
    services.vote_cast(actor=voter, election=election, nomination=nominations[0])
    with pytest.raises(ValidationError):
        services.vote_cast(actor=voter, election=election, nomination=nominations[0])
    services.vote_cast(actor=voter, election=election, nomination=nominations[1])
    with pytest.raises(ValidationError):
        services.vote_cast(actor=voter, election=election, nomination=nominations[2])
    assert sorted(Vote.objects.filter(voter=voter).values_list("slot", flat=True)) == [1, 2]


def test_only_members_can_be_nominated_and_only_once(world):
    space = world["space"]
    election = _election(space)
    member = world["users"]["member"]
    for outsider in (
        world["users"]["outsider"],
        world["users"]["technical_officer"],
        world["users"]["locked_member"],
    ):
        with pytest.raises(ValidationError):
            services.nomination_create(actor=member, election=election, nominee=outsider)
    services.nomination_create(actor=member, election=election, nominee=member)
    with pytest.raises(ValidationError):
        services.nomination_create(actor=world["users"]["rapporteur"], election=election, nominee=member)
    assert Nomination.objects.count() == 1


def test_unaccepted_nominees_are_not_on_the_ballot(world):
    space = world["space"]
    election = _election(space)
    nominee = factories.add_member(space)
    nomination = services.nomination_create(
        actor=world["users"]["member"], election=election, nominee=nominee
    )
    _set_phase(election, "voting")
    with pytest.raises(ValidationError):
        services.vote_cast(actor=world["users"]["member"], election=election, nomination=nomination)


def test_confirming_before_voting_closes_or_three_winners_is_refused(world):
    space = world["space"]
    election = _election(space)
    nominees = [factories.add_member(space) for _ in range(3)]
    nominations = [services.nomination_create(actor=n, election=election, nominee=n) for n in nominees]
    _set_phase(election, "voting")
    with pytest.raises(ValidationError):
        services.election_confirm(
            actor=world["users"]["staff"], election=election, nominations=nominations[:2]
        )
    _set_phase(election, "counting")
    with pytest.raises(ValidationError):
        services.election_confirm(actor=world["users"]["staff"], election=election, nominations=nominations)
    election.refresh_from_db()
    assert election.confirmed_at is None
    assert not Membership.objects.filter(user__in=nominees, role=Role.RAPPORTEUR).exists()


def test_an_election_cannot_open_in_a_concluded_space(world):
    space = world["space"]
    services.space_set_status(actor=None, space=space, status="concluded")
    with pytest.raises(ValidationError):
        services.election_open(
            actor=world["users"]["staff"],
            space=space,
            voting_opens_at=timezone.now(),
            voting_closes_at=timezone.now() + timedelta(days=1),
        )
    assert not Election.objects.exists()


def test_writes_in_a_concluded_space_are_refused_with_a_clear_message(world, clients):
    space = world["space"]
    _election(space)
    services.space_set_status(actor=None, space=space, status="concluded")
    response = clients["member"].post(
        reverse("workgroups:election-nominate", args=[space.pk]), {"nominee": world["users"]["member"].pk}
    )
    assert response.status_code == 403
    assert "errors/403.html" in [t.name for t in response.templates]
    assert response.context["reason"]
    assert not Nomination.objects.exists()
