"""Insider limits in admin: operations staff manage the structure without reading participants' texts;
superusers can, and each reading is a line of the audit trail; nobody joins a space's role group by hand."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from accounts.audit import Action
from accounts.models import AuditEvent
from chat import services as chat_services
from chat.models import Message
from chat.models import Report as ChatReport
from documents.models import Draft, SectionRevision
from documents.services import drafts as services_drafts
from workgroups import services
from workgroups.models import AgendaItem, Concern, OutgoingEmail, Post, PostReport

from . import factories
from .conftest import client_for

pytestmark = pytest.mark.django_db

SEEDS = {
    "post": "seed-post-body-4e1f",
    "revision": "seed-post-earlier-9a2c",
    "concern": "seed-concern-text-5b7d",
    "agenda": "seed-agenda-text-1c8e",
    "chat": "seed-chat-message-6d3a",
    "section": "seed-draft-section-2f9b",
    "email": "seed-email-quote-8e4c",
}


@pytest.fixture
def texts(content):
    """Participants' texts of every kind admin could show, each with a marker no page may reveal."""
    space, users = content["space"], content["users"]
    member, rapporteur = users["member"], users["rapporteur"]
    thread = services.thread_create(actor=member, space=space, title="موضوع للمراجعة", body=SEEDS["revision"])
    post = thread.posts.get()
    services.post_edit(actor=member, post=post, body=SEEDS["post"])
    report = services.post_report(actor=rapporteur, post=post, reason="لغة غير لائقة")
    concern = services.concern_propose(
        actor=member,
        space=space,
        title="قضية",
        description=SEEDS["concern"],
        tags=["حقوق"],
        regions=["idlib"],
    )
    item = services.agenda_item_propose(actor=member, space=space, title="بند", description=SEEDS["agenda"])
    conversation = chat_services.space_conversation_get_or_create(space=space)
    message = chat_services.message_send(actor=member, conversation=conversation, body=SEEDS["chat"])
    chat_report = chat_services.message_report(actor=rapporteur, message=message, reason="إساءة")
    draft = services_drafts.draft_create(actor=member, space=space, title="ورقة")
    services_drafts.section_save(
        actor=member, section=draft.sections.get(), text=SEEDS["section"], base_revision=0
    )
    email = OutgoingEmail.objects.create(
        recipient=member,
        kind=OutgoingEmail.Kind.DIGEST,
        subject="ملخص",
        body=SEEDS["email"],
        html=f"<p>{SEEDS['email']}</p>",
    )
    return {
        **content,
        "post_obj": post,
        "report": report,
        "concern_obj": concern,
        "item": item,
        "message": message,
        "chat_report": chat_report,
        "draft_obj": draft,
        "revision_obj": SectionRevision.objects.get(section__draft=draft),
        "email": email,
    }


@pytest.fixture
def plain_staff(db):
    """Operations staff who are not superusers, holding every model permission there is."""
    user = factories.StaffFactory(username="plainstaff", is_superuser=False)
    user.user_permissions.set(Permission.objects.all())
    return user


