"""The chat websocket through the real ASGI application (session cookie, origin check, routing).

Non-delivery is proven without sleeps by a fence: after the event, a message is sent that the socket
under test must receive; a socket's frames arrive in order, so one that got the fence but not the
event never got the event. Runs on the in-memory layer and, with REDIS_URL set, on channels-redis.
"""

import asyncio
import json

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from chat import services
from chat.consumers import (
    CLOSE_FLOODING,
    CLOSE_FORBIDDEN,
    CLOSE_SESSION_ENDED,
    CLOSE_TOO_BIG,
    CLOSE_UNAUTHENTICATED,
)
from chat.models import Message
from cssr.asgi import application
from workgroups import services as workgroup_services
from workgroups.models import Contribution, Membership

from . import access_changes as changes
from . import factories
from .conftest import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

TIMEOUT = 5  # seconds: the most any expected frame may take (the "within 5 seconds")


@pytest_asyncio.fixture(autouse=True)
async def _fresh_layer():
    layer = get_channel_layer()
    yield
    if hasattr(layer, "flush"):
        await layer.flush()


def _cookie_for(user, *, second_factor=True):
    """The session cookie of `user` signed in as on a real sign-in (with the second factor where the
    policy asks for one; `second_factor=False`: the password alone)."""
    return client_for(user, second_factor=second_factor).cookies[settings.SESSION_COOKIE_NAME].value


async def connect(user, conversation, *, expect_open=True):
    """A websocket of `user` on `conversation` through the whole ASGI stack."""
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        cookie = await database_sync_to_async(_cookie_for)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/chat/{conversation.public_id}/", headers=headers)
    communicator.cookie = cookie if user is not None else None
    connected, _subprotocol = await communicator.connect(timeout=TIMEOUT)
    assert connected
    if expect_open:
        ready = await communicator.receive_json_from(timeout=TIMEOUT)
        assert ready["type"] == "ready"
    return communicator


async def closed_with(communicator):
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return output.get("code")


async def until(communicator, frame_type):
    """The next frame of `frame_type`, failing on anything else except read markers and acks."""
    while True:
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        if frame["type"] == frame_type:
            return frame
        assert frame["type"] in ("read", "ack", "message"), frame


async def frames_until_fence(communicator, fence_id):
    """Every message/edit/delete frame the socket got before the fence message (inclusive)."""
    got = []
    while True:
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        if frame["type"] in ("read", "ack"):
            continue
        got.append(frame)
        if frame["type"] == "message" and frame["message"]["id"] == fence_id:
            return got


send_message = database_sync_to_async(lambda **kwargs: services.message_send(**kwargs))


@pytest.fixture
def chat(world):
    conversation = services.space_conversation_get_or_create(space=world["space"])
    other = services.space_conversation_get_or_create(space=world["other_space"])
    return {**world, "conversation": conversation, "other_conversation": other}


async def test_member_connects_sends_and_everyone_in_the_conversation_receives(chat):
    users, conversation = chat["users"], chat["conversation"]
    member = await connect(users["member"], conversation)
    rapporteur = await connect(users["rapporteur"], conversation)
    await member.send_json_to({"type": "send", "body": "صباح الخير يا زملاء", "client_id": "c1"})
    ack = await until(member, "ack")
    assert ack["client_id"] == "c1"
    received = await until(rapporteur, "message")
    assert received["message"]["id"] == ack["id"]
    assert received["message"]["body"] == "صباح الخير يا زملاء"
    assert received["message"]["author"] == "عمر الخطيب"
    own = await until(member, "message")  # the sender gets it too (the client de-duplicates by id)
    assert own["message"]["id"] == ack["id"]
    # saved before it was broadcast, and a contribution to the space
    assert await database_sync_to_async(Message.objects.filter(pk=ack["id"]).exists)()
    assert (
        await database_sync_to_async(
            Contribution.objects.filter(
                user=users["member"], space=chat["space"], kind=Contribution.Kind.MESSAGE
            ).count
        )()
        == 1
    )
    await member.disconnect()
    await rapporteur.disconnect()


