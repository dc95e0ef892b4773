"""One mail path (every e-mail through the outbox, written in the transaction that causes it) and one
notification writer (`notify` for requests, `notify_many` for jobs)."""

import re
from datetime import timedelta

import pytest
from celery.app.task import Task
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from events import services as event_services
from events.models import ExpertInvitation
from workgroups import access, services
from workgroups.forms import NotificationSettingsForm
from workgroups.models import Membership, Notification, OutgoingEmail
from workgroups.services.notifications import notify_many
from workgroups.services.outbox import outbox_add

from . import factories
from .conftest import client_for

pytestmark = pytest.mark.django_db
User = get_user_model()
WRITTEN = {"subject": "موضوع", "body": "نص", "html": "<p>نص</p>"}


@pytest.fixture
def queued(monkeypatch):
    """Every task queued (name, args, kwargs), still run as the test settings say (eagerly)."""
    calls, apply_async = [], Task.apply_async

    def recording(task, args=None, kwargs=None, **options):
        calls.append((task.name, args, kwargs))
        return apply_async(task, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    return calls


def _invite(staff, username="huda"):
    return account_services.invitation_create(
        actor=staff,
        email=f"{username}@example.org",
        username=username,
        display_name="هدى",
        preferred_language="en",
    )


# --- Invitations ---------------------------------------------------------------------------------


def test_the_invitation_email_is_written_in_the_creating_transaction_and_rolled_back_with_it(
    django_capture_on_commit_callbacks,
):
    staff = factories.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            invitation, token = _invite(staff)
            row = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.INVITATION)
            assert row.recipient == invitation.user and token in row.body
            raise RuntimeError("the caller fails after the invitation is made")
    assert not callbacks and not mail.outbox
    assert not OutgoingEmail.objects.exists() and not User.objects.filter(username="huda").exists()


def test_no_token_travels_through_the_task_queue_and_the_sent_invitation_forgets_it(
    queued, django_capture_on_commit_callbacks
):
    staff = factories.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = _invite(staff)
    assert [name for name, _args, _kwargs in queued] == ["workgroups.tasks.send_outbox"]
    assert all(token not in repr((args, kwargs)) for _name, args, kwargs in queued)
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    row = OutgoingEmail.objects.get()
    assert row.sent_at is not None and row.body == row.html == "" and row.subject == mail.outbox[0].subject


