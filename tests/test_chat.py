"""Chat pages, services and reads (the websocket is in test_chat_websocket.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chat import selectors, services
from chat.models import Conversation, Message, Participant, Report
from workgroups import access
from workgroups import services as workgroup_services
from workgroups.models import Contribution, Membership, Notification, Space

from . import factories
from .hostile_corpus import HOSTILE_MARKDOWN

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(world, settings):
    settings.CSSR_CHAT_RATE_MESSAGES = 10_000
    return {**world, "conversation": services.space_conversation_get_or_create(space=world["space"])}


def _detail(conversation, **query):
    url = reverse("chat:conversation-detail", args=[conversation.public_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_one_space_conversation_per_space_with_an_opaque_id(chat):
    again = services.space_conversation_get_or_create(space=chat["space"])
    assert again.pk == chat["conversation"].pk
    assert Conversation.objects.filter(space=chat["space"], kind="space").count() == 1
    assert chat["conversation"].group_name == f"chat.{chat['conversation'].public_id.hex}"
    assert chat["space"].name not in chat["conversation"].group_name


def test_the_space_chat_link_opens_the_space_conversation(chat, clients):
    response = clients["member"].get(reverse("chat:space-chat", args=[chat["space"].pk]))
    assert response.status_code == 302 and response["Location"] == _detail(chat["conversation"])


def test_posting_without_javascript_stores_and_records_a_contribution(chat, clients):
    response = clients["member"].post(_detail(chat["conversation"]), {"body": "  اقتراح لجدول الأعمال  "})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.body == "اقتراح لجدول الأعمال" and message.author == chat["users"]["member"]
    assert (
        Contribution.objects.filter(
            user=chat["users"]["member"], space=chat["space"], kind=Contribution.Kind.MESSAGE
        ).count()
        == 1
    )
    page = clients["member"].get(response["Location"]).content.decode()
    assert "اقتراح لجدول الأعمال" in page


def test_a_group_conversation_counts_as_contribution_a_direct_one_does_not(chat):
    users = chat["users"]
    group = services.group_conversation_create(
        actor=users["member"], space=chat["space"], title="لجنة", members=[users["rapporteur"]]
    )
    services.message_send(actor=users["member"], conversation=group, body="في المجموعة")
    direct = services.direct_conversation_open(actor=users["member"], other=users["rapporteur"])
    services.message_send(actor=users["member"], conversation=direct, body="بيننا")
    assert Contribution.objects.filter(kind=Contribution.Kind.MESSAGE).count() == 1


def test_a_warned_member_who_chats_is_active_again(chat):
    membership = Membership.objects.get(space=chat["space"], user=chat["users"]["member"])
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.WARNED)
    services.message_send(actor=chat["users"]["member"], conversation=chat["conversation"], body="ما زلت هنا")
    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE


def test_bad_input_gets_a_clear_message_and_stores_nothing(chat, clients, settings):
    client, url = clients["member"], _detail(chat["conversation"])
    for data in [
        {"body": ""},
        {"body": "   "},
        {"body": "x" * (settings.CSSR_CHAT_MAX_MESSAGE_CHARS + 1)},
        {"body": "نص", "reply_to": "abc"},
        {"body": "نص", "reply_to": "999999"},
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert response.context["form"].errors
    assert not Message.objects.exists()


def test_hostile_text_is_shown_as_text(chat, clients):
    client = clients["member"]
    for body in HOSTILE_MARKDOWN[:10]:
        services.message_send(actor=chat["users"]["member"], conversation=chat["conversation"], body=body)
    page = client.get(_detail(chat["conversation"])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror=alert(1)>" not in page


def test_the_rate_limit_answers_in_the_users_language(chat, clients, settings):
    settings.CSSR_CHAT_RATE_MESSAGES = 2
    settings.CSSR_CHAT_RATE_SECONDS = 3600
    client, url = clients["member"], _detail(chat["conversation"])
    assert client.post(url, {"body": "١"}).status_code == 302
    assert client.post(url, {"body": "٢"}).status_code == 302
    response = client.post(url, {"body": "٣"})
    assert response.status_code == 400
    assert "أنت ترسل الرسائل بسرعة كبيرة" in response.content.decode()
    assert Message.objects.count() == 2


def test_reply_to_a_message_of_another_conversation_is_refused(chat):
    users = chat["users"]
    other = services.space_conversation_get_or_create(space=chat["other_space"])
    foreign = services.message_send(actor=users["other_member"], conversation=other, body="في مساحة أخرى")
    with pytest.raises(ValidationError):
        services.message_send(
            actor=users["member"], conversation=chat["conversation"], body="رد", reply_to_id=foreign.pk
        )
    first = services.message_send(actor=users["rapporteur"], conversation=chat["conversation"], body="سؤال")
    reply = services.message_send(
        actor=users["member"], conversation=chat["conversation"], body="جواب", reply_to_id=first.pk
    )
    assert reply.reply_to == first


def test_reply_edit_and_delete_are_shown(chat, clients):
    users, conversation = chat["users"], chat["conversation"]
    first = services.message_send(
        actor=users["rapporteur"], conversation=conversation, body="ما رأيكم بالمادة الأولى؟"
    )
    client = clients["member"]
    form_page = client.get(_detail(conversation, reply=first.pk))
    assert form_page.context["form"].initial["reply_to"] == first.pk
    client.post(_detail(conversation), {"body": "أوافق", "reply_to": first.pk})
    mine = Message.objects.get(author=users["member"])
    assert mine.reply_to == first
    response = client.post(
        reverse("chat:message-edit", args=[conversation.public_id, mine.pk]), {"body": "أوافق تماماً"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.body == "أوافق تماماً" and mine.edited_at is not None
    page = client.get(_detail(conversation)).content.decode()
    assert "أوافق تماماً" in page and 'class="chat-edited"' in page
    assert "ما رأيكم بالمادة الأولى؟" in page.split('class="chat-reply')[1]  # the reply quotes its message
    client.post(reverse("chat:message-delete", args=[conversation.public_id, mine.pk]))
    mine.refresh_from_db()
    assert mine.deleted_at is not None
    page = client.get(_detail(conversation)).content.decode()
    assert "أوافق تماماً" not in page and "حُذفت هذه الرسالة." in page


def test_nobody_edits_or_deletes_someone_elses_message(chat, clients):
    users, conversation = chat["users"], chat["conversation"]
    message = services.message_send(actor=users["member"], conversation=conversation, body="نصي")
    edit = reverse("chat:message-edit", args=[conversation.public_id, message.pk])
    delete = reverse("chat:message-delete", args=[conversation.public_id, message.pk])
    assert clients["rapporteur"].post(edit, {"body": "تغيير"}).status_code == 403
    assert clients["rapporteur"].post(delete).status_code == 403
    assert clients["political_officer"].post(delete).status_code == 403
    message.refresh_from_db()
    assert message.body == "نصي" and message.deleted_at is None and message.edited_at is None


def test_a_report_reaches_the_technical_officer_who_can_remove_the_message(
    chat, clients, django_capture_on_commit_callbacks
):
    users, conversation, space = chat["users"], chat["conversation"], chat["space"]
    message = services.message_send(actor=users["member"], conversation=conversation, body="كلام مسيء")
    report_url = reverse("chat:message-report", args=[conversation.public_id, message.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["rapporteur"].post(report_url, {"reason": "إساءة لعضو"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.body_at_report == "كلام مسيء" and not report.handled
    notice = Notification.objects.get(kind=Notification.Kind.MODERATION)
    assert notice.recipient == users["technical_officer"]
    # once per reporter; never one's own message; a reason is required
    assert clients["rapporteur"].post(report_url, {"reason": "مرة أخرى"}).status_code == 200
    assert clients["member"].post(report_url, {"reason": "أنا"}).status_code == 200
    assert clients["political_officer"].post(report_url, {"reason": ""}).status_code == 200
    assert Report.objects.count() == 1
    queue = clients["technical_officer"].get(reverse("chat:report-list", args=[space.pk]))
    assert "كلام مسيء" in queue.content.decode()
    clients["technical_officer"].post(
        reverse("chat:report-list", args=[space.pk]), {"report": report.pk, "action": "remove"}
    )
    message.refresh_from_db()
    report.refresh_from_db()
    assert message.deleted_at is not None and report.handled


def test_unread_counts_per_conversation_and_in_the_navigation(chat, clients):
    users, conversation = chat["users"], chat["conversation"]
    services.participants_ensure(user=users["member"])
    for n in range(3):
        services.message_send(actor=users["rapporteur"], conversation=conversation, body=f"خبر {n}")
    services.message_send(actor=users["member"], conversation=conversation, body="رسالتي")  # moves my marker
    later = services.message_send(actor=users["rapporteur"], conversation=conversation, body="خبر أخير")
    assert selectors.unread_total(user=users["member"]) == 1
    deleted = services.message_send(actor=users["rapporteur"], conversation=conversation, body="يحذف")
    services.message_delete(actor=users["rapporteur"], message=deleted)
    listing = clients["member"].get(reverse("chat:conversation-list"))
    row = next(c for c in listing.context["conversations"] if c.pk == conversation.pk)
    assert row.unread == 1
    home = clients["member"].get(reverse("workgroups:space-list")).content.decode()
    assert 'href="/chat/">' in home
    clients["member"].get(_detail(conversation))  # reading the latest page moves the marker
    assert (
        Participant.objects.get(conversation=conversation, user=users["member"]).last_read_message_id
        == deleted.pk
    )
    assert selectors.unread_total(user=users["member"]) == 0
    assert later.pk < deleted.pk


def test_the_unread_total_is_read_from_kept_counts_and_forgets_spaces_one_left(
    chat, django_assert_num_queries
):
    users, conversation = chat["users"], chat["conversation"]
    political = users["political_officer"]
    services.participants_ensure(user=political)
    with django_assert_num_queries(1):  # nothing unread: the kept counts alone answer
        assert selectors.unread_total(user=political) == 0
    services.message_send(actor=users["member"], conversation=conversation, body="للجميع")
    direct = services.direct_conversation_open(actor=users["member"], other=political)
    services.message_send(actor=users["member"], conversation=direct, body="لك وحدك")
    for n in range(30):  # the count's cost does not grow with the messages
        services.message_send(actor=users["rapporteur"], conversation=conversation, body=f"رسالة {n}")
    access.forget(political)
    # the kept counts, the user's permissions (read once per request by the core), the core's filter
    with django_assert_num_queries(3):
        assert selectors.unread_total(user=political) == 32
    membership = Membership.objects.get(space=chat["space"], user=political)
    workgroup_services.membership_lock(actor=None, membership=membership)
    political.refresh_from_db()
    access.forget(political)  # what the core read belongs to one request; the next one reads again
    assert selectors.unread_total(user=political) == 0  # neither the space chat nor the one-to-one


def _unread_from_the_messages(participant):
    """The reference: others' messages, not deleted, after the participant's read marker."""
    return (
        Message.objects.filter(
            conversation=participant.conversation_id,
            pk__gt=participant.last_read_message_id,
            deleted_at__isnull=True,
        )
        .exclude(author=participant.user_id)
        .count()
    )


def test_the_kept_unread_counts_agree_with_the_messages_after_every_kind_of_change(chat):
    """Sending, reading part of a conversation, deleting (author, technical officer, staff), leaving
    and reopening a one-to-one, hiding one's marker before ever reading, a newcomer: after each step
    every participant's kept count is what counting the messages gives."""
    users, conversation, space = chat["users"], chat["conversation"], chat["space"]
    member, rapporteur, officer = users["member"], users["rapporteur"], users["technical_officer"]
    steps = 0

    def agree():
        nonlocal steps
        steps += 1
        for participant in Participant.objects.all():
            assert participant.unread == _unread_from_the_messages(participant), (steps, participant)

    second = factories.add_member(space, username="second")
    for user in (member, rapporteur, officer, second, users["political_officer"]):
        services.participants_ensure(user=user)
    sent = [
        services.message_send(actor=author, conversation=conversation, body=f"رسالة {n}")
        for n, author in enumerate([member, rapporteur, member, rapporteur, second] * 2)
    ]
    agree()
    services.conversation_mark_read(actor=member, conversation=conversation, message_id=sent[3].pk)
    agree()
    services.message_delete(actor=second, message=sent[9])  # unread by the member
    services.message_delete(actor=rapporteur, message=sent[1])  # already read by the member
    agree()
    services.message_delete(actor=officer, message=sent[8])  # the technical officer removes it
    services.message_remove_by_staff(actor=users["staff"], message=sent[6])
    services.message_remove_by_staff(actor=users["staff"], message=sent[6])  # twice: once counted
    agree()
    direct = services.direct_conversation_open(actor=member, other=rapporteur)
    services.message_send(actor=member, conversation=direct, body="بيننا")
    services.direct_conversation_open(actor=rapporteur, other=member)  # the same conversation again
    group = services.group_conversation_create(
        actor=member, space=space, title="لجنة", members=[rapporteur, second]
    )
    services.message_send(actor=member, conversation=group, body="في المجموعة")
    services.conversation_leave(actor=second, conversation=group)
    services.message_send(actor=rapporteur, conversation=group, body="بعد مغادرته")
    agree()
    newcomer = factories.add_member(space, username="newcomer")
    services.participants_ensure(user=newcomer)
    services.participant_set_hide_read_marker(actor=rapporteur, conversation=direct, hide=True)
    Participant.objects.filter(conversation=conversation, user=users["political_officer"]).delete()
    services.participant_set_hide_read_marker(
        actor=users["political_officer"], conversation=conversation, hide=True
    )  # a row made here starts from the messages (its marker is at the start)
    services.message_send(actor=newcomer, conversation=conversation, body="مرحباً")
    agree()
    services.conversation_mark_read(actor=member, conversation=conversation, message_id=sent[-1].pk)
    agree()
    assert Participant.objects.get(conversation=conversation, user=member).unread == 1  # the newcomer's
    assert Participant.objects.get(conversation=conversation, user=users["political_officer"]).unread == 7