@pytest.mark.parametrize(
    "role,code",
    [
        ("anonymous", CLOSE_UNAUTHENTICATED),
        ("outsider", CLOSE_FORBIDDEN),
        ("other_member", CLOSE_FORBIDDEN),
        ("locked_member", CLOSE_FORBIDDEN),
    ],
)
async def test_who_may_not_read_is_refused_on_connect(chat, role, code):
    communicator = await connect(chat["users"][role], chat["conversation"], expect_open=False)
    assert await closed_with(communicator) == code


@pytest.mark.parametrize("role", ["rapporteur", "technical_officer", "political_officer", "member"])
async def test_a_session_that_skipped_a_required_second_factor_gets_no_socket(chat, role, settings):
    """The sockets are behind the same two-factor gate as the pages: whoever must use a second factor
    and signed in with the password alone is refused on connect (the member only when the setting asks
    everyone); the same user's session that passed it connects."""
    settings.CSSR_REQUIRE_MFA_FOR_EVERYONE = role == "member"
    user = chat["users"][role]
    path = f"/ws/chat/{chat['conversation'].public_id}/"
    for second_factor, opens in ((False, False), (True, True)):
        cookie = await database_sync_to_async(_cookie_for)(user, second_factor=second_factor)
        communicator = WebsocketCommunicator(
            application,
            path,
            headers=[
                (b"origin", b"http://localhost"),
                (b"host", b"localhost"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            ],
        )
        assert (await communicator.connect(timeout=TIMEOUT))[0]
        if opens:
            assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "ready"
            await communicator.disconnect()
        else:
            assert await closed_with(communicator) == CLOSE_UNAUTHENTICATED


async def test_a_conversation_of_another_space_is_refused(chat):
    communicator = await connect(chat["users"]["member"], chat["other_conversation"], expect_open=False)
    assert await closed_with(communicator) == CLOSE_FORBIDDEN


async def test_an_unknown_conversation_id_is_refused_like_a_hidden_one(chat):
    class Unknown:
        public_id = "00000000-0000-4000-8000-000000000000"

    communicator = await connect(chat["users"]["member"], Unknown, expect_open=False)
    assert await closed_with(communicator) == CLOSE_FORBIDDEN


async def test_a_foreign_origin_is_refused(chat):
    cookie = await database_sync_to_async(_cookie_for)(chat["users"]["member"])
    communicator = WebsocketCommunicator(
        application,
        f"/ws/chat/{chat['conversation'].public_id}/",
        headers=[
            (b"origin", b"https://evil.example"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_the_technical_officer_reads_but_may_not_post_in_the_space_chat(chat):
    users, conversation = chat["users"], chat["conversation"]
    officer = await connect(users["technical_officer"], conversation)
    await officer.send_json_to({"type": "send", "body": "مرحبا"})
    error = await until(officer, "error")
    assert error["code"] == "read_only"
    assert error["message"]  # in the officer's language
    assert not await database_sync_to_async(Message.objects.exists)()
    await officer.disconnect()


async def test_reconnect_catches_up_with_everything_after_the_last_id(chat):
    users, conversation = chat["users"], chat["conversation"]
    first = await send_message(actor=users["member"], conversation=conversation, body="الأولى")
    rapporteur = await connect(users["rapporteur"], conversation)
    await rapporteur.disconnect()  # the connection drops...
    later = [
        await send_message(actor=users["member"], conversation=conversation, body=f"رسالة {n}")
        for n in range(3)
    ]
    rapporteur = await connect(users["rapporteur"], conversation)  # ...and comes back
    await rapporteur.send_json_to({"type": "since", "after": first.pk})
    history = await until(rapporteur, "history")
    assert [m["id"] for m in history["messages"]] == [m.pk for m in later]
    assert history["complete"] is True
    await rapporteur.disconnect()


async def test_catch_up_is_paged_when_much_was_missed(chat, settings):
    settings.CSSR_CHAT_SINCE_LIMIT = 2
    settings.CSSR_CHAT_RATE_MESSAGES = 100
    users, conversation = chat["users"], chat["conversation"]
    sent = [
        await send_message(actor=users["member"], conversation=conversation, body=f"رسالة {n}")
        for n in range(5)
    ]
    rapporteur = await connect(users["rapporteur"], conversation)
    await rapporteur.send_json_to({"type": "since", "after": 0})
    ids = []
    while True:
        history = await until(rapporteur, "history")
        ids += [m["id"] for m in history["messages"]]
        if history["complete"]:
            break
    assert ids == [m.pk for m in sent]
    await rapporteur.disconnect()


async def test_new_edited_and_deleted_messages_never_reach_outsiders(chat):
    """The outsider's socket is open on their own space's conversation: after each event in this
    space, a fence message in theirs; they get the fence and nothing else."""
    users, conversation, theirs = chat["users"], chat["conversation"], chat["other_conversation"]
    member = await connect(users["member"], conversation)
    outsider = await connect(users["other_member"], theirs)
    message = await send_message(actor=users["member"], conversation=conversation, body="سري")
    await database_sync_to_async(services.message_edit)(
        actor=users["member"], message=message, body="سري معدل"
    )
    await database_sync_to_async(services.message_delete)(actor=users["member"], message=message)
    fence = await send_message(actor=users["other_member"], conversation=theirs, body="سياج")
    frames = await frames_until_fence(outsider, fence.pk)
    assert [(f["type"], f["message"]["id"]) for f in frames] == [("message", fence.pk)]
    # and the member saw all three events, in order
    seen = [(f["type"], f["message"]["id"]) for f in await frames_until_fence(member, message.pk)]
    assert seen == [("message", message.pk)]
    assert (await until(member, "edit"))["message"]["body"] == "سري معدل"
    deleted = (await until(member, "delete"))["message"]
    assert deleted["deleted"] is True and deleted["body"] == ""
    await member.disconnect()
    await outsider.disconnect()


async def test_a_member_removed_mid_session_is_closed_and_gets_nothing_more(chat):
    users, conversation, space = chat["users"], chat["conversation"], chat["space"]
    removed = await connect(users["political_officer"], conversation)
    observer = await connect(users["rapporteur"], conversation)
    membership = await database_sync_to_async(Membership.objects.get)(
        space=space, user=users["political_officer"]
    )
    await database_sync_to_async(workgroup_services.membership_leave)(
        actor=users["staff"], membership=membership
    )
    assert await closed_with(removed) == CLOSE_SESSION_ENDED
    event = await send_message(actor=users["member"], conversation=conversation, body="بعد المغادرة")
    fence = await send_message(actor=users["member"], conversation=conversation, body="سياج")
    assert [f["message"]["id"] for f in await frames_until_fence(observer, fence.pk)] == [event.pk, fence.pk]
    # the removed socket was taken out of the conversation's group before it closed: nothing after
    assert removed.output_queue.empty()
    again = await connect(users["political_officer"], conversation, expect_open=False)
    assert await closed_with(again) == CLOSE_FORBIDDEN
    await observer.disconnect()


async def test_the_lockout_job_closes_the_sockets_of_locked_members(chat):
    from datetime import timedelta

    from django.utils import timezone

    from workgroups.services import inactivity_run

    users, conversation, space = chat["users"], chat["conversation"], chat["space"]
    idle = await connect(users["member"], conversation)
    observer = await connect(users["rapporteur"], conversation)
    long_ago = timezone.now() - timedelta(days=space.inactivity_days + 1)
    await database_sync_to_async(Membership.objects.filter(space=space, user=users["member"]).update)(
        joined_at=long_ago, last_contribution_at=long_ago
    )
    result = await database_sync_to_async(inactivity_run)()
    assert result["locked"] >= 1
    assert await closed_with(idle) == CLOSE_SESSION_ENDED
    fence = await send_message(actor=users["rapporteur"], conversation=conversation, body="سياج")
    assert [f["message"]["id"] for f in await frames_until_fence(observer, fence.pk)] == [fence.pk]
    assert idle.output_queue.empty()
    again = await connect(users["member"], conversation, expect_open=False)
    assert await closed_with(again) == CLOSE_FORBIDDEN
    await observer.disconnect()


async def test_signing_out_closes_the_socket_and_it_cannot_come_back(chat):
    user = chat["users"]["member"]
    cookie = await database_sync_to_async(_cookie_for)(user)
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    path = f"/ws/chat/{chat['conversation'].public_id}/"
    socket = WebsocketCommunicator(application, path, headers=headers)
    assert (await socket.connect(timeout=TIMEOUT))[0]
    await until(socket, "ready")

    def sign_out():
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        assert client.post("/accounts/logout/").status_code == 302

    await database_sync_to_async(sign_out)()
    assert await closed_with(socket) == CLOSE_SESSION_ENDED
    again = WebsocketCommunicator(application, path, headers=headers)
    assert (await again.connect(timeout=TIMEOUT))[0]
    assert await closed_with(again) == CLOSE_UNAUTHENTICATED


async def test_changing_the_password_closes_the_socket_and_the_old_session_stays_out(chat):
    user = chat["users"]["member"]
    socket = await connect(user, chat["conversation"])  # a session on another device
    old_cookie = [h for h in socket.scope["headers"] if h[0] == b"cookie"]

    def change_password():
        client = Client()
        client.force_login(user)
        response = client.post(
            "/accounts/password/change/",
            {
                "oldpassword": factories.PASSWORD,
                "password1": "a-new-long-passphrase-2026",
                "password2": "a-new-long-passphrase-2026",
            },
        )
        assert response.status_code == 302, response.content[:500]

    await database_sync_to_async(change_password)()
    assert await closed_with(socket) == CLOSE_SESSION_ENDED
    # the other device's session no longer authenticates (its hash no longer matches)
    again = WebsocketCommunicator(
        application,
        f"/ws/chat/{chat['conversation'].public_id}/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost"), *old_cookie],
    )
    assert (await again.connect(timeout=TIMEOUT))[0]
    assert await closed_with(again) == CLOSE_UNAUTHENTICATED


async def test_ending_a_session_and_turning_off_two_factor_close_the_socket(chat):
    from allauth.mfa.signals import authenticator_removed
    from allauth.usersessions.models import UserSession

    user = chat["users"]["member"]
    socket = await connect(user, chat["conversation"])

    def end_session():
        session = UserSession.objects.create(user=user, session_key="k" * 32, ip="127.0.0.1", user_agent="t")
        session.end()

    await database_sync_to_async(end_session)()
    assert await closed_with(socket) == CLOSE_SESSION_ENDED
    socket = await connect(user, chat["conversation"])
    await database_sync_to_async(authenticator_removed.send)(
        sender=type(user), request=None, user=user, authenticator=None
    )
    assert await closed_with(socket) == CLOSE_SESSION_ENDED


async def test_a_message_to_a_group_conversation_just_left_is_refused_and_not_stored(chat):
    users = chat["users"]
    group = await database_sync_to_async(services.group_conversation_create)(
        actor=users["member"], space=chat["space"], title="لجنة", members=[users["rapporteur"]]
    )
    member = await connect(users["member"], group)
    second = await connect(users["member"], group)
    await database_sync_to_async(services.conversation_leave)(actor=users["member"], conversation=group)
    assert await closed_with(member) == CLOSE_FORBIDDEN
    # a frame that races the leave is refused by the per-frame check, and nothing is stored
    await second.send_json_to({"type": "send", "body": "هل من أحد؟"})
    outputs = []
    while True:
        output = await second.receive_output(timeout=TIMEOUT)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert outputs[-1]["code"] == CLOSE_FORBIDDEN
    assert not await database_sync_to_async(Message.objects.filter(conversation=group).exists)()


async def test_bad_frames_get_error_frames_and_store_nothing(chat):
    socket = await connect(chat["users"]["member"], chat["conversation"])
    for frame in [
        "{not json",
        "[1, 2]",
        "null",
        json.dumps({"type": "dance"}),
        json.dumps({"type": "send", "body": 5}),
        json.dumps({"type": "send", "body": "  "}),
        json.dumps({"type": "since", "after": "x"}),
        json.dumps({"type": "send", "body": "رد", "reply_to": 999999}),
        json.dumps({"type": "send", "body": "x" * (settings.CSSR_CHAT_MAX_MESSAGE_CHARS + 1)}),
    ]:
        await socket.send_to(text_data=frame)
        error = await until(socket, "error")
        assert error["code"] in ("malformed", "unknown_type", "invalid", "empty", "reply_to", "too_long"), (
            error
        )
        assert error["message"]
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    assert (await until(socket, "pong"))["type"] == "pong"  # still alive
    assert not await database_sync_to_async(Message.objects.exists)()
    await socket.disconnect()


async def test_error_frames_speak_the_users_language(chat):
    def to_english():
        user = chat["users"]["member"]
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])

    await database_sync_to_async(to_english)()
    socket = await connect(chat["users"]["member"], chat["conversation"])
    await socket.send_to(text_data="{")
    assert (await until(socket, "error"))["message"] == "The frame is not a JSON object."
    await socket.disconnect()
    arabic = await connect(chat["users"]["rapporteur"], chat["conversation"])
    await arabic.send_to(text_data="{")
    assert (await until(arabic, "error"))["message"] == "الإطار المرسل ليس كائن JSON صالحاً."
    await arabic.disconnect()