def _assert_no_text(html, where):
    leaked = [name for name, marker in SEEDS.items() if marker in html]
    assert not leaked, f"{where} shows {leaked}"


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _change(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_staff_who_are_not_superusers_read_no_participant_text_anywhere_in_admin(texts, plain_staff):
    client = client_for(plain_staff)
    before = AuditEvent.objects.count()
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    opened = 0
    for model, model_admin in admin.site._registry.items():
        page = client.get(_changelist(model))
        assert page.status_code in (200, 403), (model, page.status_code)
        _assert_no_text(page.content.decode(), f"{model.__name__} list")
        if model_admin.search_fields:
            for marker in SEEDS.values():
                found = client.get(_changelist(model), {"q": marker})
                # The search box repeats the query; nothing else may show a text.
                _assert_no_text(found.content.decode().replace(marker, ""), f"{model.__name__} search")
                if found.status_code == 200:
                    assert found.context["cl"].result_count == 0, (model, marker)
        for obj in model._default_manager.all()[:30]:
            page = client.get(_change(obj))
            assert page.status_code in (200, 302, 403), (model, obj.pk, page.status_code)
            _assert_no_text(page.content.decode(), f"{model.__name__} #{obj.pk}")
            opened += page.status_code == 200
    assert opened > 20
    # The pages that would hold texts answered with a placeholder, or not at all.
    report_page = client.get(_change(texts["report"])).content.decode()
    assert "لغة غير لائقة" in report_page  # the reason, which staff decide from
    assert client.get(_change(texts["post_obj"])).status_code == 403
    assert client.get(_change(texts["message"])).status_code == 403
    assert client.get(_change(texts["revision_obj"])).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.BODY_VIEWED).exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("key", "seed"),
    [
        ("post_obj", "post"),
        ("post_obj", "revision"),
        ("report", "post"),
        ("concern_obj", "concern"),
        ("item", "agenda"),
        ("message", "chat"),
        ("chat_report", "chat"),
        ("draft_obj", "section"),
        ("revision_obj", "section"),
        ("email", "email"),
    ],
)
def test_a_superuser_reads_the_text_and_each_reading_is_recorded(texts, key, seed):
    superuser, obj = texts["users"]["staff"], texts[key]
    client = client_for(superuser)
    client.defaults["REMOTE_ADDR"] = "198.51.100.23"
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    list_page = client.get(_changelist(type(obj)))
    _assert_no_text(list_page.content.decode(), "a list")  # lists never hold texts, for anyone
    assert not AuditEvent.objects.filter(pk__gt=before).exists()
    for _time in range(2):
        page = client.get(_change(obj))
        assert page.status_code == 200 and SEEDS[seed] in page.content.decode()
    events = list(AuditEvent.objects.filter(pk__gt=before))
    expected_space = None if key == "email" else texts["space"].pk
    assert [(e.action, e.actor_id, e.target_type, e.target_id, e.space_id, e.address) for e in events] == [
        (
            Action.BODY_VIEWED,
            superuser.pk,
            f"{obj._meta.app_label}.{obj._meta.model_name}",
            str(obj.pk),
            expected_space,
            "198.51.100.0/24",
        )
    ] * 2


def test_a_superuser_viewing_a_page_without_text_leaves_no_line(texts):
    client = client_for(texts["users"]["staff"])
    before = AuditEvent.objects.count()
    assert client.get(_change(texts["space"])).status_code == 200
    assert client.get(_change(texts["thread"])).status_code == 200
    assert AuditEvent.objects.count() == before


def test_staff_who_are_not_superusers_still_hide_a_reported_post_from_admin(texts, plain_staff):
    report, post = texts["report"], texts["post_obj"]
    client = client_for(plain_staff)
    page = client.get(_change(report))
    assert page.status_code == 200 and "decision" in page.context["adminform"].form.fields
    assert (
        client.post(_change(report), {"decision": "hide", "note": "مخالفة لمدونة السلوك"}).status_code == 302
    )
    post.refresh_from_db()
    assert post.hidden_at is not None
    assert PostReport.objects.get(pk=report.pk).outcome == PostReport.Outcome.HIDDEN
    event = AuditEvent.objects.get(action=Action.MODERATION, target_id=str(post.pk))
    assert event.actor == plain_staff and event.details == {"kind": "hide"}


def test_staff_who_are_not_superusers_remove_a_reported_chat_message(texts, plain_staff):
    chat_report = texts["chat_report"]
    client = client_for(plain_staff)
    response = client.post(
        _changelist(ChatReport), {"action": "remove_messages", "_selected_action": [chat_report.pk]}
    )
    assert response.status_code == 302
    assert Message.objects.get(pk=texts["message"].pk).deleted_at is not None