def test_a_newcomer_does_not_inherit_old_messages_as_unread(chat):
    users = chat["users"]
    for n in range(5):
        services.message_send(actor=users["member"], conversation=chat["conversation"], body=f"قديمة {n}")
    newcomer = factories.add_member(chat["space"], username="newcomer")
    services.participants_ensure(user=newcomer)
    assert selectors.unread_total(user=newcomer) == 0
    services.message_send(actor=users["member"], conversation=chat["conversation"], body="جديدة")
    assert selectors.unread_total(user=newcomer) == 1


def test_read_markers_show_who_read_unless_hidden_and_hiding_is_mutual(chat, clients):
    users, conversation = chat["users"], chat["conversation"]
    message = services.message_send(actor=users["member"], conversation=conversation, body="هل قرأتم؟")
    clients["rapporteur"].get(_detail(conversation))
    page = clients["member"].get(_detail(conversation))
    assert [m.read_by for m in page.context["chat_messages"]] == [["ليلى حداد"]]
    clients["rapporteur"].post(
        reverse("chat:conversation-preferences", args=[conversation.public_id]), {"hide_read_marker": "1"}
    )
    page = clients["member"].get(_detail(conversation))
    assert page.context["chat_messages"][0].read_by == []
    # the member hides theirs: they no longer see the political officer's either
    clients["political_officer"].get(_detail(conversation))
    clients["member"].post(
        reverse("chat:conversation-preferences", args=[conversation.public_id]), {"hide_read_marker": "1"}
    )
    page = clients["member"].get(_detail(conversation))
    assert page.context["chat_messages"][0].read_by == []
    assert message.pk