async def test_an_oversized_frame_closes_with_1009(chat):
    socket = await connect(chat["users"]["member"], chat["conversation"])
    await socket.send_to(
        text_data=json.dumps({"type": "send", "body": "x" * settings.CSSR_CHAT_MAX_FRAME_BYTES})
    )
    assert await closed_with(socket) == CLOSE_TOO_BIG
    assert not await database_sync_to_async(Message.objects.exists)()


async def test_flooding_is_answered_with_an_error_then_closed(chat, settings):
    settings.CSSR_CHAT_RATE_MESSAGES = 3
    settings.CSSR_CHAT_RATE_SECONDS = 3600  # one window for the whole test
    socket = await connect(chat["users"]["member"], chat["conversation"])
    for n in range(3):
        await socket.send_json_to({"type": "send", "body": f"رسالة {n}", "client_id": str(n)})
        assert (await until(socket, "ack"))["client_id"] == str(n)
    await socket.send_json_to({"type": "send", "body": "واحدة أخرى"})
    error = await until(socket, "error")
    assert error["code"] == "rate_limited"
    assert error["message"] == "أنت ترسل الرسائل بسرعة كبيرة. انتظر بضع ثوانٍ ثم حاول مجدداً."
    for _n in range(3):
        await socket.send_json_to({"type": "send", "body": "إغراق"})
    outputs = []
    while True:
        output = await socket.receive_output(timeout=TIMEOUT)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert outputs[-1]["code"] == CLOSE_FLOODING
    assert await database_sync_to_async(Message.objects.count)() == 3


