"""Inactivity lockout (P5), reinstatement, digests, and the job system."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from workgroups import access, services
from workgroups.access import Action
from workgroups.models import (
    DigestSubscription,
    Membership,
    MembershipEvent,
    Notification,
    ReinstatementRequest,
)

from . import factories

pytestmark = pytest.mark.django_db


def _membership(world, role="member"):
    return Membership.objects.get(space=world["space"], user=world["users"][role])


def _age(membership, days, now):
    Membership.objects.filter(pk=membership.pk).update(last_contribution_at=now - timedelta(days=days))


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_warn_then_lock_then_reinstate(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    member = _membership(world)
    space = world["space"]  # 30 days, warned 7 days before
    _age(member, 22, now)
    assert services.inactivity_run(now=now) == {"warned": 0, "locked": 0}
    _age(member, 24, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inactivity_run(now=now)["warned"] == 1
    member.refresh_from_db()
    assert member.state == "warned"
    assert access.can(_fresh(member.user), Action.CONTRIBUTE, space)  # warned members keep their access
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.user.email]
    assert "أسبوع" in mail.outbox[0].body or "7" in mail.outbox[0].body or "٧" in mail.outbox[0].body

    # Nothing more happens when the job runs again: one warning, one e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inactivity_run(now=now) == {"warned": 0, "locked": 0}
    assert len(mail.outbox) == 1
    assert MembershipEvent.objects.filter(membership=member, action="warned").count() == 1

    _age(member, 31, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inactivity_run(now=now)["locked"] == 1
    member.refresh_from_db()
    assert member.state == "locked"
    assert not access.can(_fresh(member.user), Action.VIEW, space)
    assert services.inactivity_run(now=now) == {"warned": 0, "locked": 0}

    # The locked member sees why, and asks to come back; staff reinstate and the clock restarts.
    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("workgroups:space-detail", args=[space.pk]))
    assert page.status_code == 403 and "workgroups/space_locked.html" in [t.name for t in page.templates]
    client.post(reverse("workgroups:reinstatement-request", args=[space.pk]), {"message": "عدت"})
    client.post(reverse("workgroups:reinstatement-request", args=[space.pk]), {"message": "مرة ثانية"})
    request = ReinstatementRequest.objects.get()
    services.reinstatement_resolve(actor=world["users"]["staff"], request=request, reinstate=True)
    member.refresh_from_db()
    assert member.state == "active" and member.last_contribution_at > now - timedelta(minutes=1)
    assert access.can(_fresh(member.user), Action.CONTRIBUTE, space)


def test_lockout_notices_speak_each_members_language_and_touch_only_their_space(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    member, locked_elsewhere = _membership(world), Membership.objects.get(user=world["users"]["other_member"])
    type(member.user).objects.filter(pk=member.user_id).update(preferred_language="en")
    _age(member, 31, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inactivity_run(now=now) == {"warned": 0, "locked": 1}
    notice = Notification.objects.get(recipient=member.user)
    assert notice.title == "Your access to Constitutional issues is locked after a period without contributions."
    assert notice.url == reverse("workgroups:space-detail", args=[world["space"].pk])
    # The member's other groups and everyone else's are untouched.
    locked_elsewhere.refresh_from_db()
    assert locked_elsewhere.state == "active"
    assert access.can(_fresh(world["users"]["other_member"]), Action.VIEW, world["other_space"])
    assert access.can(_fresh(world["users"]["rapporteur"]), Action.VIEW, world["space"])

    arabic_reader = factories.add_member(world["space"], username="reader")
    _age(Membership.objects.get(user=arabic_reader), 25, now)
    services.inactivity_run(now=now)
    warning = Notification.objects.get(recipient=arabic_reader, kind="moderation")
    assert warning.title == "لم تساهم في مجموعة القضايا الدستورية منذ مدة. يُرجى المشاركة للحفاظ على وصولك."


def test_a_contribution_clears_the_warning(world):
    now = timezone.now()
    member = _membership(world)
    _age(member, 25, now)
    services.inactivity_run(now=now)
    services.thread_create(actor=member.user, space=world["space"], title="عدت", body="مساهمة")
    member.refresh_from_db()
    assert member.state == "active"


def test_rapporteurs_and_officers_are_exempt(world):
    now = timezone.now()
    for role in ("rapporteur", "technical_officer", "political_officer"):
        _age(_membership(world, role), 90, now)
    services.inactivity_run(now=now)
    states = set(Membership.objects.filter(user__username__in=["rapporteur", "tech", "political"])
                 .values_list("state", flat=True))
    assert states == {"active"}


def test_a_failing_mail_server_loses_no_warning(world, settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    member = _membership(world)
    _age(member, 25, now)
    settings.EMAIL_BACKEND = "tests.test_jobs.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.inactivity_run(now=now)
    member.refresh_from_db()
    assert member.state == "warned" and member.warning_emailed_at is None  # to be retried
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.inactivity_warning_emails_send() == 1
    assert services.inactivity_warning_emails_send() == 0
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_reinstatement_request_is_refused_to_anyone_but_the_locked_member(world, clients):
    for role in ("member", "outsider", "rapporteur", "staff"):
        response = clients[role].post(reverse("workgroups:reinstatement-request", args=[world["space"].pk]))
        assert response.status_code == 404
    assert not ReinstatementRequest.objects.exists()


# --- Digests ------------------------------------------------------------------------------------


def _digest_world(world):
    space = world["space"]
    member = world["users"]["member"]
    DigestSubscription.objects.create(user=member, frequency="daily",
                                      last_sent_at=timezone.now() - timedelta(days=1, minutes=1))
    for user in world["users"].values():
        if user is not None and user != member:
            DigestSubscription.objects.create(user=user, frequency="off")
    return space, member


def test_digest_holds_titles_and_counts_in_the_users_language_never_text(world):
    space, member = _digest_world(world)
    member.preferred_language = "ar"
    member.save()
    thread = services.thread_create(actor=world["users"]["rapporteur"], space=space, title="موضوع جديد",
                                    body="نص سري لا يخرج بالبريد")
    services.post_create(actor=world["users"]["political_officer"], thread=thread, body="رد سري")
    services.concern_propose(actor=world["users"]["rapporteur"], space=space, title="قضية جديدة", description="وصف سري")
    assert services.digests_run() == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "موضوع جديد" in body and "قضية جديدة" in body
    assert "سري" not in body
    assert "/notifications/digest/" in body
    assert 'dir="rtl"' in mail.outbox[0].alternatives[0][0]


def test_one_digest_per_period_and_none_when_nothing_is_new(world):
    space, member = _digest_world(world)
    assert services.digests_run() == 0  # nothing new: nothing sent
    services.thread_create(actor=world["users"]["rapporteur"], space=space, title="موضوع", body="نص")
    assert services.digests_run() == 0  # the period was spent by the empty run
    DigestSubscription.objects.filter(user=member).update(last_sent_at=timezone.now() - timedelta(days=2))
    for _ in range(3):
        services.thread_create(actor=world["users"]["rapporteur"], space=space, title="آخر", body="نص")
    assert services.digests_run() == 1
    assert services.digests_run() == 0
    assert len([m for m in mail.outbox if m.to == [member.email]]) == 1


def test_digest_leaves_out_spaces_the_user_can_no_longer_see_and_muted_ones(world):
    space, member = _digest_world(world)
    services.thread_create(actor=world["users"]["rapporteur"], space=space, title="موضوع", body="نص")
    services.membership_lock(actor=None, membership=_membership(world))
    assert services.digests_run() == 0
    services.membership_reinstate(actor=None, membership=_membership(world))
    services.digest_settings_save(user=member, frequency="daily", muted_spaces=[space])
    DigestSubscription.objects.filter(user=member).update(last_sent_at=timezone.now() - timedelta(days=2))
    assert services.digests_run() == 0


def test_digest_settings_page_saves_frequency_and_mutes(world, clients):
    response = clients["member"].post(reverse("workgroups:digest-settings"),
                                      {"frequency": "off", "muted_spaces": [world["space"].pk]})
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get(user=world["users"]["member"])
    assert subscription.frequency == "off"
    response = clients["member"].post(reverse("workgroups:digest-settings"),
                                      {"frequency": "off", "muted_spaces": [world["other_space"].pk]})
    assert response.status_code == 200 and response.context["form"].errors  # not a space of theirs


def test_jobs_run_by_hand_and_through_celery_tasks(world, capsys):
    now = timezone.now()
    _age(_membership(world), 40, now)
    call_command("run_job", "inactivity")
    assert "locked" in capsys.readouterr().out
    assert _membership(world).state == "locked"
    from workgroups.tasks import run_inactivity, send_digests

    assert run_inactivity.delay().get() == {"warned": 0, "locked": 0}
    assert send_digests.delay().get() >= 0
    assert Notification.objects.filter(recipient=world["users"]["member"], kind="moderation").exists()
