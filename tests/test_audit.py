"""The audit trail: each audited act leaves exactly one line (who, what, on what, in which space, from
which truncated network); a refused act leaves none; nothing changes or deletes a line."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, record
from accounts.models import AuditEvent, User
from chat import services as chat_services
from chat.models import Report
from documents.services import drafts as services_drafts
from workgroups import services
from workgroups.models import Membership, Role

from . import factories
from .conftest import client_for, frozen_totp, totp_code

pytestmark = pytest.mark.django_db

IPV4, IPV4_NETWORK = "203.0.113.77", "203.0.113.0/24"
IPV6, IPV6_NETWORK = "2001:db8:abcd:12::1", "2001:db8:abcd::/48"


def _client(user, address=IPV4):
    """A signed-in client (second factor used where required) sending from `address`. Signing staff in
    writes a line: make the client before noting the last line."""
    client = client_for(user)
    client.defaults["REMOTE_ADDR"] = address
    return client


def _new_events(before, **filters):
    return list(AuditEvent.objects.filter(pk__gt=before, **filters))


def _last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _only(before, **filters):
    """The one line written since `before` (and fail if there is not exactly one)."""
    events = _new_events(before)
    assert len(events) == 1, [(event.action, event.target_label) for event in events]
    event = events[0]
    for name, value in filters.items():
        assert getattr(event, name) == value, (name, getattr(event, name), value)
    return event


# --- Sign-ins ----------------------------------------------------------------------------------


def test_staff_sign_in_is_recorded_once_after_the_second_factor():
    staff = factories.StaffFactory(username="ops", totp=False)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    before = _last_pk()
    client = Client(REMOTE_ADDR=IPV4)
    response = client.post(reverse("account_login"), {"login": "ops", "password": factories.PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert _new_events(before) == []  # the password alone is not a sign-in
    with frozen_totp():
        assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    event = _only(
        before,
        actor=staff,
        action=Action.STAFF_SIGN_IN,
        target_type="accounts.user",
        target_id=str(staff.pk),
        address=IPV4_NETWORK,
        space_id=None,
    )
    assert event.target_label == "ops"


def test_a_participant_signing_in_and_a_failed_staff_sign_in_are_not_recorded():
    factories.UserFactory(username="layla")
    factories.StaffFactory(username="ops", totp=False)
    before = _last_pk()
    Client().post(reverse("account_login"), {"login": "layla", "password": factories.PASSWORD})
    Client().post(reverse("account_login"), {"login": "ops", "password": "wrong password"})
    assert _new_events(before) == []


# --- Memberships -------------------------------------------------------------------------------


def test_staff_adding_a_member_in_admin_is_recorded_with_the_staff_network(world):
    staff, space = world["users"]["staff"], world["space"]
    newcomer = factories.UserFactory(username="newcomer", display_name="رنا")
    client = _client(staff, IPV6)
    before = _last_pk()
    response = client.post(
        reverse("admin:workgroups_membership_add"),
        {"space": space.pk, "user": newcomer.pk, "role": Role.MEMBER},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(space=space, user=newcomer)
    event = _only(
        before,
        actor=staff,
        action=Action.MEMBERSHIP_ADDED,
        target_type="workgroups.membership",
        target_id=str(membership.pk),
        space_id=space.pk,
        address=IPV6_NETWORK,
    )
    assert event.target_label == f"رنا · {space.name_ar}"


def test_a_refused_membership_change_is_not_recorded(world):
    staff, space = world["users"]["staff"], world["space"]
    member = world["users"]["member"]
    client = _client(staff)
    before = _last_pk()
    response = client.post(
        reverse("admin:workgroups_membership_add"),
        {"space": space.pk, "user": member.pk, "role": Role.MEMBER},
    )
    assert response.status_code == 200  # already in the space: a message, nothing saved
    with pytest.raises(ValidationError):
        services.membership_add(actor=staff, space=space, user=member)
    locked = Membership.objects.get(space=space, user=world["users"]["locked_member"])
    services.membership_lock(actor=staff, membership=locked)  # already locked: nothing changes
    assert _new_events(before) == []


@pytest.mark.parametrize(
    ("admin_action", "role", "expected"),
    [
        ("make_rapporteur", "member", Action.ROLE_CHANGED),
        ("lock", "member", Action.MEMBERSHIP_LOCKED),
        ("reinstate", "locked_member", Action.MEMBERSHIP_REINSTATED),
        ("remove", "member", Action.MEMBERSHIP_REMOVED),
    ],
)
def test_each_membership_action_in_admin_leaves_one_line(world, admin_action, role, expected):
    staff, space = world["users"]["staff"], world["space"]
    membership = Membership.objects.get(space=space, user=world["users"][role])
    client = _client(staff)
    before = _last_pk()
    response = client.post(
        reverse("admin:workgroups_membership_changelist"),
        {"action": admin_action, "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    _only(
        before,
        actor=staff,
        action=expected,
        target_id=str(membership.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )


def test_the_inactivity_job_records_its_locks_in_one_statement_and_once(world):
    space, now = world["space"], timezone.now()
    idle = [factories.add_member(space, username=f"idle{n}", display_name=f"عضو {n}") for n in range(4)]
    Membership.objects.filter(space=space, user__in=idle).update(
        last_contribution_at=now - datetime.timedelta(days=40)
    )
    before = _last_pk()
    with CaptureQueriesContext(connection) as queries:
        result = services.inactivity_run(now=now)
    locked = Membership.objects.filter(space=space, state=Membership.State.LOCKED, state_changed_at=now)
    assert result["locked"] == locked.count() >= 4
    events = _new_events(before)
    assert sorted(event.target_id for event in events) == sorted(
        str(pk) for pk in locked.values_list("pk", flat=True)
    )
    assert {
        (event.action, event.actor_id, event.space_id, event.target_type, event.address) for event in events
    } == {(Action.MEMBERSHIP_LOCKED, None, space.pk, "workgroups.membership", "")}
    first = Membership.objects.get(space=space, user=idle[0])
    assert next(e for e in events if e.target_id == str(first.pk)).target_label == f"عضو 0 · {space.name_ar}"
    assert next(e for e in events if e.target_id == str(first.pk)).details == {"detail": "inactivity"}
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(f"INSERT INTO {_table()}") or q["sql"].startswith(f'INSERT INTO "{_table()}"')
    ]
    assert len(inserts) == 1
    services.inactivity_run(now=now)
    assert len(_new_events(before)) == len(events)


def _table():
    return AuditEvent._meta.db_table


# --- Exports -----------------------------------------------------------------------------------


def test_concern_export_is_recorded_and_a_refused_one_is_not(content, clients):
    space, rapporteur = content["space"], content["users"]["rapporteur"]
    url = reverse("workgroups:concern-export", args=[space.pk])
    client = _client(rapporteur)
    before = _last_pk()
    assert clients["member"].get(url).status_code == 403
    assert _new_events(before) == []
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    event = _only(
        before,
        actor=rapporteur,
        action=Action.EXPORT,
        target_type="workgroups.space",
        target_id=str(space.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )
    assert event.details == {"export": "concerns", "format": "csv"}


@pytest.mark.parametrize("scope", ["all", "space"])
def test_balance_export_is_recorded(world, scope):
    staff, space = world["users"]["staff"], world["space"]
    query = {"space": space.pk} if scope == "space" else {}
    client = _client(staff)
    before = _last_pk()
    assert client.get(reverse("workgroups:balance-export"), query).status_code == 200
    event = _only(before, actor=staff, action=Action.EXPORT, address=IPV4_NETWORK)
    assert event.details == {"export": "balance", "format": "csv"}
    assert event.space_id == (space.pk if scope == "space" else None)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_questionnaire_results_export_is_recorded(content, kind):
    rapporteur, questionnaire = content["users"]["rapporteur"], content["space_questionnaire"]
    client = _client(rapporteur)
    before = _last_pk()
    assert (
        client.get(reverse(f"workgroups:questionnaire-export-{kind}", args=[questionnaire.pk])).status_code
        == 200
    )
    event = _only(
        before,
        actor=rapporteur,
        action=Action.EXPORT,
        target_type="workgroups.questionnaire",
        target_id=str(questionnaire.pk),
        space_id=content["space"].pk,
        address=IPV4_NETWORK,
    )
    assert event.details["format"] == kind


@pytest.mark.parametrize("export_format", ["pdf", "docx"])
def test_final_note_export_is_recorded_and_an_empty_one_is_not(content, export_format):
    rapporteur, space = content["users"]["rapporteur"], content["space"]
    note, empty = content["submitted_note"], content["final_note"]
    client = _client(rapporteur)
    before = _last_pk()
    empty_response = client.get(reverse("documents:draft-export", args=[space.pk, empty.pk, export_format]))
    assert not empty_response.get("Content-Disposition", "").startswith("attachment")
    assert _new_events(before) == []
    response = client.get(reverse("documents:draft-export", args=[space.pk, note.pk, export_format]))
    assert response.status_code == 200
    event = _only(
        before,
        actor=rapporteur,
        action=Action.EXPORT,
        target_type="documents.draft",
        target_id=str(note.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )
    assert event.details == {"export": "final note", "format": export_format}


# --- Moderation --------------------------------------------------------------------------------


@pytest.mark.parametrize("moderation", ["hide", "restore", "warn"])
def test_each_moderation_of_a_post_leaves_one_line(content, moderation):
    officer, space, post = content["users"]["technical_officer"], content["space"], content["post"]
    client = _client(officer)
    before = _last_pk()
    response = client.post(
        reverse("workgroups:moderation-queue", args=[space.pk]),
        {"post": post.pk, "action": moderation, "reason": "مخالفة"},
    )
    assert response.status_code == 302
    event = _only(
        before,
        actor=officer,
        action=Action.MODERATION,
        target_type="workgroups.post",
        target_id=str(post.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )
    assert event.details == {"kind": moderation}


def test_a_refused_moderation_is_not_recorded(content):
    member, space, post = content["users"]["member"], content["space"], content["post"]
    member_client, officer_client = _client(member), _client(content["users"]["technical_officer"])
    before = _last_pk()
    response = member_client.post(
        reverse("workgroups:moderation-queue", args=[space.pk]),
        {"post": post.pk, "action": "hide", "reason": "مخالفة"},
    )
    assert response.status_code == 403
    response = officer_client.post(
        reverse("workgroups:moderation-queue", args=[space.pk]),
        {"post": post.pk, "action": "hide", "reason": ""},
    )
    assert response.status_code == 200  # no reason: a message, nothing done
    assert _new_events(before) == []


def _reported_chat_message(world):
    space, member, rapporteur = world["space"], world["users"]["member"], world["users"]["rapporteur"]
    conversation = chat_services.space_conversation_get_or_create(space=space)
    message = chat_services.message_send(actor=member, conversation=conversation, body="رسالة مسيئة")
    report = chat_services.message_report(actor=rapporteur, message=message, reason="إساءة")
    return message, report


@pytest.mark.parametrize("decision", ["remove", "handled"])
def test_the_technical_officer_handling_a_chat_report_leaves_one_line(world, decision):
    officer, space = world["users"]["technical_officer"], world["space"]
    message, report = _reported_chat_message(world)
    client = _client(officer)
    before = _last_pk()
    response = client.post(
        reverse("chat:report-list", args=[space.pk]), {"report": report.pk, "action": decision}
    )
    assert response.status_code == 302
    event = _only(
        before,
        actor=officer,
        action=Action.MODERATION,
        target_type="chat.message",
        target_id=str(message.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )
    assert event.details == {"kind": "remove" if decision == "remove" else "report_handled"}


@pytest.mark.parametrize("admin_action", ["remove_messages", "mark_handled"])
def test_staff_handling_a_chat_report_in_admin_leaves_one_line(world, admin_action):
    staff, space = world["users"]["staff"], world["space"]
    message, report = _reported_chat_message(world)
    client = _client(staff)
    before = _last_pk()
    response = client.post(
        reverse("admin:chat_report_changelist"), {"action": admin_action, "_selected_action": [report.pk]}
    )
    assert response.status_code == 302
    _only(
        before,
        actor=staff,
        action=Action.MODERATION,
        target_id=str(message.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )
    assert Report.objects.get(pk=report.pk).handled
    # Doing it again changes nothing and records nothing.
    client.post(
        reverse("admin:chat_report_changelist"), {"action": admin_action, "_selected_action": [report.pk]}
    )
    assert len(_new_events(before)) == 1


# --- Final notes and the Special Envoy's decisions ---------------------------------------------


def test_submitting_a_final_note_is_recorded_once(content):
    rapporteur, space, note = content["users"]["rapporteur"], content["space"], content["final_note"]
    introduction = note.sections.get(key="introduction")
    services_drafts.section_save(
        actor=rapporteur, section=introduction, text="مقدمة المذكرة.", base_revision=0
    )
    for step in ("open_for_comments", "joint_proposal"):
        services_drafts.draft_transition(actor=rapporteur, draft=note, to=step)
    url = reverse("documents:draft-transition", args=[space.pk, note.pk])
    client = _client(rapporteur)
    before = _last_pk()
    assert client.post(url, {"to": "submitted", "confirmed": "1"}).status_code in (200, 302)
    _only(
        before,
        actor=rapporteur,
        action=Action.NOTE_SUBMITTED,
        target_type="documents.draft",
        target_id=str(note.pk),
        space_id=space.pk,
        address=IPV4_NETWORK,
    )
    client.post(url, {"to": "submitted", "confirmed": "1"})  # already submitted: refused
    assert len(_new_events(before)) == 1


def test_the_envoys_decision_is_recorded_and_a_refused_one_is_not(content):
    staff, note = content["users"]["staff"], content["submitted_note"]
    url = reverse("documents:output-decision", args=[note.pk])
    staff_client, member_client = _client(staff), _client(content["users"]["member"])
    before = _last_pk()
    assert staff_client.post(url, {"decision": "nonsense", "decided_on": "2026-05-01"}).status_code == 302
    assert member_client.post(url, {"decision": "public", "decided_on": "2026-05-01"}).status_code == 404
    assert _new_events(before) == []
    assert staff_client.post(url, {"decision": "public", "decided_on": "2026-05-01"}).status_code == 302
    event = _only(
        before,
        actor=staff,
        action=Action.ENVOY_DECISION,
        target_id=str(note.pk),
        space_id=content["space"].pk,
        address=IPV4_NETWORK,
    )
    assert event.details == {"decision": "public", "decided_on": "2026-05-01"}


# --- Accounts in admin -------------------------------------------------------------------------


def test_staff_setting_a_password_in_admin_is_recorded_and_a_refused_one_is_not(world):
    staff, member = world["users"]["staff"], world["users"]["member"]
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    client = _client(staff)
    before = _last_pk()
    response = client.post(
        url, {"password1": "a new long passphrase", "password2": "does not match", "usable_password": "true"}
    )
    assert response.status_code == 200
    assert _new_events(before) == []
    response = client.post(
        url,
        {
            "password1": "a new long passphrase 2026",
            "password2": "a new long passphrase 2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    event = _only(
        before,
        actor=staff,
        action=Action.PASSWORD_SET_BY_STAFF,
        target_id=str(member.pk),
        address=IPV4_NETWORK,
    )
    assert event.details == {"usable": True}


def test_staff_deactivating_an_account_in_admin_is_recorded(world):
    staff, member = world["users"]["staff"], world["users"]["member"]
    client = _client(staff)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "groups": [],
            "expertise_areas": [],
            "user_permissions": [],
            "date_joined_0": timezone.localtime(member.date_joined).strftime("%Y-%m-%d"),
            "date_joined_1": timezone.localtime(member.date_joined).strftime("%H:%M:%S"),
        }
    )
    data["is_active"] = ""
    data.pop("last_login", None)
    data.pop("date_joined", None)
    before = _last_pk()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert not User.objects.get(pk=member.pk).is_active
    assert member.groups.filter(name__startswith="space:").exists()  # kept: memberships decide them
    _only(
        before, actor=staff, action=Action.ACCOUNT_DEACTIVATED, target_id=str(member.pk), address=IPV4_NETWORK
    )


# --- Append-only -------------------------------------------------------------------------------


def test_a_line_cannot_be_changed_or_deleted_through_the_model(world):
    event = record(actor=world["users"]["staff"], action=Action.EXPORT, label="x")
    event.target_label = "changed"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(target_label="changed")
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(target_label="", action=Action.MODERATION)
    assert AuditEvent.objects.get(pk=event.pk).target_label == "x"
    # What anonymisation does: the label alone is blanked; the line stays.
    AuditEvent.objects.filter(pk=event.pk).update(target_label="")
    assert AuditEvent.objects.get(pk=event.pk).action == Action.EXPORT


def test_deleting_an_account_keeps_its_lines_without_the_actor(world):
    someone = factories.StaffFactory(username="temporary")
    event = record(actor=someone, action=Action.EXPORT, label="kept")
    someone.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None and event.target_label == "kept" and event.action == Action.EXPORT


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's (the model guards SQLite)"
)
def test_postgresql_refuses_raw_updates_and_deletes_of_the_trail(world):
    event = record(actor=world["users"]["staff"], action=Action.EXPORT, label="x")
    for sql in (
        "UPDATE accounts_auditevent SET target_label = 'changed' WHERE id = %s",
        "UPDATE accounts_auditevent SET actor_id = NULL, target_label = 'changed' WHERE id = %s",
        "UPDATE accounts_auditevent SET target_label = '', action = 'moderation' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).target_label == "x"
    with connection.cursor() as cursor:  # anonymisation's blanking of a label is let through
        cursor.execute("UPDATE accounts_auditevent SET target_label = '' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).target_label == ""


def test_superusers_read_the_trail_in_admin_and_can_change_nothing(world):
    staff = world["users"]["staff"]
    event = record(actor=staff, action=Action.EXPORT, label="balance report")
    client = _client(staff)
    changelist = reverse("admin:accounts_auditevent_changelist")
    page = client.get(changelist, {"q": "balance"})
    assert page.status_code == 200 and "balance report" in page.content.decode()
    assert "delete_selected" not in page.content.decode()
    assert client.get(changelist, {"action__exact": Action.EXPORT}).status_code == 200
    assert client.get(changelist, {"actor__id__exact": staff.pk}).status_code == 200
    for name in ("change", "delete", "history"):
        assert client.get(reverse(f"admin:accounts_auditevent_{name}", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_auditevent_change", args=[event.pk]), {"target_label": "changed"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert AuditEvent.objects.filter(pk=event.pk, target_label="balance report").exists()
    assert response.status_code in (200, 302)


def test_staff_who_are_not_superusers_cannot_see_the_trail(world):
    from django.contrib.auth.models import Permission

    plain = factories.StaffFactory(username="plainstaff", is_superuser=False)
    plain.user_permissions.set(Permission.objects.all())
    record(actor=world["users"]["staff"], action=Action.EXPORT, label="secret line")
    client = _client(plain)
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_auditevent_changelist") not in index