def test_a_task_queue_that_is_down_leaves_the_invitation_to_the_periodic_sender(
    monkeypatch, django_capture_on_commit_callbacks
):
    from workgroups.tasks import send_outbox

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(send_outbox, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = _invite(factories.StaffFactory())  # the request does not fail
    assert not mail.outbox and OutgoingEmail.objects.get().sent_at is None
    assert services.outbox_send() == 1 and token in mail.outbox[0].body


def test_a_resent_invitation_replaces_the_unsent_one(django_capture_on_commit_callbacks):
    staff = factories.StaffFactory()
    invitation, first = _invite(staff)
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, second = account_services.invitation_resend(actor=staff, user=invitation.user)
    assert len(mail.outbox) == 1 and second in mail.outbox[0].body and first not in mail.outbox[0].body


def test_a_password_reset_goes_through_the_outbox_and_its_link_is_not_kept(
    queued, django_capture_on_commit_callbacks
):
    factories.UserFactory(email="reset@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        assert (
            Client().post(reverse("account_reset_password"), {"email": "reset@example.org"}).status_code
            == 302
        )
    row = OutgoingEmail.objects.get()
    assert (
        row.kind == OutgoingEmail.Kind.ACCOUNT
        and row.recipient is None
        and row.address == "reset@example.org"
    )
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", row.body).group(1)
    assert not mail.outbox  # nothing is sent before the request's transaction commits
    for callback in callbacks:
        callback()
    assert (
        len(mail.outbox) == 1 and mail.outbox[0].to == ["reset@example.org"] and link in mail.outbox[0].body
    )
    assert all(link not in repr((args, kwargs)) for _name, args, kwargs in queued)
    row.refresh_from_db()
    assert row.sent_at is not None and link not in row.body and link not in row.html


def test_admin_never_shows_the_text_of_an_unsent_invitation(django_capture_on_commit_callbacks):
    staff = factories.StaffFactory(username="ops")
    _invitation, token = _invite(staff)
    digest = outbox_add([(staff, OutgoingEmail.Kind.DIGEST, {**WRITTEN, "body": "نص الملخص"})])
    assert digest == 1
    client = client_for(staff)
    for row in OutgoingEmail.objects.all():
        page = client.get(reverse("admin:workgroups_outgoingemail_change", args=[row.pk]))
        assert page.status_code == 200
        if row.kind == OutgoingEmail.Kind.INVITATION:
            assert token not in page.content.decode()
        else:
            assert "نص الملخص" in page.content.decode()  # a superuser reads other e-mails (recorded)


# --- Expert invitations and addresses without an account ------------------------------------------


def test_an_accepted_experts_email_is_written_in_the_decision_and_sent_after_commit(
    world, django_capture_on_commit_callbacks
):
    start = timezone.now() + timedelta(days=3)
    event = event_services.event_create(
        actor=world["users"]["rapporteur"],
        space=world["space"],
        title="جلسة",
        description="",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Asia/Damascus",
    )
    invitation = event_services.expert_invitation_request(
        actor=world["users"]["member"],
        event=event,
        name="خبيرة",
        expertise="اقتصاد",
        reason="سبب",
        email="expert@example.org",
    )
    with django_capture_on_commit_callbacks() as callbacks:
        event_services.expert_invitation_decide(
            actor=world["users"]["staff"], invitation=invitation, accept=True
        )
    row = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.EXPERT_INVITATION)
    assert row.recipient is None and row.address == "expert@example.org" and "جلسة" in row.body
    assert ExpertInvitation.objects.get().emailed_at is not None
    assert not mail.outbox
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["expert@example.org"]]
    assert event_services.expert_invitation_send(invitation_id=invitation.pk) is False  # written once only


def test_the_outbox_sends_to_an_address_without_an_account():
    assert outbox_add([("guest@example.org", OutgoingEmail.Kind.OTHER, WRITTEN)]) == 1
    row = OutgoingEmail.objects.get()
    assert row.recipient is None and str(row).endswith("guest@example.org")
    assert services.outbox_send() == 1
    assert mail.outbox[0].to == ["guest@example.org"] and mail.outbox[0].alternatives[0][0] == "<p>نص</p>"
    row.refresh_from_db()
    assert row.sent_at is not None and row.body == "نص"  # not a secret: kept until the outbox forgets it


def test_an_outbox_row_needs_a_recipient_or_an_address():
    with pytest.raises(ValueError), transaction.atomic():
        outbox_add([("  ", OutgoingEmail.Kind.OTHER, WRITTEN)])
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(kind=OutgoingEmail.Kind.OTHER, subject="s", body="b")


# --- The lockout's notices -----------------------------------------------------------------------


def _age(user, space, days, now):
    Membership.objects.filter(user=user, space=space).update(last_contribution_at=now - timedelta(days=days))


def test_lockout_notices_have_their_own_kinds_and_are_written_even_when_muted(world):
    now = timezone.now()
    space, member = world["space"], world["users"]["member"]
    services.notification_settings_save(user=member, enabled_kinds=[])  # everything the form offers, off
    assert set(member.muted_notifications.values_list("kind", flat=True)).isdisjoint(
        Notification.PERSONAL_KINDS
    )
    member.muted_notifications.create(kind=Notification.Kind.LOCKOUT)  # even a mute stored by other means
    offered = {kind for kind, _label in NotificationSettingsForm().fields["kinds"].choices}
    assert offered and offered.isdisjoint(Notification.PERSONAL_KINDS)

    _age(member, space, 25, now)
    services.inactivity_run(now=now)
    _age(member, space, 31, now)
    services.inactivity_run(now=now)
    kinds = list(
        Notification.objects.filter(recipient=member).order_by("pk").values_list("kind", "actor", "space")
    )
    assert kinds == [
        (Notification.Kind.INACTIVITY_WARNING, None, space.pk),
        (Notification.Kind.LOCKOUT, None, space.pk),
    ]
    assert not Notification.objects.filter(kind=Notification.Kind.MODERATION).exists()
    # The locked member no longer sees the space; the notice is written for them all the same.
    assert not access.can(User.objects.get(pk=member.pk), access.Action.VIEW, space)


