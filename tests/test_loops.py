"""Loops closed: the envoy's decision reaches the group, reinstatement requests reach staff and their
answers the member, @mentions read right in both directions, live chat times match the page's, and an
event whose place reads "online" keeps its meeting link."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from workgroups import selectors, services
from workgroups.models import Membership, Notification, OutgoingEmail, ReinstatementRequest

from . import factories
from .conftest import client_for

pytestmark = pytest.mark.django_db


# --- Reinstatement requests ----------------------------------------------------------------------


def _locked(world):
    return Membership.objects.get(space=world["space"], user=world["users"]["locked_member"])


def _ask(world, django_capture_on_commit_callbacks, message="كنت مسافرًا"):
    client = Client()
    client.force_login(world["users"]["locked_member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workgroups:reinstatement-request", args=[world["space"].pk]), {"message": message}
        )
    assert response.status_code == 302
    return client


def test_a_new_reinstatement_request_tells_every_operations_staff_member_in_app_and_by_email(
    world, django_capture_on_commit_callbacks
):
    second_staff = factories.StaffFactory(username="staff2", display_name="Support", preferred_language="en")
    _ask(world, django_capture_on_commit_callbacks, message="<b>عدت</b>")
    request = ReinstatementRequest.objects.get()
    staff = world["users"]["staff"]
    notices = Notification.objects.filter(kind=Notification.Kind.REINSTATEMENT)
    assert set(notices.values_list("recipient", flat=True)) == {staff.pk, second_staff.pk}
    arabic, english = notices.get(recipient=staff), notices.get(recipient=second_staff)
    assert english.title == "أحمد asks to be reinstated in Constitutional issues."
    assert arabic.title != english.title and "أحمد" in arabic.title
    assert english.url == reverse("admin:workgroups_reinstatementrequest_change", args=[request.pk])
    # Staff enter no space, yet the notice is in their list.
    staff_client = client_for(second_staff)
    assert english in selectors.notification_list(user=second_staff)
    page = staff_client.get(reverse("workgroups:notification-list"))
    assert "asks to be reinstated" in page.content.decode()
    emails = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.REINSTATEMENT)
    assert set(emails.values_list("recipient", flat=True)) == {staff.pk, second_staff.pk}
    english_email = emails.get(recipient=second_staff)
    assert "Constitutional issues" in english_email.subject
    assert "<b>عدت</b>" in english_email.body and "&lt;b&gt;عدت&lt;/b&gt;" in english_email.html
    # Nobody in the space hears of it.
    assert not Notification.objects.filter(recipient=world["users"]["rapporteur"]).exists()


def test_asking_again_while_a_request_is_open_tells_nobody_twice(world, django_capture_on_commit_callbacks):
    _ask(world, django_capture_on_commit_callbacks)
    _ask(world, django_capture_on_commit_callbacks, message="مرة ثانية")
    assert ReinstatementRequest.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.REINSTATEMENT).count() == 1
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.REINSTATEMENT).count() == 1


def test_the_home_page_shows_the_members_pending_request_until_it_is_answered(
    world, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world["users"]["locked_member"])
    home = reverse("workgroups:space-list")
    assert "reinstatement-pending" not in client.get(home).content.decode()
    assert selectors.pending_reinstatement(user=world["users"]["locked_member"], space=world["space"]) is None
    _ask(world, django_capture_on_commit_callbacks)
    assert "reinstatement-pending" in client.get(home).content.decode()
    request = ReinstatementRequest.objects.get()
    member = world["users"]["locked_member"]
    assert selectors.pending_reinstatement(user=member, space=world["space"]) == request
    # Another user's home says nothing of it.
    assert selectors.pending_reinstatement(user=world["users"]["member"], space=world["space"]) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.reinstatement_resolve(actor=world["users"]["staff"], request=request, reinstate=False)
    assert "reinstatement-pending" not in client.get(home).content.decode()
    assert selectors.pending_reinstatement(user=member, space=world["space"]) is None


@pytest.mark.parametrize("reinstate", [True, False])
def test_the_answer_tells_the_member_in_app_and_by_email_in_their_language(
    world, reinstate, django_capture_on_commit_callbacks
):
    member = world["users"]["locked_member"]
    get_user_model().objects.filter(pk=member.pk).update(preferred_language="en")
    _ask(world, django_capture_on_commit_callbacks)
    request = ReinstatementRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.reinstatement_resolve(actor=world["users"]["staff"], request=request, reinstate=reinstate)
    notice = Notification.objects.get(recipient=member, kind=Notification.Kind.REINSTATEMENT)
    email = OutgoingEmail.objects.get(recipient=member, kind=OutgoingEmail.Kind.REINSTATEMENT)
    if reinstate:
        assert notice.title == "You are reinstated in Constitutional issues: welcome back."
        assert "reinstated you in Constitutional issues" in email.body
    else:
        assert notice.title == "Your request to be reinstated in Constitutional issues was declined."
        assert "declined your request" in email.body
    # A declined member still sees the answer in their list, though the space stays closed to them.
    assert notice in selectors.notification_list(user=member)
    # Answering twice changes nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        services.reinstatement_resolve(
            actor=world["users"]["staff"], request=request, reinstate=not reinstate
        )
    assert Notification.objects.filter(recipient=member, kind=Notification.Kind.REINSTATEMENT).count() == 1


def test_answering_from_admin_tells_the_member(world, django_capture_on_commit_callbacks):
    _ask(world, django_capture_on_commit_callbacks)
    request = ReinstatementRequest.objects.get()
    admin = client_for(factories.StaffFactory(username="root", is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("admin:workgroups_reinstatementrequest_changelist"),
            {"action": "reinstate", "_selected_action": [request.pk]},
        )
    request.refresh_from_db()
    assert request.outcome == ReinstatementRequest.Outcome.REINSTATED
    assert Notification.objects.filter(
        recipient=world["users"]["locked_member"], kind=Notification.Kind.REINSTATEMENT
    ).exists()


# --- The Special Envoy's decision on a final note ------------------------------------------------


def _submitted_note(world):
    from .test_drafts import _advance, _note

    note = _note(world)
    _advance(note, world["users"]["rapporteur"], "open_for_comments", "joint_proposal", "submitted")
    Notification.objects.all().delete()
    return note


def _record(clients, draft, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["staff"].post(reverse("documents:output-decision", args=[draft.pk]), data)
    assert response.status_code == 302


def test_the_envoys_decision_is_told_to_the_spaces_people_in_their_language(
    world, clients, django_capture_on_commit_callbacks
):
    note = _submitted_note(world)
    member, rapporteur = world["users"]["member"], world["users"]["rapporteur"]
    get_user_model().objects.filter(pk=member.pk).update(preferred_language="en")
    _record(clients, note, django_capture_on_commit_callbacks, decision="parties", decided_on="2026-11-20")
    notices = Notification.objects.filter(kind=Notification.Kind.ENVOY_DECISION)
    told = set(notices.values_list("recipient", flat=True))
    assert {member.pk, rapporteur.pk, world["users"]["political_officer"].pk} <= told
    assert world["users"]["locked_member"].pk not in told and world["users"]["outsider"].pk not in told
    assert world["users"]["staff"].pk not in told and world["users"]["other_member"].pk not in told
    english = notices.get(recipient=member)
    assert english.title.startswith("Decision of the Special Envoy on مذكرة الإحاطة الختامية")
    assert "Shared with the parties" in english.title and "2026" in english.title
    assert english.url == reverse("documents:draft-detail", args=[world["space"].pk, note.pk])
    arabic = notices.get(recipient=rapporteur)
    assert arabic.title != english.title and "Shared with the parties" not in arabic.title

    # Recording the same decision again tells nobody twice; a corrected one tells everyone again.
    _record(clients, note, django_capture_on_commit_callbacks, decision="parties", decided_on="2026-11-20")
    assert notices.filter(recipient=member).count() == 1
    _record(clients, note, django_capture_on_commit_callbacks, decision="public", decided_on="2026-11-21")
    assert notices.filter(recipient=member).count() == 2
    assert "Shared publicly" in notices.filter(recipient=member).first().title


def test_the_decision_recorded_in_admin_is_told_too(world, django_capture_on_commit_callbacks):
    note = _submitted_note(world)
    admin = client_for(factories.StaffFactory(username="root", is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:documents_sharingdecision_add"),
            {"draft": note.pk, "decision": "not_shared", "decided_on": "2026-11-22", "note": ""},
        )
    assert response.status_code == 302
    assert Notification.objects.filter(
        kind=Notification.Kind.ENVOY_DECISION, recipient=world["users"]["member"]
    ).exists()


def test_the_final_notes_page_shows_the_decision_with_its_date_in_each_language(
    world, clients, django_capture_on_commit_callbacks
):
    from django.utils import translation
    from django.utils.formats import date_format

    note = _submitted_note(world)
    url = reverse("documents:draft-detail", args=[world["space"].pk, note.pk])
    assert "sharing-decision" not in clients["member"].get(url).content.decode()
    _record(
        clients,
        note,
        django_capture_on_commit_callbacks,
        decision="member_states",
        decided_on="2026-11-20",
        note="في الإحاطة",
    )
    decided = datetime.date(2026, 11, 20)
    for language in ("ar", "en"):
        get_user_model().objects.filter(pk=world["users"]["member"].pk).update(preferred_language=language)
        page = client_for(get_user_model().objects.get(pk=world["users"]["member"].pk)).get(
            url, headers={"accept-language": language}
        )
        html = page.content.decode()
        assert 'class="alert alert-info py-2 sharing-decision"' in html
        assert 'datetime="2026-11-20"' in html
        with translation.override(language):
            from documents.models import SharingDecision

            assert str(SharingDecision.Decision.MEMBER_STATES.label) in html
            assert date_format(decided, "DATE_FORMAT") in html
        # The staff's own note on the decision stays in the outputs inbox.
        assert "في الإحاطة" not in html


def test_the_archive_entry_of_a_note_shows_the_decision(world, clients, django_capture_on_commit_callbacks):
    from documents.models import ArchiveEntry
    from documents.services import drafts as draft_services
    from workgroups import services as workgroup_services

    note = _submitted_note(world)
    _record(clients, note, django_capture_on_commit_callbacks, decision="public", decided_on="2026-11-20")
    workgroup_services.space_set_status(
        actor=world["users"]["staff"], space=world["space"], status="concluded"
    )
    draft_services.final_note_publish_to_archive(actor=world["users"]["staff"], draft=note)
    entry = ArchiveEntry.objects.get()
    html = clients["outsider"].get(reverse("documents:archive-detail", args=[entry.pk])).content.decode()
    assert "sharing-decision" in html and 'datetime="2026-11-20"' in html


def test_the_digest_carries_the_decision(world, clients, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from workgroups.digests import SOURCES

    note = _submitted_note(world)
    _record(clients, note, django_capture_on_commit_callbacks, decision="public", decided_on="2026-11-20")
    source = next(source for source in SOURCES if source.key == "envoy_decisions")
    now = timezone.now()
    items = list(source.collect({world["space"].pk}, now - timedelta(hours=1), now + timedelta(seconds=1)))
    assert [(item.title, item.url) for item in items] == [
        (note.title, reverse("documents:draft-detail", args=[world["space"].pk, note.pk]))
    ]
    assert not list(source.collect({world["other_space"].pk}, now - timedelta(hours=1), now))


# --- @mentions -------------------------------------------------------------------------------------


def test_a_mention_in_a_post_is_an_isolated_highlight_that_keeps_its_at_sign_first():
    from cssr import text

    html = str(text.render_markdown("شكرًا @layla على الملاحظة، وكذلك @omar.k."))
    assert '<bdi class="mention">@layla</bdi>' in html
    assert '<bdi class="mention">@omar.k</bdi>.' in html
    assert "layla@" not in html
    # E-mail addresses, links and code mention nobody; raw mark-up stays text.
    html = str(
        text.render_markdown('a@b.org [@x](https://example.org) `@code` <bdi class="mention x">@y</bdi>')
    )
    assert html.count('class="mention"') == 1  # the @y inside the escaped text only
    assert "&lt;bdi" in html and '<bdi class="mention x">' not in html
    assert "<code>@code</code>" in html and ">@x</a>" in html
    # Plain text (search, notifications, e-mail) reads as written.
    assert text.plain_text("مرحبا @layla") == "مرحبا @layla"


def test_a_mention_in_a_post_page_is_highlighted(world, clients):
    thread = services.thread_create(
        actor=world["users"]["rapporteur"], space=world["space"], title="نقاش", body="رأيك يا @member؟"
    )
    page = clients["member"].get(reverse("workgroups:thread-detail", args=[world["space"].pk, thread.pk]))
    assert '<bdi class="mention">@member</bdi>' in page.content.decode()


@pytest.mark.parametrize(
    "body,expected",
    [
        ("مرحبا @layla", 'مرحبا <bdi class="mention">@layla</bdi>'),
        ("<script>@x</script>", '&lt;script&gt;<bdi class="mention">@x</bdi>&lt;/script&gt;'),
        ("سطر\n@a_b.", 'سطر<br><bdi class="mention">@a_b</bdi>.'),
        ("mail a@b.org", "mail a@b.org"),
        ("كلمة@layla", "كلمة@layla"),
        ("\"'&@q", '&quot;&#x27;&amp;<bdi class="mention">@q</bdi>'),
    ],
)
def test_a_chat_message_is_escaped_with_its_mentions_isolated(body, expected):
    from cssr import text

    assert str(text.render_plain(body)) == expected


def test_a_mention_in_a_server_rendered_chat_message_is_highlighted(world, clients):
    from chat import services as chat_services

    conversation = chat_services.space_conversation_get_or_create(space=world["space"])
    chat_services.message_send(
        actor=world["users"]["rapporteur"], conversation=conversation, body="<b>@member</b> انظر"
    )
    page = clients["member"].get(reverse("chat:conversation-detail", args=[conversation.public_id]))
    html = page.content.decode()
    assert '&lt;b&gt;<bdi class="mention">@member</bdi>&lt;/b&gt; انظر' in html


# --- Live chat times -------------------------------------------------------------------------------


def _page_time(client, conversation, message_id):
    """The time the conversation page writes beside message `message_id`."""
    import re

    html = client.get(reverse("chat:conversation-detail", args=[conversation.public_id])).content.decode()
    item = html[html.index(f'id="message-{message_id}"') :]
    return re.search(r"<time [^>]*>([^<]*)</time>", item).group(1)


def _readers(world):
    users = get_user_model().objects
    users.filter(pk=world["users"]["member"].pk).update(preferred_language="en", time_zone="America/New_York")
    users.filter(pk=world["users"]["rapporteur"].pk).update(
        preferred_language="ar", time_zone="Asia/Damascus"
    )
    return users.get(pk=world["users"]["member"].pk), users.get(pk=world["users"]["rapporteur"].pk)


def test_messages_fetched_by_polling_carry_the_time_the_page_writes(world):
    from chat import services as chat_services

    member, rapporteur = _readers(world)
    conversation = chat_services.space_conversation_get_or_create(space=world["space"])
    message = chat_services.message_send(actor=rapporteur, conversation=conversation, body="مرحبا")
    texts = set()
    for reader in (member, rapporteur):
        client = client_for(reader)
        since = client.get(reverse("chat:conversation-since", args=[conversation.public_id]), {"after": 0})
        (payload,) = since.json()["messages"]
        assert payload["created_text"] == _page_time(client, conversation, message.pk)
        texts.add(payload["created_text"])
    assert len(texts) == 2  # each reader's own time zone


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_live_message_shows_the_time_each_readers_page_writes(world):
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    from chat import services as chat_services

    from .test_chat_websocket import connect, until

    member, rapporteur = await database_sync_to_async(_readers)(world)
    conversation = await database_sync_to_async(chat_services.space_conversation_get_or_create)(
        space=world["space"]
    )
    sockets = {
        "member": await connect(member, conversation),
        "rapporteur": await connect(rapporteur, conversation),
    }
    try:
        await sockets["rapporteur"].send_json_to({"type": "send", "body": "@member مرحبا", "client_id": "c1"})
        times = {}
        for name, reader in (("member", member), ("rapporteur", rapporteur)):
            frame = await until(sockets[name], "message")
            page_time = await database_sync_to_async(
                lambda reader=reader, message_id=frame["message"]["id"]: _page_time(
                    client_for(reader), conversation, message_id
                )
            )()
            assert frame["message"]["created_text"] == page_time
            times[name] = page_time
        assert times["member"] != times["rapporteur"]  # New York and Damascus
        # Catching up after a reconnect gives the same text.
        await sockets["member"].send_json_to({"type": "since", "after": 0})
        history = await until(sockets["member"], "history")
        assert history["messages"][-1]["created_text"] == times["member"]
    finally:
        for socket in sockets.values():
            await socket.disconnect()
        layer = get_channel_layer()
        if hasattr(layer, "flush"):
            await layer.flush()


# --- Events: a place that reads "online" --------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "",
        "  ",
        "online",
        " ONLINE ",
        "On-line",
        "Online.",
        "online meeting",
        "عبر الإنترنت",
        "عبر الانترنت",
        "أونلاين",
        "اونلاين",
        " أون لاين ",
        "أونلاين!",
        "عن بُعد",
    ],
)
def test_a_place_that_reads_online_means_online(location):
    from events.models import Event, location_means_online

    assert location_means_online(location)
    assert Event(location=location).is_online and Event(location=location).place == ""


@pytest.mark.parametrize(
    "location", ["غازي عنتاب، قاعة الاجتماعات", "Online café, Gaziantep", "Berlin", "on"]
)
def test_a_physical_place_is_not_online(location):
    from events.models import Event, location_means_online

    assert not location_means_online(location)
    assert not Event(location=location).is_online and Event(location=location).place == location


def _event(world, location):
    from django.utils import timezone

    from events import services as event_services

    start = timezone.now() + timedelta(minutes=5)
    return event_services.event_create(
        actor=world["users"]["member"],
        space=world["space"],
        title="اجتماع",
        description="",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Asia/Damascus",
        location=location,
    )


@pytest.mark.parametrize("location", ["أونلاين", "Online", "عبر الإنترنت"])
def test_writing_online_as_the_place_keeps_the_meeting_link(world, clients, location):
    from events.models import Event

    space = world["space"]
    assert space.meeting_url
    event = _event(world, location)
    assert event.location == "" and event.is_online  # stored as an online meeting
    html = clients["member"].get(reverse("events:event-detail", args=[space.pk, event.pk])).content.decode()
    assert space.meeting_url in html
    # A row saved before (the word kept as the place) is online too.
    Event.objects.filter(pk=event.pk).update(location=location)
    html = clients["member"].get(reverse("events:event-detail", args=[space.pk, event.pk])).content.decode()
    assert space.meeting_url in html
    assert f'<span dir="auto">{location}</span>' not in html
    ics = clients["member"].get(reverse("events:event-ics", args=[space.pk, event.pk])).content.decode()
    assert space.meeting_url in ics.replace("\r\n ", "")


def test_an_event_with_a_place_shows_the_place_and_no_meeting_link(world, clients):
    space = world["space"]
    event = _event(world, "فندق في غازي عنتاب")
    assert event.location == "فندق في غازي عنتاب" and not event.is_online
    html = clients["member"].get(reverse("events:event-detail", args=[space.pk, event.pk])).content.decode()
    assert '<span dir="auto">فندق في غازي عنتاب</span>' in html and space.meeting_url not in html


def test_editing_the_place_to_online_brings_the_link_back(world, clients):
    from events import services as event_services

    space = world["space"]
    event = _event(world, "فندق في غازي عنتاب")
    event = event_services.event_update(actor=world["users"]["member"], event=event, location=" اونلاين ")
    assert event.location == "" and event.is_online
    html = clients["member"].get(reverse("events:event-detail", args=[space.pk, event.pk])).content.decode()
    assert space.meeting_url in html