def test_history_is_paginated_newest_page_first_and_readable_without_javascript(chat, clients, settings):
    settings.CSSR_CHAT_PAGE_SIZE = 10
    users = chat["users"]
    sent = [
        services.message_send(actor=users["member"], conversation=chat["conversation"], body=f"رسالة رقم {n}")
        for n in range(25)
    ]
    page = clients["rapporteur"].get(_detail(chat["conversation"]))
    assert [m.pk for m in page.context["chat_messages"]] == [m.pk for m in sent[20:]]
    first = clients["rapporteur"].get(_detail(chat["conversation"], page=1))
    assert [m.pk for m in first.context["chat_messages"]] == [m.pk for m in sent[:10]]
    assert "رسالة رقم 0" in first.content.decode()


def test_conversation_page_queries_do_not_grow_with_messages(chat, clients, django_assert_num_queries):
    users, conversation = chat["users"], chat["conversation"]
    authors = [users["member"], users["rapporteur"], users["political_officer"]]
    client = clients["rapporteur"]

    def add(count):
        start = Message.objects.count()
        Message.objects.bulk_create(
            Message(conversation=conversation, author=authors[n % 3], body=f"رسالة {n}")
            for n in range(start, start + count)
        )
        last = Message.objects.order_by("-pk").first()
        Message.objects.filter(pk=last.pk).update(reply_to=Message.objects.order_by("pk").first())

    add(20)
    url = _detail(conversation)
    client.get(url)  # the session's first request
    add(1)
    reading = _queries(client, url)  # a new message: the read marker moves, the unread count is taken
    seen = _queries(client, url)  # nothing new: nothing to write
    add(480)
    for n in range(5):
        factories.add_member(chat["space"], username=f"reader{n}")
    assert _queries(client, url) == reading
    with django_assert_num_queries(seen):
        client.get(url)
    assert seen < reading <= 30