def test_the_lockout_job_queries_do_not_grow_with_members(world):
    space, now = world["space"], timezone.now()
    services.inactivity_run(now=now - timedelta(days=400))  # warm caches (content types); changes nothing
    counts = []
    for run, due in enumerate([2, 7]):
        for number in range(due):
            _age(factories.add_member(space, username=f"quiet{run}-{number}"), space, 40, now)
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            assert services.inactivity_run(now=now + timedelta(minutes=run))["locked"] == due
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert Notification.objects.filter(kind=Notification.Kind.LOCKOUT).count() == 9


# --- notify_many ---------------------------------------------------------------------------------


def _readers(space, count):
    return [factories.add_member(space, username=f"reader{number}") for number in range(count)]


@pytest.mark.parametrize("count", [2, 12])
def test_notify_many_honours_audience_and_mutes_in_one_statement(world, count):
    space, users = world["space"], world["users"]
    readers = _readers(space, count)
    readers[0].muted_notifications.create(kind=Notification.Kind.NEW_THREAD)
    readers[1].muted_notifications.create(kind=Notification.Kind.REPLY)  # another kind: still told
    gone = factories.add_member(space, username="gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    actor = users["rapporteur"]
    expected = set(access.audience(space).values_list("pk", flat=True)) - {readers[0].pk, actor.pk}
    assert users["locked_member"].pk not in expected and gone.pk not in expected

    notify_many(
        kind=Notification.Kind.NEW_THREAD,
        targets=User.objects.all(),
        recipient="pk",
        space=Value(space.pk),
        actor=actor,
        title="موضوع",
        url="/",
    )  # warm caches
    Notification.objects.all().delete()
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        written = notify_many(
            kind=Notification.Kind.NEW_THREAD,
            targets=User.objects.all(),
            recipient="pk",
            space=Value(space.pk),
            actor=actor,
            title="موضوع",
            url="/",
        )
    assert len(queries) == 1
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert told == expected and written == len(expected)
    notice = Notification.objects.get(recipient=readers[1])
    assert (notice.space, notice.kind, notice.actor, notice.title, notice.url, notice.read_at) == (
        space,
        Notification.Kind.NEW_THREAD,
        actor,
        "موضوع",
        "/",
        None,
    )


def test_notify_many_addresses_many_spaces_with_a_title_per_row(world):
    memberships = Membership.objects.filter(
        user__in=[world["users"]["member"], world["users"]["other_member"]]
    )
    written = notify_many(kind=Notification.Kind.AGENDA, targets=memberships, title="ت" * 300, url="/agenda/")
    assert written == 2
    assert set(Notification.objects.values_list("recipient", "space")) == {
        (world["users"]["member"].pk, world["space"].pk),
        (world["users"]["other_member"].pk, world["other_space"].pk),
    }
    assert {len(title) for title in Notification.objects.values_list("title", flat=True)} == {255}


def test_the_condition_for_many_spaces_agrees_with_the_audience(world):
    users = [user for user in world["users"].values() if user is not None]
    for space in (world["space"], world["other_space"]):
        Notification.objects.all().delete()
        notify_many(
            kind=Notification.Kind.AGENDA,
            targets=User.objects.filter(pk__in=[u.pk for u in users]),
            recipient="pk",
            space=Value(space.pk),
            title="t",
            url="/",
        )
        assert set(Notification.objects.values_list("recipient", flat=True)) == set(
            access.audience(space).values_list("pk", flat=True)
        ), space


def test_notify_writes_only_after_commit_through_the_same_rule(world, django_capture_on_commit_callbacks):
    from workgroups.services.notifications import notify

    space, member = world["space"], world["users"]["member"]
    with django_capture_on_commit_callbacks() as callbacks:
        notify(
            recipients=User.objects.all(),
            space=space,
            kind=Notification.Kind.MENTION,
            actor=member,
            title="ذكرك",
            url="/",
        )
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    assert set(Notification.objects.values_list("recipient", flat=True)) == (
        set(access.audience(space).values_list("pk", flat=True)) - {member.pk}
    )