async def test_a_concluded_space_chat_is_read_only_on_the_socket(chat):
    from workgroups.models import Space

    users, conversation = chat["users"], chat["conversation"]
    await database_sync_to_async(workgroup_services.space_set_status)(
        actor=users["staff"], space=chat["space"], status=Space.Status.CONCLUDED
    )
    socket = await connect(users["member"], conversation)
    await socket.send_json_to({"type": "send", "body": "بعد الختام"})
    assert (await until(socket, "error"))["code"] == "read_only"
    assert not await database_sync_to_async(Message.objects.exists)()
    await socket.disconnect()


async def test_one_to_one_with_operations_support_works_for_a_locked_member(chat):
    users = chat["users"]
    direct = await database_sync_to_async(services.direct_conversation_open)(
        actor=users["locked_member"], other=users["staff"]
    )
    locked = await connect(users["locked_member"], direct)
    staff = await connect(users["staff"], direct)
    await locked.send_json_to({"type": "send", "body": "أرجو مساعدتي في استعادة الوصول"})
    assert (await until(staff, "message"))["message"]["body"] == "أرجو مساعدتي في استعادة الوصول"
    # one-to-one messages are not contributions to any space
    assert not await database_sync_to_async(
        Contribution.objects.filter(kind=Contribution.Kind.MESSAGE).exists
    )()
    await locked.disconnect()
    await staff.disconnect()