def test_conversation_list_queries_do_not_grow_with_conversations(chat, clients):
    users, client = chat["users"], clients["member"]
    url = reverse("chat:conversation-list")
    first = services.direct_conversation_open(actor=users["member"], other=users["rapporteur"])
    services.message_send(actor=users["rapporteur"], conversation=first, body="سؤال")  # one unread, as later
    client.get(url)
    few = _queries(client, url)
    for n in range(8):
        colleague = factories.add_member(chat["space"], username=f"colleague{n}")
        direct = services.direct_conversation_open(actor=users["member"], other=colleague)
        services.message_send(actor=colleague, conversation=direct, body="مرحبا")
        group = services.group_conversation_create(
            actor=users["member"], space=chat["space"], title=f"لجنة {n}", members=[colleague]
        )
        services.message_send(actor=colleague, conversation=group, body="أهلاً")
    assert _queries(client, url) == few


def test_the_since_endpoint_is_permission_checked_json(chat, clients):
    users, conversation = chat["users"], chat["conversation"]
    first = services.message_send(actor=users["member"], conversation=conversation, body="أولى")
    second = services.message_send(actor=users["member"], conversation=conversation, body="ثانية")
    url = reverse("chat:conversation-since", args=[conversation.public_id])
    data = clients["rapporteur"].get(url, {"after": first.pk}).json()
    assert [m["id"] for m in data["messages"]] == [second.pk] and data["complete"] is True
    assert clients["rapporteur"].get(url, {"after": "-1"}).status_code == 400
    assert clients["rapporteur"].get(url, {"after": "abc"}).status_code == 400
    assert clients["outsider"].get(url, {"after": 0}).status_code == 404
    assert clients["locked_member"].get(url, {"after": 0}).status_code == 403


