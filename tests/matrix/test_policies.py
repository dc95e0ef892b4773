"""The permission core's answers agree with each other, resource by resource.

For every role and every rule: `can_…` is True exactly when `check_…` does not raise; the `filter_…`
of a resource holds an object exactly when its user may view it; its audience holds exactly the users
who may view it. The expected answers are written out per role, so a change of the role table shows
here as a changed line (Wagtail's `assertUserPermissionMatrix` is the model).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from chat import services as chat_services
from chat.models import Conversation, Message
from documents.models import Draft
from documents.services import drafts as services_drafts
from events import services as event_services
from workgroups import access, services
from workgroups.access import Action
from workgroups.models import Post, Questionnaire, Space

ROLES = [
    "anonymous",
    "outsider",
    "other_member",
    "member",
    "locked_member",
    "rapporteur",
    "technical_officer",
    "political_officer",
    "staff",
]
ENTERING = {"member", "rapporteur", "technical_officer", "political_officer"}


def user_of(world, role):
    from django.contrib.auth.models import AnonymousUser

    return world["users"][role] or AnonymousUser()


def outcome(check, *args):
    """What a check says: "ok", 404 or 403."""
    try:
        check(*args)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return "ok"


def assert_agree(world, check, can, obj, expected):
    """`check` gives `expected[role]` for every role and `can` is True exactly when it is "ok"."""
    for role in ROLES:
        user = user_of(world, role)
        access.forget(user)
        found = outcome(check, user, obj)
        assert found == expected[role], (role, found)
        assert can(user, obj) is (found == "ok"), role


def everyone(value, **overrides):
    return {role: overrides.get(role, value) for role in ROLES}


HIDDEN = {"anonymous": 404, "outsider": 404, "other_member": 404, "locked_member": 403, "staff": 404}


@pytest.fixture
def thread(world):
    return services.thread_create(
        actor=world["users"]["member"], space=world["space"], title="موضوع", body="نص"
    )


def test_the_role_table_check_and_can_agree_in_an_active_space(world):
    space = world["space"]
    expectations = {
        Action.VIEW: everyone("ok", **HIDDEN),
        Action.CONTRIBUTE: everyone("ok", **HIDDEN, technical_officer=403),
        Action.MODERATE: everyone(403, **HIDDEN, technical_officer="ok"),
        Action.MANAGE_OUTPUTS: everyone(403, **HIDDEN, rapporteur="ok"),
    }
    for action, expected in expectations.items():
        assert_agree(
            world,
            lambda user, obj, a=action: access.check(user, a, obj),
            lambda user, obj, a=action: access.can(user, a, obj),
            space,
            expected,
        )


def test_a_concluded_space_is_read_only_for_every_role(world):
    space = world["space"]
    services.space_set_status(actor=None, space=space, status=Space.Status.CONCLUDED)
    space.refresh_from_db()
    for action in (Action.CONTRIBUTE, Action.MODERATE, Action.MANAGE_OUTPUTS):
        assert_agree(
            world,
            lambda user, obj, a=action: access.check(user, a, obj),
            lambda user, obj, a=action: access.can(user, a, obj),
            space,
            everyone(403, **HIDDEN),
        )
    assert_agree(world, access.check_writable, access.can_write, space, everyone(403, **HIDDEN))


def test_spaces_filter_and_audience_hold_exactly_who_may_view(world):
    space = world["space"]
    audience = set(access.audience(space).values_list("username", flat=True))
    for role in ROLES:
        user = user_of(world, role)
        may_view = access.can(user, Action.VIEW, space)
        assert (space in access.filter_spaces(user)) is may_view, role
        assert (space in access.visible(user, Space.objects.all())) is may_view, role
        if role != "anonymous":
            assert (user.username in audience) is may_view, role
    assert {user.username for user in access.audience(space)} == {"member", "rapporteur", "tech", "political"}


def test_who_may_reply_in_a_thread_and_change_or_report_a_post(world, thread):
    post = Post.objects.get(thread=thread)
    assert_agree(
        world,
        access.check_reply_thread,
        access.can_reply_thread,
        thread,
        everyone("ok", **HIDDEN, technical_officer=403),
    )
    assert_agree(
        world, access.check_change_post, access.can_change_post, post, everyone(403, **HIDDEN, member="ok")
    )
    for role in ROLES:  # the author may report their own post, but is not offered the control
        user = user_of(world, role)
        allowed = outcome(access.check_report_post, user, post) == "ok"
        assert access.can_report_post(user, post) is (allowed and role != "member"), role
        assert allowed is (role in ENTERING), role
    services.thread_set_closed(actor=world["users"]["rapporteur"], thread=thread, closed=True)
    thread.refresh_from_db()
    assert_agree(world, access.check_reply_thread, access.can_reply_thread, thread, everyone(403, **HIDDEN))
    for role in ROLES:
        user = user_of(world, role)
        may_view = access.can(user, Action.VIEW, thread)
        assert (thread in access.visible(user, type(thread).objects.all())) is may_view, role
        assert (post in access.visible(user, Post.objects.all())) is may_view, role


def test_who_may_change_a_document(world):
    from documents.models import Document

    space, member = world["space"], world["users"]["member"]
    document = Document.objects.create(space=space, title="وثيقة", created_by=member)
    assert_agree(
        world,
        access.check_change_document,
        access.can_change_document,
        document,
        everyone(403, **HIDDEN, member="ok", rapporteur="ok"),
    )
    for role in ROLES:
        user = user_of(world, role)
        assert (document in access.visible(user, Document.objects.all())) is access.can(
            user, Action.VIEW, document
        )


def test_who_may_edit_a_draft_and_the_final_note(world):
    space = world["space"]
    draft = services_drafts.draft_create(actor=world["users"]["member"], space=space, title="مسودة")
    note = Draft.objects.filter(
        space=space, kind=Draft.Kind.FINAL_NOTE
    ).first() or services_drafts.final_note_create(actor=world["users"]["rapporteur"], space=space)
    assert_agree(
        world,
        access.check_edit_draft,
        access.can_edit_draft,
        draft,
        everyone("ok", **HIDDEN, technical_officer=403),
    )
    assert_agree(
        world, access.check_edit_draft, access.can_edit_draft, note, everyone(403, **HIDDEN, rapporteur="ok")
    )


def test_the_outputs_inbox_is_for_operations_and_the_political_officer(world):
    expected = everyone(404, staff="ok", political_officer="ok")
    for role in ROLES:
        user = user_of(world, role)
        assert outcome(lambda u: access.check_receive_outputs(u), user) == expected[role], role
        assert access.can_receive_outputs(user) is (expected[role] == "ok"), role
        assert access.shows_outputs_inbox(user) is (expected[role] == "ok"), role


def test_who_may_read_and_write_the_space_chat_and_change_a_message(world):
    space = world["space"]
    conversation = chat_services.space_conversation_get_or_create(space=space)
    read = everyone("ok", **HIDDEN)
    post = everyone("ok", **HIDDEN, technical_officer=403)
    assert_agree(
        world,
        lambda u, c: access.check_conversation(u, "read", c),
        lambda u, c: access.can_conversation(u, "read", c),
        conversation,
        read,
    )
    assert_agree(
        world,
        lambda u, c: access.check_conversation(u, "post", c),
        lambda u, c: access.can_conversation(u, "post", c),
        conversation,
        post,
    )
    readers = access.conversation_audience_ids(conversation)
    for role in ROLES:
        user = user_of(world, role)
        may_read = read[role] == "ok"
        assert (conversation in access.filter_conversations(user, Conversation.objects.all())) is may_read, (
            role
        )
        if role != "anonymous":
            assert (user.pk in readers) is may_read, role
    message = chat_services.message_send(
        actor=world["users"]["member"], conversation=conversation, body="مرحبا"
    )
    message = Message.objects.select_related("conversation__space").get(pk=message.pk)
    assert_agree(
        world,
        access.check_change_message,
        lambda u, m: access.can_change_message(u, m, access.can_conversation(u, "post", m.conversation)),
        message,
        everyone(403, **HIDDEN, member="ok"),
    )


def test_who_may_change_and_answer_an_event(world):
    space = world["space"]
    start = timezone.now() + timezone.timedelta(days=2)
    event = event_services.event_create(
        actor=world["users"]["member"],
        space=space,
        title="اجتماع",
        description="",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
        time_zone="Asia/Damascus",
    )
    assert_agree(
        world,
        access.check_change_event,
        access.can_change_event,
        event,
        everyone(403, **HIDDEN, member="ok", rapporteur="ok"),
    )
    respond = everyone("ok", **HIDDEN)
    for role in ROLES:
        user = user_of(world, role)
        assert outcome(access.check_respond_event, user, event) == respond[role], role


def test_questionnaire_filter_and_audience_agree(world):
    space = world["space"]
    questionnaire = Questionnaire.objects.create(
        space=space,
        title="استبيان",
        created_by=world["users"]["rapporteur"],
        status=Questionnaire.Status.OPEN,
        opens_at=timezone.now(),
        audience=Questionnaire.Audience.SPACE,
    )
    audience = set(access.questionnaire_audience(questionnaire).values_list("pk", flat=True))
    for role in ROLES:
        user = user_of(world, role)
        addressed = access.filter_questionnaires(
            user, type(questionnaire).objects.filter(pk=questionnaire.pk)
        ).exists()
        if role == "anonymous":
            assert not addressed
            continue
        assert addressed is (user.pk in audience), role
        assert access.is_questionnaire_audience(user, questionnaire) is addressed, role
        expected = "ok" if addressed or role == "rapporteur" else (403 if role == "locked_member" else 404)
        assert (
            outcome(lambda u, q: access.check_questionnaire(u, "respond", q), user, questionnaire) == expected
        ), role
    assert audience == {
        world["users"][role].pk for role in ("member", "rapporteur", "technical_officer", "political_officer")
    }


def test_the_navigation_offers_the_outputs_inbox_to_whoever_the_core_admits(world, clients):
    inbox = reverse("documents:outputs-inbox")
    for role in ("member", "rapporteur", "technical_officer", "political_officer", "staff"):
        page = clients[role].get(reverse("workgroups:space-list")).content.decode()
        admitted = clients[role].get(inbox).status_code == 200
        assert (f'href="{inbox}"' in page) is admitted, role
        assert admitted is (role in ("political_officer", "staff")), role
    political = world["users"]["political_officer"]
    services.membership_leave(actor=None, membership=political.memberships.get(space=world["space"]))
    assert (
        f'href="{inbox}"'
        not in clients["political_officer"].get(reverse("workgroups:space-list")).content.decode()
    )
