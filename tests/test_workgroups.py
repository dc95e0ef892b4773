"""Spaces, memberships and the permission core."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workgroups import access, fragments, services
from workgroups.access import Action
from workgroups.models import Membership, MembershipEvent, Role, Space

from . import factories

pytestmark = pytest.mark.django_db

# The role table of docs/architecture.md, as the permission core must answer it in an active space.
ROLE_TABLE = {
    "outsider": set(),
    "other_member": set(),
    "locked_member": set(),
    "member": {Action.VIEW, Action.CONTRIBUTE},
    "rapporteur": {Action.VIEW, Action.CONTRIBUTE, Action.MANAGE_OUTPUTS},
    "technical_officer": {Action.VIEW, Action.MODERATE},
    "political_officer": {Action.VIEW, Action.CONTRIBUTE},
    "staff": set(),  # they run the platform from admin and enter no space without a membership
}


@pytest.mark.parametrize("role", ROLE_TABLE)
def test_permission_core_follows_the_role_table(world, role):
    user, space = world["users"][role], world["space"]
    granted = {action for action in Action if access.can(user, action, space)}
    assert granted == ROLE_TABLE[role]


@pytest.mark.parametrize("role", ROLE_TABLE)
def test_check_gives_404_to_who_may_not_know_and_403_to_who_may_see(world, role):
    user, space = world["users"][role], world["space"]
    for action in Action:
        if action in ROLE_TABLE[role]:
            access.check(user, action, space)
        elif role == "locked_member":
            with pytest.raises(access.MembershipLocked):
                access.check(user, action, space)
        elif Action.VIEW not in ROLE_TABLE[role]:
            with pytest.raises(Http404):
                access.check(user, action, space)
        else:
            with pytest.raises(PermissionDenied):
                access.check(user, action, space)


def test_a_concluded_space_is_read_only_for_every_role(world):
    space = world["space"]
    services.space_set_status(actor=None, space=space, status=Space.Status.CONCLUDED)
    for role, allowed in ROLE_TABLE.items():
        user = world["users"][role]
        assert {a for a in Action if access.can(user, a, space)} == allowed & {Action.VIEW}, role
    with pytest.raises(PermissionDenied) as refusal:
        access.check(world["users"]["rapporteur"], Action.CONTRIBUTE, space)
    assert str(refusal.value) == str(access.INACTIVE_SPACE)


def test_visible_spaces_and_audience_come_from_the_same_permissions(world):
    space, other = world["space"], world["other_space"]
    users = world["users"]
    assert set(access.filter_spaces(users["member"])) == {space}
    assert set(access.filter_spaces(users["other_member"])) == {other}
    assert set(access.filter_spaces(users["outsider"])) == set()
    assert set(access.filter_spaces(users["locked_member"])) == set()
    assert set(access.filter_spaces(users["staff"])) == set()
    assert set(access.filter_spaces(users["rapporteur"], Action.MANAGE_OUTPUTS)) == {space}
    viewers = set(access.audience(space))
    assert viewers == {users[r] for r in ("member", "rapporteur", "technical_officer", "political_officer")}
    assert set(access.audience(space, Action.MODERATE)) == {users["technical_officer"]}


def test_lock_reinstate_leave_and_role_change_keep_permissions_in_step(world):
    space, member = world["space"], world["users"]["member"]
    membership = Membership.objects.get(space=space, user=member)
    services.membership_lock(actor=None, membership=membership)
    member = type(member).objects.get(pk=member.pk)
    assert not access.can(member, Action.VIEW, space)
    services.membership_reinstate(actor=None, membership=membership)
    member = type(member).objects.get(pk=member.pk)
    assert access.can(member, Action.CONTRIBUTE, space)
    membership.refresh_from_db()
    assert membership.last_contribution_at is not None  # the inactivity clock restarts
    services.membership_change_role(actor=None, membership=membership, role=Role.RAPPORTEUR)
    assert access.can(type(member).objects.get(pk=member.pk), Action.MANAGE_OUTPUTS, space)
    services.membership_leave(actor=None, membership=Membership.objects.get(pk=membership.pk))
    member = type(member).objects.get(pk=member.pk)
    assert not access.can(member, Action.VIEW, space)
    actions = list(MembershipEvent.objects.filter(membership=membership).values_list("action", flat=True))
    assert set(actions) >= {"added", "locked", "reinstated", "role_changed", "left"}


def test_role_change_to_technical_officer_removes_the_right_to_post(world):
    space, member = world["space"], world["users"]["member"]
    # The space already has a technical officer: the service refuses a second.
    with pytest.raises(ValidationError):
        services.membership_change_role(
            actor=None,
            membership=Membership.objects.get(space=space, user=member),
            role=Role.TECHNICAL_OFFICER,
        )
    space2 = factories.make_space()
    user = factories.add_member(space2)
    services.membership_change_role(
        actor=None, membership=Membership.objects.get(space=space2, user=user), role=Role.TECHNICAL_OFFICER
    )
    user = type(user).objects.get(pk=user.pk)
    assert access.can(user, Action.MODERATE, space2) and not access.can(user, Action.CONTRIBUTE, space2)


def test_a_third_rapporteur_is_refused_by_the_service_and_by_the_database(world):
    space = world["space"]
    second = factories.add_member(space, role=Role.RAPPORTEUR)
    assert Membership.objects.filter(space=space, role=Role.RAPPORTEUR).count() == 2
    third = factories.add_member(space)
    membership = Membership.objects.get(space=space, user=third)
    with pytest.raises(ValidationError) as refusal:
        services.membership_change_role(actor=None, membership=membership, role=Role.RAPPORTEUR)
    assert refusal.value.code == "rapporteurs_full"
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    for seat in (1, 2, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.filter(pk=membership.pk).update(role=Role.RAPPORTEUR, rapporteur_seat=seat)
    assert second


def test_a_membership_for_someone_already_in_the_space_is_refused(world):
    space, member = world["space"], world["users"]["member"]
    before = Membership.objects.count()
    with pytest.raises(ValidationError):
        services.membership_add(actor=None, space=space, user=member)
    assert Membership.objects.count() == before


def test_space_pages_show_names_and_titles_never_private_fields(world, clients):
    member = world["users"]["member"]
    member.gender, member.region, member.title = "man", "idlib", "ناشط في الحوكمة المحلية"
    member.save()
    body = (
        clients["rapporteur"]
        .get(reverse("workgroups:space-detail", args=[world["space"].pk]))
        .content.decode()
    )
    assert "عمر الخطيب" in body and "ناشط في الحوكمة المحلية" in body
    assert "إدلب" not in body and "Idlib" not in body


def test_meeting_room_is_shown_to_members_only(world, clients):
    url = reverse("workgroups:space-detail", args=[world["space"].pk])
    assert "room-secret" in clients["member"].get(url).content.decode()
    assert "room-secret" not in clients["staff"].get(url).content.decode()


def test_my_groups_lists_active_first_then_concluded_archive(world, clients):
    member = world["users"]["member"]
    old = factories.make_space(name="الدورة السابقة", status=Space.Status.ACTIVE)
    factories.add_member(old, user=member)
    services.space_set_status(actor=None, space=old, status=Space.Status.CONCLUDED)
    response = clients["member"].get(reverse("workgroups:space-list"))
    assert [s.pk for s in response.context["current_spaces"]] == [world["space"].pk]
    assert [s.pk for s in response.context["concluded_spaces"]] == [old.pk]
    assert clients["member"].get(reverse("workgroups:space-detail", args=[old.pk])).status_code == 200


def test_locked_member_sees_why_and_the_space_in_their_list(world, clients):
    response = clients["locked_member"].get(reverse("workgroups:space-detail", args=[world["space"].pk]))
    assert response.status_code == 403
    assert "workgroups/space_locked.html" in [t.name for t in response.templates]
    assert world["space"].name in response.content.decode()
    listing = clients["locked_member"].get(reverse("workgroups:space-list"))
    assert [m.space_id for m in listing.context["locked_memberships"]] == [world["space"].pk]


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["space-list", "space-detail"])
def test_query_count_does_not_grow_with_members(page, world, clients, django_assert_num_queries):
    space = world["space"]
    url = reverse(f"workgroups:{page}", args=[space.pk] if page == "space-detail" else [])
    client = clients["member"]
    for _ in range(5):
        factories.add_member(space)
    client.get(url)  # the first request of a session also records the conduct check in the session
    fragments.members_changed([space.pk])  # each count with the member list rendered, not kept
    few = _queries(client, url)
    for _ in range(45):
        factories.add_member(space)
    for index in range(3):
        factories.add_member(factories.make_space(name=f"مساحة {index}"), user=world["users"]["member"])
    fragments.members_changed([space.pk])
    many = _queries(client, url)
    assert few == many
    # the user's space permissions (read once per request by the core), the unread chat count in the
    # navigation; the space home's panels: +1 next meeting, +2 drafts, +1 the member list (rendered)
    budget = {"space-list": 8, "space-detail": 15}[page]
    fragments.members_changed([space.pk])
    with django_assert_num_queries(budget):
        client.get(url)


def test_next_cohort_carries_the_continuity_members(world):
    space = world["space"]
    continuing = [world["users"]["member"], world["users"]["rapporteur"]]
    start = timezone.localdate() + timedelta(days=100)
    successor = services.space_start_next_cohort(
        actor=world["users"]["staff"],
        space=space,
        name_ar="الدورة الثانية",
        name_en="Second cohort",
        cycle_start=start,
        cycle_end=start + timedelta(days=110),
        continuity_users=continuing,
    )
    assert successor.predecessor == space and successor.theme == space.theme
    assert successor.status == Space.Status.PROPOSED
    roles = dict(Membership.objects.filter(space=successor).values_list("user__username", "role"))
    assert roles == {"member": Role.MEMBER, "rapporteur": Role.MEMBER}


def test_a_lock_succeeds_when_the_close_signal_cannot_be_sent(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """The channel layer is down (Redis restarting): the lock is made, no error reaches staff, and the
    liveness store every socket checks has moved for the locked member."""
    from channels.layers import get_channel_layer

    from accounts import liveness

    async def layer_down(*args, **kwargs):
        raise ConnectionError("the channel layer is unreachable")

    monkeypatch.setattr(get_channel_layer(), "group_send", layer_down)
    member = world["users"]["member"]
    key = f"liveness:user:{member.pk}"
    before = liveness.shared_cache().get(key)
    membership = Membership.objects.get(space=world["space"], user=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_lock(actor=world["users"]["staff"], membership=membership, reason="test")
    membership.refresh_from_db()
    assert membership.state == Membership.State.LOCKED
    assert liveness.shared_cache().get(key) not in (None, before)
