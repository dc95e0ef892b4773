"""Inactivity lockout, reinstatement, digests, and the job system."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
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
    OutgoingEmail,
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
    assert "إن لم تشارك خلال 7 أيام" in mail.outbox[0].body  # the space's seven days of warning

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


def test_lockout_notices_speak_each_members_language_and_touch_only_their_space(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    member, locked_elsewhere = _membership(world), Membership.objects.get(user=world["users"]["other_member"])
    type(member.user).objects.filter(pk=member.user_id).update(preferred_language="en")
    _age(member, 31, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inactivity_run(now=now) == {"warned": 0, "locked": 1}
    notice = Notification.objects.get(recipient=member.user)
    assert (
        notice.title == "Your access to Constitutional issues is locked after a period without contributions."
    )
    assert notice.url == reverse("workgroups:space-detail", args=[world["space"].pk])
    # The member's other groups and everyone else's are untouched.
    locked_elsewhere.refresh_from_db()
    assert locked_elsewhere.state == "active"
    assert access.can(_fresh(world["users"]["other_member"]), Action.VIEW, world["other_space"])
    assert access.can(_fresh(world["users"]["rapporteur"]), Action.VIEW, world["space"])

    arabic_reader = factories.add_member(world["space"], username="reader")
    _age(Membership.objects.get(user=arabic_reader), 25, now)
    services.inactivity_run(now=now)
    warning = Notification.objects.get(recipient=arabic_reader, kind=Notification.Kind.INACTIVITY_WARNING)
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
    states = set(
        Membership.objects.filter(user__username__in=["rapporteur", "tech", "political"]).values_list(
            "state", flat=True
        )
    )
    assert states == {"active"}


def test_a_failing_mail_server_loses_no_warning(world, settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    member = _membership(world)
    _age(member, 25, now)
    settings.EMAIL_BACKEND = "tests.test_jobs.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.inactivity_run(now=now)
    member.refresh_from_db()
    assert member.state == "warned"
    waiting = OutgoingEmail.objects.get()
    assert waiting.sent_at is None and waiting.claimed_at is None and "mail server down" in waiting.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.inactivity_warning_emails_send() == 0  # already written: not written twice...
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.user.email]  # ...and now sent
    assert services.outbox_send() == 0


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses the addresses in `refused` (every address when it is empty)."""

    refused = set()

    def send_messages(self, messages):
        for message in messages:
            if not self.refused or set(message.to) & self.refused:
                raise ConnectionRefusedError("mail server down")
            mail.outbox.append(message)
        return len(messages)


def test_reinstatement_request_is_refused_to_anyone_but_the_locked_member(world, clients):
    for role in ("member", "outsider", "rapporteur", "staff"):
        response = clients[role].post(reverse("workgroups:reinstatement-request", args=[world["space"].pk]))
        assert response.status_code == 404
    assert not ReinstatementRequest.objects.exists()


# --- Digests ------------------------------------------------------------------------------------