async def test_a_new_member_of_another_space_joins_nothing_here(chat):
    newcomer = await database_sync_to_async(factories.add_member)(chat["other_space"], username="newcomer")
    socket = await connect(newcomer, chat["conversation"], expect_open=False)
    assert await closed_with(socket) == CLOSE_FORBIDDEN


async def test_an_attachment_of_another_space_is_refused_on_the_socket(chat):
    from documents.models import Document

    foreign = await database_sync_to_async(Document.objects.create)(space=chat["other_space"], title="أخرى")
    socket = await connect(chat["users"]["member"], chat["conversation"])
    await socket.send_json_to({"type": "send", "body": "مرفق", "attachment": foreign.pk})
    assert (await until(socket, "error"))["code"] == "attachment"
    await socket.send_json_to({"type": "send", "body": "مرفق", "attachment": "1"})
    assert (await until(socket, "error"))["code"] == "invalid"
    assert not await database_sync_to_async(Message.objects.exists)()
    await socket.disconnect()


# --- Liveness: nothing reaches a socket once its session or access changed, with no close signal ---
#
# Each change below is made with the close signal (`connections_close`) suppressed, as when the
# change happens in another process on the embedded default's in-memory channel layer. The socket
# must still refuse the next event (the per-event check, with the watchdog held off), and must close
# within TIMEOUT with no event at all (the watchdog).