def test_direct_conversations_need_a_shared_active_space_or_staff(chat):
    users = chat["users"]
    assert access.can_message_directly(users["member"], users["rapporteur"])
    assert not access.can_message_directly(users["member"], users["other_member"])
    assert not access.can_message_directly(users["member"], users["outsider"])
    assert access.can_message_directly(
        users["outsider"], users["staff"]
    )  # operations staff are always reachable
    assert not access.can_message_directly(users["member"], users["member"])
    with pytest.raises(PermissionDenied):
        services.direct_conversation_open(actor=users["member"], other=users["other_member"])
    direct = services.direct_conversation_open(actor=users["member"], other=users["rapporteur"])
    assert services.direct_conversation_open(actor=users["rapporteur"], other=users["member"]).pk == direct.pk
    services.message_send(actor=users["member"], conversation=direct, body="سؤال خاص")
    # the space concludes: the conversation becomes read-only
    workgroup_services.space_set_status(actor=None, space=chat["space"], status=Space.Status.CONCLUDED)
    member = type(users["member"]).objects.get(pk=users["member"].pk)
    access.check_conversation(member, "read", direct)
    with pytest.raises(PermissionDenied):
        services.message_send(actor=member, conversation=direct, body="بعد الختام")


def test_group_conversations_only_with_members_of_the_space(chat, clients):
    users, space = chat["users"], chat["space"]
    url = reverse("chat:group-create", args=[space.pk])
    response = clients["member"].post(url, {"title": "لجنة", "members": [users["other_member"].pk]})
    assert response.status_code == 200 and response.context["form"].errors
    response = clients["member"].post(url, {"title": "لجنة", "members": [users["locked_member"].pk]})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Conversation.objects.filter(kind="group").exists()
    with pytest.raises(ValidationError):
        services.group_conversation_create(
            actor=users["member"], space=space, title="لجنة", members=[users["other_member"]]
        )
    response = clients["member"].post(url, {"title": "لجنة الصياغة", "members": [users["rapporteur"].pk]})
    group = Conversation.objects.get(kind="group")
    assert set(group.participants.values_list("user__username", flat=True)) == {"member", "rapporteur"}
    # who is not in it does not know it exists
    assert clients["political_officer"].get(_detail(group)).status_code == 404
    clients["rapporteur"].post(reverse("chat:conversation-leave", args=[group.public_id]))
    assert clients["rapporteur"].get(_detail(group)).status_code == 404
    with pytest.raises(Http404):
        services.message_send(actor=users["rapporteur"], conversation=group, body="بعد المغادرة")