def _digest_world(world):
    space = world["space"]
    member = world["users"]["member"]
    DigestSubscription.objects.create(
        user=member, frequency="daily", last_sent_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    for user in world["users"].values():
        if user is not None and user != member:
            DigestSubscription.objects.create(user=user, frequency="off")
    return space, member


def test_digest_holds_titles_and_counts_in_the_users_language_never_text(world):
    space, member = _digest_world(world)
    member.preferred_language = "ar"
    member.save()
    thread = services.thread_create(
        actor=world["users"]["rapporteur"], space=space, title="موضوع جديد", body="نص سري لا يخرج بالبريد"
    )
    services.post_create(actor=world["users"]["political_officer"], thread=thread, body="رد سري")
    services.concern_propose(
        actor=world["users"]["rapporteur"], space=space, title="قضية جديدة", description="وصف سري"
    )
    assert services.digests_run() == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "موضوع جديد" in body and "قضية جديدة" in body
    assert "سري" not in body
    assert "/notifications/digest/" in body
    assert 'dir="rtl"' in mail.outbox[0].alternatives[0][0]


def test_everyone_active_gets_a_weekly_digest_counted_from_the_first_run(world):
    space = world["space"]
    newcomer = factories.add_member(space, username="newcomer")
    departed = factories.add_member(space, username="departed")
    departed.is_active = False
    departed.save()
    assert not DigestSubscription.objects.exists()
    services.thread_create(actor=world["users"]["rapporteur"], space=space, title="موضوع", body="نص")
    services.digests_run()
    subscription = DigestSubscription.objects.get(user=newcomer)
    assert subscription.frequency == "weekly" and subscription.last_sent_at is not None
    assert not DigestSubscription.objects.filter(user=departed).exists()
    assert (
        DigestSubscription.objects.filter(user__is_active=True).count()
        == get_user_model().objects.filter(is_active=True).count()
    )
    services.digests_run()  # a second run subscribes nobody twice
    assert DigestSubscription.objects.filter(user=newcomer).count() == 1


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


def test_readers_sharing_a_space_share_its_part_but_each_gets_their_own_greeting_language_and_mutes(world):
    space = world["space"]
    readers = _readers(space, 3)
    english, muting = readers[1], readers[2]
    english.preferred_language = "en"
    english.save()
    first = services.thread_create(
        actor=world["users"]["rapporteur"], space=space, title="موضوع أول", body="نص"
    )
    services.thread_create(actor=world["users"]["rapporteur"], space=space, title="موضوع ثان", body="نص")
    services.digest_settings_save(user=muting, frequency="daily", muted_threads=[first])
    DigestSubscription.objects.filter(user=muting).update(last_sent_at=timezone.now() - timedelta(days=2))
    assert services.digests_run() == 3
    bodies = {message.to[0]: message.body for message in mail.outbox}
    for reader in readers:
        assert reader.public_name in bodies[reader.email]
    assert "موضوع أول" in bodies[readers[0].email] and "موضوع ثان" in bodies[readers[0].email]
    assert "new discussion" in bodies[english.email].lower() and "موضوع أول" in bodies[english.email]
    assert "موضوع أول" not in bodies[muting.email] and "موضوع ثان" in bodies[muting.email]


def test_names_and_titles_read_as_written_in_plain_text_and_are_escaped_in_html(world):
    """Hostile or merely unusual names: "&" stays "&" in the text part, markup never runs in the HTML
    part, and each reader gets their own name even though the e-mail is rendered once per language."""
    space = world["space"]
    space.name = "Women & Peace <b>"
    space.save()
    readers = _readers(space, 2)
    readers[0].display_name = 'Rana "R" <script>alert(1)</script> & co'
    readers[0].save()
    services.thread_create(
        actor=world["users"]["rapporteur"],
        space=space,
        title="<img src=x onerror=alert(1)> & ما بعد",
        body="نص",
    )
    assert services.digests_run() == 2
    sent = {message.to[0]: message for message in mail.outbox}
    hostile, plain = sent[readers[0].email], sent[readers[1].email]
    assert 'Rana "R" <script>alert(1)</script> & co' in hostile.body
    assert "Women & Peace <b>" in hostile.body and "<img src=x onerror=alert(1)> & ما بعد" in hostile.body
    html = hostile.alternatives[0][0]
    assert "<script>" not in html and "<img src=x" not in html and "<b>" not in html
    assert "Rana &quot;R&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "Women &amp; Peace &lt;b&gt;" in html
    assert readers[1].public_name in plain.body and "Rana" not in plain.body
    assert "\u2063" not in hostile.body + html + plain.body  # no marker left behind


def test_a_space_name_with_line_breaks_gives_a_one_line_subject(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    member = _membership(world)
    Membership.objects.filter(space=world["space"]).exclude(pk=member.pk).update(last_contribution_at=now)
    world["space"].name = "مجموعة\r\nBcc: someone@example.org"
    world["space"].save()
    _age(member, 24, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inactivity_run(now=now)["warned"] == 1
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "Bcc: someone@example.org" in mail.outbox[0].subject
    assert mail.outbox[0].bcc == []


def _readers(space, count, start=0):
    """`count` members of `space` with a daily digest due now; everyone else has digests off."""
    for user in get_user_model().objects.filter(digest__isnull=True):
        DigestSubscription.objects.create(user=user, frequency="off")
    readers = [factories.add_member(space, username=f"reader{start + i}") for i in range(count)]
    DigestSubscription.objects.filter(user__in=readers).delete()
    DigestSubscription.objects.bulk_create(
        DigestSubscription(
            user=user, frequency="daily", last_sent_at=timezone.now() - timedelta(days=1, minutes=1)
        )
        for user in readers
    )
    return readers


@pytest.mark.parametrize("readers", [3, 30])
def test_digest_job_queries_do_not_grow_with_readers(world, readers, monkeypatch, django_assert_num_queries):
    from workgroups.services import digests

    space = world["space"]
    _readers(space, readers)
    thread = services.thread_create(actor=world["users"]["rapporteur"], space=space, title="موضوع", body="نص")
    services.post_create(actor=world["users"]["member"], thread=thread, body="رد")
    monkeypatch.setattr(digests, "outbox_send", lambda: 0)
    # One query per registered digest source (chat, events, the envoy's decisions: +1 each; library:
    # +2, new documents and new versions).
    with django_assert_num_queries(23):
        assert services.digests_run() == readers
    assert services.outbox_send() == readers
    assert len(mail.outbox) == readers


def test_digest_batches_claim_each_reader_once(world):
    _readers(world["space"], 7)
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    assert services.digests_run(batch_size=3) == 7
    assert services.digests_run(batch_size=3) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted({m.to[0] for m in mail.outbox})


def test_digest_mail_failure_for_one_reader_spares_the_others_and_is_retried(
    world, settings, monkeypatch, caplog
):
    readers = _readers(world["space"], 3)
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    settings.EMAIL_BACKEND = "tests.test_jobs.BrokenBackend"
    monkeypatch.setattr(BrokenBackend, "refused", {readers[1].email})
    assert services.digests_run() == 3
    assert len(mail.outbox) == 2 and "failed; the next run tries again" in caplog.text
    assert services.digests_run() == 0  # the period is spent: the e-mail waits in the outbox
    monkeypatch.setattr(BrokenBackend, "refused", {"nobody@example.invalid"})
    assert services.outbox_send() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in readers)


def test_a_sender_killed_midway_leaves_its_claims_to_the_next_run_after_the_timeout(world, settings):
    readers = _readers(world["space"], 2)
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    settings.EMAIL_BACKEND = "tests.test_jobs.BrokenBackend"  # refuses everything: nothing goes out
    assert services.digests_run() == 2
    # A sender that died after claiming: the rows are claimed and unsent.
    OutgoingEmail.objects.update(claimed_at=timezone.now(), last_error="")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.outbox_send() == 0  # someone else's claim is respected...
    later = timezone.now() + timedelta(seconds=settings.CSSR_OUTBOX_CLAIM_TIMEOUT + 1)
    assert services.outbox_send(now=later) == 2  # ...until it is stale
    assert services.outbox_send(now=later) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in readers)


def test_a_digest_job_killed_midway_rolls_its_batch_back(world, monkeypatch):
    from workgroups.services import digests

    _readers(world["space"], 4)
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    write = digests._write_batch
    calls = []

    def die_on_the_second_batch(contents, since):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return write(contents, since)

    monkeypatch.setattr(digests, "_write_batch", die_on_the_second_batch)
    with pytest.raises(SystemExit):
        services.digests_run(batch_size=2)
    assert OutgoingEmail.objects.count() == 2 and len(mail.outbox) == 0
    monkeypatch.setattr(digests, "_write_batch", write)
    assert services.digests_run(batch_size=2) == 2  # the next run finishes the work
    assert len(mail.outbox) == 4 and len({m.to[0] for m in mail.outbox}) == 4


def test_a_reader_deleted_after_the_claim_gets_nothing_and_breaks_nothing(world, monkeypatch):
    from workgroups.services import digests

    readers = _readers(world["space"], 2)
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    build = digests.digest_build_batch

    def build_then_delete(**kwargs):
        contents = build(**kwargs)
        readers[0].delete()
        return contents

    monkeypatch.setattr(digests, "digest_build_batch", build_then_delete)
    assert services.digests_run() == 1
    assert [m.to for m in mail.outbox] == [[readers[1].email]]


def test_digest_excerpts_only_when_the_deployment_allows_them(world, settings):
    space, member = _digest_world(world)
    services.thread_create(
        actor=world["users"]["rapporteur"], space=space, title="موضوع", body="**نص الافتتاح**"
    )
    settings.CSSR_DIGEST_EXCERPTS = True
    assert services.digests_run() == 1
    assert "نص الافتتاح" in mail.outbox[0].body and "**" not in mail.outbox[0].body


def test_the_batch_view_of_spaces_agrees_with_the_permission_core(world):
    users = [user for user in world["users"].values() if user is not None]
    batch = access.space_ids_by_user([user.pk for user in users])
    for user in users:
        assert batch[user.pk] == set(access.filter_spaces(_fresh(user)).values_list("pk", flat=True)), user


def test_digest_settings_page_saves_frequency_and_mutes(world, clients):
    response = clients["member"].post(
        reverse("workgroups:digest-settings"), {"frequency": "off", "muted_spaces": [world["space"].pk]}
    )
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get(user=world["users"]["member"])
    assert subscription.frequency == "off"
    response = clients["member"].post(
        reverse("workgroups:digest-settings"), {"frequency": "off", "muted_spaces": [world["other_space"].pk]}
    )
    assert response.status_code == 200 and response.context["form"].errors  # not a space of theirs


def test_jobs_run_by_hand_and_through_celery_tasks(world, capsys):
    now = timezone.now()
    _age(_membership(world), 40, now)
    call_command("run_job", "inactivity")
    assert "locked" in capsys.readouterr().out
    assert _membership(world).state == "locked"
    from workgroups.tasks import run_inactivity, send_digests

    assert run_inactivity.delay().get() == {"warned": 0, "locked": 0}
    readers = _readers(world["space"], 1)  # the only digest due, with a new discussion to tell of
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    assert send_digests.delay().get() == 1
    digest = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.DIGEST)
    assert digest.recipient == readers[0] and digest.sent_at is not None
    assert [message.to for message in mail.outbox if message.subject == digest.subject] == [
        [readers[0].email]
    ]
    assert send_digests.delay().get() == 0  # the period is spent: a second run sends nothing more
    assert Notification.objects.filter(
        recipient=world["users"]["member"], kind=Notification.Kind.LOCKOUT
    ).exists()


def test_operations_see_the_outbox_in_admin_and_send_refused_e_mails_again(world, clients, settings):
    readers = _readers(world["space"], 1)
    services.thread_create(actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص")
    settings.EMAIL_BACKEND = "tests.test_jobs.BrokenBackend"
    settings.CSSR_OUTBOX_MAX_ATTEMPTS = 1
    services.digests_run()
    row = OutgoingEmail.objects.get(recipient=readers[0])
    assert row.attempts == 1 and row.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.outbox_send() == 0  # out of attempts until operations say otherwise
    page = clients["staff"].get(reverse("admin:workgroups_outgoingemail_changelist"))
    assert page.status_code == 200 and "mail server down" in page.content.decode()
    response = clients["staff"].post(
        reverse("admin:workgroups_outgoingemail_changelist"),
        {"action": "retry", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert services.outbox_send() == 1 and mail.outbox[0].to == [readers[0].email]
    assert clients["member"].get(reverse("admin:workgroups_outgoingemail_changelist")).status_code == 302
