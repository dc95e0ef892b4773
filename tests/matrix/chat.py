"""Access-matrix rows and fixture content of the chat capability (joined in tests/matrix/__init__.py).

The world holds the space's conversation with a member's message (reported by the rapporteur), a
group conversation of the member and the rapporteur, and their one-to-one conversation.
"""

from .core import LOGIN, POSTERS, Row, expect, signed_in, space_action, space_view

ROWS = []


def content(world):
    """Objects of this capability in `world["space"]` that the rows need.

    Merged into the `content` fixture.
    """
    from chat import services

    users = world["users"]
    member, rapporteur = users["member"], users["rapporteur"]
    conversation = services.space_conversation_get_or_create(space=world["space"])
    message = services.message_send(actor=member, conversation=conversation, body="مرحباً بالجميع")
    report = services.message_report(actor=rapporteur, message=message, reason="لغة غير لائقة")
    group = services.group_conversation_create(
        actor=member, space=world["space"], title="لجنة الصياغة", members=[rapporteur]
    )
    services.message_send(actor=rapporteur, conversation=group, body="لنبدأ بالمسودة")
    direct = services.direct_conversation_open(actor=member, other=rapporteur)
    return {
        "chat_conversation": conversation,
        "chat_message": message,
        "chat_report": report,
        "chat_group": group,
        "chat_direct": direct,
    }


def _conversation(world):
    return [world["chat_conversation"].public_id]


def _message(world):
    return [world["chat_conversation"].public_id, world["chat_message"].pk]


def _space(world):
    return [world["space"].pk]


PARTICIPANTS = expect(404, anonymous=LOGIN, member=200, rapporteur=200)

ROWS += [
    Row("chat:conversation-list", signed_in(200)),
    # one-to-one: with someone one shares an active space with, or with operations staff
    Row(
        "chat:direct-open",
        expect(404, anonymous=LOGIN, member=302, technical_officer=302, political_officer=302, staff=302),
        method="post",
        data=lambda w: {"user": w["users"]["rapporteur"].pk},
        note="with the rapporteur",
    ),
    Row(
        "chat:direct-open",
        expect(302, anonymous=LOGIN, staff=404),
        method="post",
        data=lambda w: {"user": w["users"]["staff"].pk},
        note="with the operations support team",
    ),
    Row("chat:space-chat", space_view(302), args=_space),
    Row("chat:conversation-detail", space_view(200), args=_conversation, note="the space's conversation"),
    Row(
        "chat:conversation-detail",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_conversation,
        data=lambda w: {"body": "رسالة جديدة"},
        note="the space's conversation",
    ),
    Row(
        "chat:conversation-detail",
        PARTICIPANTS,
        args=lambda w: [w["chat_group"].public_id],
        note="a group conversation",
    ),
    Row(
        "chat:conversation-detail",
        PARTICIPANTS,
        args=lambda w: [w["chat_direct"].public_id],
        note="a one-to-one conversation",
    ),
    Row("chat:conversation-since", space_view(200), args=_conversation, data=lambda w: {"after": "0"}),
    Row(
        "chat:conversation-read",
        space_view(302),
        method="post",
        args=_conversation,
        data=lambda w: {"message": str(w["chat_message"].pk)},
    ),
    Row(
        "chat:conversation-preferences",
        space_view(302),
        method="post",
        args=_conversation,
        data=lambda w: {"hide_read_marker": "1"},
    ),
    Row(
        "chat:conversation-leave",
        expect(404, anonymous=LOGIN, member=302, rapporteur=302),
        method="post",
        args=lambda w: [w["chat_group"].public_id],
        note="a group conversation",
    ),
    Row(
        "chat:message-edit",
        space_action(200, allowed=["member"]),
        args=_message,
        note="the member's own message",
    ),
    Row(
        "chat:message-edit",
        space_action(302, allowed=["member"]),
        method="post",
        args=_message,
        data=lambda w: {"body": "نص معدل"},
    ),
    Row(
        "chat:message-delete",
        space_action(302, allowed=["member", "technical_officer"]),
        method="post",
        args=_message,
        note="the author, or the technical officer",
    ),
    Row("chat:message-report", space_view(200), args=_message),
    Row(
        "chat:message-report",
        space_view(302, member=200, rapporteur=200),
        method="post",
        args=_message,
        data=lambda w: {"reason": "مخالفة"},
        note="own message / already reported: the form again",
    ),
    Row("chat:group-create", space_action(200, allowed=POSTERS), args=_space),
    Row(
        "chat:group-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=lambda w: {"title": "مجموعة صغيرة", "members": [w["users"]["technical_officer"].pk]},
    ),
    Row("chat:report-list", space_action(200, allowed=["technical_officer"]), args=_space),
    Row(
        "chat:report-list",
        space_action(302, allowed=["technical_officer"]),
        method="post",
        args=_space,
        data=lambda w: {"report": w["chat_report"].pk, "action": "handled"},
    ),
]