@pytest.fixture
def no_close_signal(monkeypatch):
    """The close signal is lost: only the liveness store can end the socket."""
    from workgroups.services import connections

    sent = []
    monkeypatch.setattr(connections, "connections_close", lambda user_ids: sent.append(list(user_ids)))
    return sent


@pytest.mark.parametrize("change", changes.CHANGES, ids=lambda change: change.__name__)
async def test_after_a_change_the_next_event_is_refused_without_a_close_signal(
    chat, change, settings, no_close_signal
):
    settings.CSSR_LIVENESS_WATCH_SECONDS = 3600  # the watchdog stays out of it
    users, conversation = chat["users"], chat["conversation"]
    target = await connect(users["member"], conversation)
    observer = await connect(users["rapporteur"], conversation)
    await database_sync_to_async(change)(chat, users["member"], target.cookie)
    assert target.output_queue.empty()  # nothing closed it yet: no signal, no watchdog
    event = await send_message(
        actor=users["political_officer"], conversation=conversation, body="بعد التغيير"
    )
    fence = await send_message(actor=users["political_officer"], conversation=conversation, body="سياج")
    assert [f["message"]["id"] for f in await frames_until_fence(observer, fence.pk)] == [event.pk, fence.pk]
    # the event itself closed the target instead of being forwarded, and nothing came after
    assert await closed_with(target) == CLOSE_SESSION_ENDED
    assert target.output_queue.empty()
    await observer.disconnect()