def test_the_space_admin_grants_no_object_permissions(texts, plain_staff):
    with pytest.raises(NoReverseMatch):
        reverse("admin:workgroups_space_permissions", args=[texts["space"].pk])
    page = client_for(plain_staff).get(_change(texts["space"]))
    assert page.status_code == 200 and "/permissions/" not in page.content.decode()


# --- Role groups -------------------------------------------------------------------------------


def _role_group(space, role="rapporteur"):
    return Group.objects.get(name=f"space:{space.pk}:{role}")


def test_role_groups_are_not_listed_changed_or_created_in_the_group_admin(world):
    client = client_for(world["users"]["staff"])
    role_group = _role_group(world["space"])
    page = client.get(_changelist(Group)).content.decode()
    assert role_group.name not in page
    assert client.get(_change(role_group)).status_code == 302  # "does not exist" for admin
    assert (
        client.post(reverse("admin:auth_group_delete", args=[role_group.pk]), {"post": "yes"}).status_code
        == 302
    )
    assert Group.objects.filter(pk=role_group.pk).exists()
    response = client.post(
        reverse("admin:auth_group_add"), {"name": f"space:{world['space'].pk + 100}:member"}
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["name"]
    assert not Group.objects.filter(name__startswith=f"space:{world['space'].pk + 100}:").exists()
    assert client.post(reverse("admin:auth_group_add"), {"name": "translators"}).status_code == 302
    assert Group.objects.filter(name="translators").exists()


def _user_form_data(client, user, **changes):
    form = client.get(_change(user)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name not in ("password", "last_login", "date_joined")
    }
    data.update(
        {
            "expertise_areas": [],
            "user_permissions": [],
            "groups": [],
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.update(changes)
    return {
        name: value for name, value in data.items() if name in form.fields or name.startswith("date_joined")
    }


def test_the_user_form_offers_no_role_group_refuses_one_and_keeps_those_held(world):
    client = client_for(world["users"]["staff"])
    member, other_space = world["users"]["member"], world["other_space"]
    translators = Group.objects.create(name="translators")
    field = client.get(_change(member)).context["adminform"].form.fields["groups"]
    assert list(field.queryset) == [translators]
    held = set(member.groups.values_list("name", flat=True))
    assert held == {f"space:{world['space'].pk}:member"}

    intruding = _user_form_data(client, member, groups=[_role_group(other_space).pk])
    response = client.post(_change(member), intruding)
    assert response.status_code == 200 and response.context["adminform"].form.errors["groups"]
    assert set(member.groups.values_list("name", flat=True)) == held

    response = client.post(_change(member), _user_form_data(client, member, groups=[translators.pk]))
    assert response.status_code == 302
    assert set(member.groups.values_list("name", flat=True)) == held | {"translators"}


def test_staff_who_are_not_superusers_cannot_raise_privileges(world, plain_staff):
    client = client_for(plain_staff)
    member = world["users"]["member"]
    fields = client.get(_change(member)).context["adminform"].form.fields
    assert not {"is_superuser", "groups", "user_permissions"} & set(fields)
    data = _user_form_data(
        client, member, is_superuser="on", user_permissions=[Permission.objects.first().pk]
    )
    assert client.post(_change(member), data).status_code == 302
    member.refresh_from_db()
    assert not member.is_superuser and not member.user_permissions.exists()


def test_texts_stay_off_lists_and_searches_even_for_superusers(texts):
    client = client_for(texts["users"]["staff"])
    for model in (
        Post,
        Concern,
        AgendaItem,
        Message,
        Draft,
        SectionRevision,
        OutgoingEmail,
        PostReport,
        ChatReport,
    ):
        page = client.get(_changelist(model))
        assert page.status_code == 200
        _assert_no_text(page.content.decode(), f"{model.__name__} list")
    found = client.get(_changelist(Concern), {"q": SEEDS["concern"]})
    assert found.context["cl"].result_count == 0