def test_a_concluded_space_chat_is_read_only(chat, clients):
    services.message_send(actor=chat["users"]["member"], conversation=chat["conversation"], body="قبل الختام")
    workgroup_services.space_set_status(actor=None, space=chat["space"], status=Space.Status.CONCLUDED)
    assert clients["member"].get(_detail(chat["conversation"])).status_code == 200
    assert clients["member"].post(_detail(chat["conversation"]), {"body": "بعد"}).status_code == 403
    assert Message.objects.count() == 1


def test_the_conversation_page_loads_only_its_own_script(chat, clients):
    page = clients["member"].get(_detail(chat["conversation"])).content.decode()
    assert "js/chat" in page and "<script>" not in page
    assert f'data-websocket="/ws/chat/{chat["conversation"].public_id}/"' in page


def test_the_demo_shows_every_kind_of_conversation(settings, django_capture_on_commit_callbacks):
    from django.core.management import call_command
    from django.test import Client

    from accounts.demo import DEMO_PASSWORD

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    counts = (Conversation.objects.count(), Message.objects.count(), Report.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    assert (Conversation.objects.count(), Message.objects.count(), Report.objects.count()) == counts
    assert set(Conversation.objects.values_list("kind", flat=True)) == {"space", "group", "direct"}
    assert Conversation.objects.filter(kind="direct", participants__user__is_staff=True).exists()
    assert (
        Message.objects.filter(edited_at__isnull=False).exists()
        and Message.objects.filter(reply_to__isnull=False).exists()
    )
    assert counts[2] == 1
    client = Client()
    assert client.login(username="omar", password=DEMO_PASSWORD)
    listing = client.get(reverse("chat:conversation-list"))
    assert {c.kind for c in listing.context["conversations"]} == {"space", "direct"}
    assert any(c.unread for c in listing.context["conversations"])
    legal = Conversation.objects.get(kind="space", space__status="active", space__name__contains="الدستورية")
    page = client.get(_detail(legal)).content.decode()
    assert "المبادئ الدستورية" in page and "قرأها" in page  # read markers of others


def test_a_digest_counts_new_space_chat_messages_never_their_text(chat):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from workgroups.models import DigestSubscription

    member = chat["users"]["member"]
    for user in chat["users"].values():
        if user is not None and user != member:
            DigestSubscription.objects.create(user=user, frequency="off")
    DigestSubscription.objects.create(
        user=member, frequency="daily", last_sent_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    for body in ("نص سري أول", "نص سري ثان"):
        services.message_send(actor=chat["users"]["rapporteur"], conversation=chat["conversation"], body=body)
    direct = services.direct_conversation_open(actor=chat["users"]["rapporteur"], other=member)
    services.message_send(actor=chat["users"]["rapporteur"], conversation=direct, body="خاص جداً")
    assert workgroup_services.digests_run() == 1
    body = mail.outbox[-1].body
    assert "سري" not in body and "خاص" not in body
    assert "رسالتا دردشة جديدتان" in body and reverse("chat:space-chat", args=[chat["space"].pk]) in body


def test_a_library_document_of_the_same_space_can_be_attached(chat, clients):
    from documents.models import Document

    users, conversation = chat["users"], chat["conversation"]
    mine = Document.objects.create(
        space=chat["space"], title="مسودة المبادئ الدستورية", created_by=users["rapporteur"]
    )
    foreign = Document.objects.create(space=chat["other_space"], title="وثيقة مجموعة أخرى")
    url = _detail(conversation)
    page = clients["member"].get(url)
    assert [d.pk for d in page.context["documents"]] == [mine.pk]
    response = clients["member"].post(url, {"body": "راجعوا هذه المسودة", "attachment": mine.pk})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.attachment == mine
    assert services.message_payload(message)["attachment"]["title"] == "مسودة المبادئ الدستورية"
    assert "مسودة المبادئ الدستورية" in clients["rapporteur"].get(url).content.decode()
    # a document of another space, an unknown one, or any document in a one-to-one conversation: refused
    for attachment in (foreign.pk, 999999):
        response = clients["member"].post(url, {"body": "وهذه", "attachment": attachment})
        assert response.status_code == 400
    direct = services.direct_conversation_open(actor=users["member"], other=users["rapporteur"])
    with pytest.raises(ValidationError):
        services.message_send(actor=users["member"], conversation=direct, body="خاص", attachment_id=mine.pk)
    assert Message.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite lets one writer at a time)"
)
@pytest.mark.django_db(transaction=True)
def test_members_writing_and_reading_at_once_in_one_conversation_never_deadlock(world, settings):
    """Each message moves its sender's read marker and raises everyone else's unread count, and each
    reading moves a marker and recounts: members sending and reading at the same moment must queue,
    never lock each other's rows crosswise, and the kept counts stay exact."""
    import threading

    from django.db import connections

    settings.CSSR_CHAT_RATE_MESSAGES = 10_000
    space = world["space"]
    conversation = services.space_conversation_get_or_create(space=space)
    writers = [factories.add_member(space, username=f"writer{n}") for n in range(4)]
    for user in [*writers, world["users"]["member"]]:
        services.participants_ensure(user=user)
    rounds, barrier, failures = 12, threading.Barrier(len(writers)), []

    def write(user):
        try:
            for n in range(rounds):
                barrier.wait(timeout=30)
                services.message_send(actor=user, conversation=conversation, body=f"{user.username} {n}")
                services.conversation_mark_read(actor=user, conversation=conversation, message_id=10**12)
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            failures.append(repr(error))
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,)) for user in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert Message.objects.filter(conversation=conversation).count() == rounds * len(writers)
    for participant in Participant.objects.filter(conversation=conversation):
        assert participant.unread == _unread_from_the_messages(participant)
    reader = Participant.objects.get(conversation=conversation, user=world["users"]["member"])
    assert reader.unread == rounds * len(writers)  # the one who only read nothing yet