@pytest.mark.parametrize("change", changes.CHANGES, ids=lambda change: change.__name__)
async def test_after_a_change_the_watchdog_closes_the_socket_with_no_event(
    chat, change, settings, no_close_signal
):
    settings.CSSR_LIVENESS_WATCH_SECONDS = 0.1
    users, conversation = chat["users"], chat["conversation"]
    target = await connect(users["member"], conversation)
    observer = await connect(users["rapporteur"], conversation)
    await database_sync_to_async(change)(chat, users["member"], target.cookie)
    assert await closed_with(target) == CLOSE_SESSION_ENDED
    fence = await send_message(actor=users["political_officer"], conversation=conversation, body="سياج")
    assert [f["message"]["id"] for f in await frames_until_fence(observer, fence.pk)] == [fence.pk]
    assert target.output_queue.empty()
    await observer.disconnect()


async def test_the_close_signal_is_still_sent_where_it_was(chat, no_close_signal):
    users = chat["users"]
    for change in (
        changes.sign_out,
        changes.set_password_and_save,
        changes.deactivate,
        changes.staff_locks,
        changes.inactivity_job_locks,
    ):
        user = await database_sync_to_async(factories.add_member)(chat["space"], username=change.__name__)
        cookie = await database_sync_to_async(_cookie_for)(user)
        await database_sync_to_async(change)(chat, user, cookie)
        assert [user.pk] in no_close_signal, change.__name__
    await database_sync_to_async(changes.staff_removes)(chat, users["political_officer"], None)
    assert [users["political_officer"].pk] in no_close_signal


async def test_an_unrelated_change_closes_nobody_and_events_flow(chat, no_close_signal):
    """Another user's sign-out and new password, and a reinstatement, leave this socket alone."""
    users, conversation = chat["users"], chat["conversation"]
    socket = await connect(users["member"], conversation)
    other = await database_sync_to_async(_cookie_for)(users["rapporteur"])
    await database_sync_to_async(changes.sign_out)(chat, users["rapporteur"], other)
    locked = await database_sync_to_async(Membership.objects.get)(
        space=chat["space"], user=users["locked_member"]
    )
    await database_sync_to_async(workgroup_services.membership_reinstate)(
        actor=users["staff"], membership=locked
    )
    await database_sync_to_async(changes.set_password_and_save)(chat, users["rapporteur"], None)
    await socket.send_json_to({"type": "ping"})
    assert (await until(socket, "pong"))["type"] == "pong"
    message = await send_message(actor=users["rapporteur"], conversation=conversation, body="ما زلت هنا")
    assert [f["message"]["id"] for f in await frames_until_fence(socket, message.pk)] == [message.pk]
    await socket.disconnect()


async def test_a_session_ended_before_the_socket_was_authorised_is_refused(chat):
    from accounts import liveness

    cookie = await database_sync_to_async(_cookie_for)(chat["users"]["member"])
    await database_sync_to_async(liveness.sessions_ended)([cookie])
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{chat['conversation'].public_id}/",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    assert (await socket.connect(timeout=TIMEOUT))[0]
    assert await closed_with(socket) == CLOSE_SESSION_ENDED


@pytest.mark.parametrize(
    "change", ["session_expired", "password_replaced_in_the_database", "deactivated_in_bulk"]
)
async def test_the_session_check_closes_sockets_whose_session_stopped_authenticating(
    chat, change, settings, no_close_signal
):
    """Changes that send no signal at all (an expiry, a bulk UPDATE): the watchdog asks the session store."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.models import User

    settings.CSSR_LIVENESS_WATCH_SECONDS, settings.CSSR_LIVENESS_SESSION_SECONDS = 0.1, 0
    users, conversation = chat["users"], chat["conversation"]
    target = await connect(users["member"], conversation)
    observer = await connect(users["rapporteur"], conversation)
    members = User.objects.filter(pk=users["member"].pk)
    await database_sync_to_async(
        {
            "session_expired": lambda: Session.objects.filter(session_key=target.cookie).update(
                expire_date=timezone.now() - timedelta(seconds=1)
            ),
            "password_replaced_in_the_database": lambda: members.update(
                password=make_password("Bulk-secret-2254!")
            ),
            "deactivated_in_bulk": lambda: members.update(is_active=False),
        }[change]
    )()
    assert await closed_with(target) == CLOSE_SESSION_ENDED
    fence = await send_message(actor=users["political_officer"], conversation=conversation, body="سياج")
    assert [f["message"]["id"] for f in await frames_until_fence(observer, fence.pk)] == [fence.pk]
    assert target.output_queue.empty()
    await observer.disconnect()


async def test_a_store_that_cannot_be_read_closes_the_socket_instead_of_forwarding(
    chat, settings, monkeypatch
):
    from accounts import liveness

    settings.CSSR_LIVENESS_WATCH_SECONDS = 3600
    users, conversation = chat["users"], chat["conversation"]
    target = await connect(users["member"], conversation)
    observer = await connect(users["rapporteur"], conversation)

    async def unreachable(self, keys):
        raise ConnectionError("the store is down")

    monkeypatch.setattr(liveness._Process, "_values", unreachable)
    await observer.send_json_to({"type": "ping"})  # a client frame is checked too: the observer closes
    assert await closed_with(observer) == CLOSE_SESSION_ENDED
    await send_message(actor=users["political_officer"], conversation=conversation, body="والمخزن معطل")
    assert await closed_with(target) == CLOSE_SESSION_ENDED
    assert target.output_queue.empty()


async def test_checks_made_in_the_same_turn_share_one_read_of_the_store(monkeypatch):
    from accounts import liveness

    reads, read = [], liveness._Process._values

    async def counted(self, keys):
        reads.append(set(keys))
        return await read(self, keys)

    tickets = [
        await liveness.ticket_for(user_id=user_id, session_key=f"k{user_id:031d}") for user_id in (1, 2, 3)
    ]
    monkeypatch.setattr(liveness._Process, "_values", counted)
    assert await asyncio.gather(*(liveness.holds(ticket) for ticket in tickets)) == [True] * 3
    assert reads == [{key for ticket in tickets for key in ticket.keys}]
    await database_sync_to_async(liveness.users_changed)([2])
    assert [await liveness.holds(ticket) for ticket in tickets] == [True, False, True]


async def test_a_session_that_reaches_its_idle_limit_closes_its_socket_within_seconds(
    chat, settings, monkeypatch
):
    """No request moved the session past its idle limit: the socket closes within TIMEOUT of the limit,
    long before the periodic session check (held off here); a session whose person loaded a page in
    the meantime keeps its socket."""
    from accounts import sessions as lifetimes

    settings.CSSR_LIVENESS_WATCH_SECONDS = 0.1
    settings.CSSR_LIVENESS_SESSION_SECONDS = 3600
    clock = {"at": lifetimes.now()}
    monkeypatch.setattr(lifetimes, "now", lambda: clock["at"])
    users, conversation = chat["users"], chat["conversation"]
    idle = await connect(users["member"], conversation)
    active = await connect(users["rapporteur"], conversation)

    def load_a_page_in_the_active_session():
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = active.cookie
        assert client.get("/").status_code == 200

    clock["at"] += settings.CSSR_SESSION_IDLE_SECONDS - 60
    await database_sync_to_async(load_a_page_in_the_active_session)()
    clock["at"] += 61
    assert await closed_with(idle) == CLOSE_SESSION_ENDED
    message = await send_message(
        actor=users["political_officer"], conversation=conversation, body="ما زلت هنا"
    )
    assert [f["message"]["id"] for f in await frames_until_fence(active, message.pk)] == [message.pk]
    await active.disconnect()
