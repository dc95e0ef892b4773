"""Discussions, concerns, agenda, notifications, search and moderation inside a space."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workgroups import services
from workgroups.models import (
    AgendaItem,
    Concern,
    Contribution,
    Membership,
    ModerationAction,
    Notification,
    Post,
    PostRevision,
    Space,
    Thread,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit hooks (notifications) of the code inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_discussion_reply_follow_and_mention_notifications(world, run_on_commit):
    space, users = world["space"], world["users"]
    member, rapporteur, officer = users["member"], users["rapporteur"], users["political_officer"]
    with run_on_commit():
        thread = services.thread_create(
            actor=member, space=space, title="الانتخابات المحلية", body="ما رأيكم؟"
        )
    # Everyone in the space hears of the new discussion, except its author and people outside.
    assert set(
        Notification.objects.filter(kind="new_thread").values_list("recipient__username", flat=True)
    ) == {"rapporteur", "tech", "political"}
    with run_on_commit():
        services.post_create(
            actor=rapporteur, thread=thread, body="أقترح أن نسأل @political عن التجارب السابقة"
        )
    assert Notification.objects.filter(kind="reply", recipient=member).count() == 1  # the author follows
    assert Notification.objects.filter(kind="mention", recipient=officer).count() == 1
    # A mention of someone outside the space notifies nobody.
    with run_on_commit():
        services.post_create(actor=member, thread=thread, body="@outsider @other")
    assert not Notification.objects.filter(recipient__username__in=["outsider", "other"]).exists()


def test_edit_keeps_the_previous_text_and_marks_the_post(world, clients):
    space, member = world["space"], world["users"]["member"]
    thread = services.thread_create(actor=member, space=space, title="موضوع", body="النص الأول")
    post = thread.posts.get()
    response = clients["member"].post(
        reverse("workgroups:post-edit", args=[space.pk, post.pk]), {"body": "النص الثاني"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "النص الثاني" and post.edited_at is not None
    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == ["النص الأول"]
    page = (
        clients["member"]
        .get(reverse("workgroups:thread-detail", args=[space.pk, thread.pk]))
        .content.decode()
    )
    assert "النص الثاني" in page and "النص الأول" not in page
    history = clients["technical_officer"].get(reverse("workgroups:post-history", args=[space.pk, post.pk]))
    assert "النص الأول" in history.content.decode()


def test_editing_or_deleting_another_members_post_is_refused_and_changes_nothing(world, clients):
    space = world["space"]
    thread = services.thread_create(actor=world["users"]["member"], space=space, title="موضوع", body="نصي")
    post = thread.posts.get()
    for url in (
        reverse("workgroups:post-edit", args=[space.pk, post.pk]),
        reverse("workgroups:post-delete", args=[space.pk, post.pk]),
    ):
        response = clients["rapporteur"].post(url, {"body": "تلاعب"})
        assert response.status_code == 403
    post.refresh_from_db()
    assert post.body == "نصي" and post.deleted_at is None and post.edited_at is None


def test_deleting_ones_post_is_soft_and_leaves_a_placeholder(world, clients):
    space = world["space"]
    thread = services.thread_create(
        actor=world["users"]["member"], space=space, title="موضوع", body="سأحذف هذا"
    )
    post = thread.posts.get()
    clients["member"].post(reverse("workgroups:post-delete", args=[space.pk, post.pk]))
    post.refresh_from_db()
    assert post.deleted_at is not None
    page = (
        clients["rapporteur"]
        .get(reverse("workgroups:thread-detail", args=[space.pk, thread.pk]))
        .content.decode()
    )
    assert "سأحذف هذا" not in page


def _listed_counts(client, space):
    """{title: the post count the list of discussions shows}."""
    page = client.get(reverse("workgroups:thread-list", args=[space.pk]))
    return {thread.title: thread.post_count for thread in page.context["page"]}


def test_the_list_counts_the_posts_not_deleted_as_the_services_keep_them(world, clients):
    space, member, rapporteur = world["space"], world["users"]["member"], world["users"]["rapporteur"]
    thread = services.thread_create(actor=member, space=space, title="المياه", body="البداية")
    assert _listed_counts(clients["member"], space) == {"المياه": 1}
    first = services.post_create(actor=rapporteur, thread=thread, body="رد أول")
    services.post_create(actor=member, thread=thread, body="رد ثان")
    assert _listed_counts(clients["member"], space) == {"المياه": 3}
    services.post_hide(actor=world["users"]["technical_officer"], post=first, reason="مخالفة")
    assert _listed_counts(clients["member"], space) == {"المياه": 3}  # hidden, not deleted
    own = services.post_create(actor=member, thread=thread, body="سأحذفه")
    stale = Post.objects.get(pk=own.pk)  # the same post open in a second tab
    clients["member"].post(reverse("workgroups:post-delete", args=[space.pk, own.pk]))
    with pytest.raises(ValidationError):
        services.post_delete(actor=member, post=Post.objects.get(pk=own.pk))
    services.post_delete(actor=member, post=stale)  # deleted meanwhile: counted off once
    assert _listed_counts(clients["member"], space) == {"المياه": 3}
    assert Thread.objects.get(pk=thread.pk).post_count == thread.posts.filter(deleted_at__isnull=True).count()
    concern = services.concern_propose(actor=member, space=space, title="هم", description="وصف")
    assert concern.thread.post_count == 1


def test_the_migration_counts_the_posts_of_existing_discussions(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("workgroups.migrations.0018_thread_post_count")
    space, member = world["space"], world["users"]["member"]
    busy = services.thread_create(actor=member, space=space, title="نقاش", body="أول")
    services.post_create(actor=member, thread=busy, body="ثان")
    services.post_delete(actor=member, post=services.post_create(actor=member, thread=busy, body="ثالث"))
    Thread.objects.update(post_count=0)  # as before the column existed
    migration.count_posts(apps, None)
    assert Thread.objects.get(pk=busy.pk).post_count == 2


@pytest.mark.parametrize("body", ["", "   ", "x" * 20001])
def test_empty_or_oversized_bodies_are_refused(world, clients, body):
    space = world["space"]
    response = clients["member"].post(
        reverse("workgroups:thread-list", args=[space.pk]), {"title": "عنوان", "body": body}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Thread.objects.exists()


def test_closed_discussion_and_concluded_space_refuse_replies(world, clients):
    space, member = world["space"], world["users"]["member"]
    thread = services.thread_create(actor=member, space=space, title="موضوع", body="نص")
    clients["rapporteur"].post(
        reverse("workgroups:thread-manage", args=[space.pk, thread.pk]), {"action": "close"}
    )
    with pytest.raises(ValidationError):
        services.post_create(actor=member, thread=Thread.objects.get(pk=thread.pk), body="رد")
    response = clients["member"].post(
        reverse("workgroups:thread-detail", args=[space.pk, thread.pk]), {"body": "رد"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    services.space_set_status(actor=None, space=space, status=Space.Status.CONCLUDED)
    response = clients["member"].post(
        reverse("workgroups:thread-list", args=[space.pk]), {"title": "ت", "body": "ن"}
    )
    assert response.status_code == 403
    assert Post.objects.count() == 1


def test_hostile_markdown_in_a_post_is_neutralised(world, clients):
    space = world["space"]
    body = (
        "<script>alert(1)</script> [x](javascript:alert(1)) ![p](https://evil.example/p.png) "
        "<img src=x onerror=alert(1)>"
    )
    thread = services.thread_create(
        actor=world["users"]["member"], space=space, title="<b>عنوان</b>", body=body
    )
    page = (
        clients["member"]
        .get(reverse("workgroups:thread-detail", args=[space.pk, thread.pk]))
        .content.decode()
    )
    main = page.split('id="main"', 1)[1]
    assert "<script>alert" not in main and "javascript:" not in main and "<img" not in main
    assert "&lt;b&gt;عنوان&lt;/b&gt;" in main


def test_concerns_endorse_once_filter_sort_and_summarise(world, clients):
    space, users = world["space"], world["users"]
    first = services.concern_propose(
        actor=users["member"],
        space=space,
        title="الحق في السكن",
        description="وصف",
        tags=["سكن"],
        regions=["homs"],
    )
    second = services.concern_propose(
        actor=users["rapporteur"],
        space=space,
        title="حرية التنقل",
        description="وصف",
        tags=["تنقل"],
        regions=["idlib"],
    )
    services.concern_endorse(actor=users["political_officer"], concern=second)
    services.concern_endorse(actor=users["member"], concern=second)
    with pytest.raises(ValidationError):
        services.concern_endorse(actor=users["member"], concern=Concern.objects.get(pk=second.pk))
    assert Concern.objects.get(pk=second.pk).endorsement_count == 2
    url = reverse("workgroups:concern-list", args=[space.pk])
    listed = lambda **query: [c.pk for c in clients["member"].get(url, query).context["page"]]  # noqa: E731
    assert listed() == [second.pk, first.pk]
    assert listed(sort="oldest") == [first.pk, second.pk]
    assert listed(region="homs") == [first.pk]
    assert listed(tag="تنقل") == [second.pk]
    services.concern_set_status(actor=users["rapporteur"], concern=first, status="agreed", priority=3)
    assert listed(status="agreed") == [first.pk]
    assert listed(sort="priority")[0] == first.pk
    summary = clients["member"].get(reverse("workgroups:concern-summary", args=[space.pk])).context
    assert summary["total"] == 2
    assert {row["label"]: row["count"] for row in summary["tags"]} == {"سكن": 1, "تنقل": 1}


def test_concern_export_names_no_author_and_defuses_formulas(world, clients):
    space, member = world["space"], world["users"]["member"]
    services.concern_propose(
        actor=member, space=space, title='=HYPERLINK("http://evil")', description="نص القضية"
    )
    response = clients["rapporteur"].get(reverse("workgroups:concern-export", args=[space.pk]))
    content = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][0].startswith("'=")
    assert member.display_name not in content and member.username not in content


def test_agenda_members_propose_rapporteurs_accept_and_order(world, clients):
    space, users = world["space"], world["users"]
    a = services.agenda_item_propose(actor=users["member"], space=space, title="البند الأول")
    b = services.agenda_item_propose(actor=users["member"], space=space, title="البند الثاني")
    update = reverse("workgroups:agenda-update", args=[space.pk])
    assert clients["member"].post(update, {"item": a.pk, "status": "planned"}).status_code == 403
    clients["rapporteur"].post(update, {"item": a.pk, "status": "planned"})
    clients["rapporteur"].post(update, {"item": b.pk, "status": "in_discussion"})
    clients["rapporteur"].post(update, {"item": b.pk, "move": "up"})
    assert list(AgendaItem.objects.filter(space=space).order_by("position").values_list("pk", flat=True)) == [
        b.pk,
        a.pk,
    ]
    home = clients["member"].get(reverse("workgroups:space-detail", args=[space.pk]))
    assert [item.pk for item in home.context["agenda"]] == [b.pk, a.pk]


def test_notifications_from_a_space_the_user_left_are_no_longer_shown(world, clients, run_on_commit):
    space, member = world["space"], world["users"]["member"]
    with run_on_commit():
        services.thread_create(actor=world["users"]["rapporteur"], space=space, title="سري", body="نص")
    listing = clients["member"].get(reverse("workgroups:notification-list"))
    assert [n.title for n in listing.context["page"]] == ["سري"]
    assert listing.context["unread_notifications"] == 1
    services.membership_lock(actor=None, membership=Membership.objects.get(space=space, user=member))
    listing = clients["member"].get(reverse("workgroups:notification-list"))
    assert list(listing.context["page"]) == []
    assert "سري" not in listing.content.decode()


def test_muted_kinds_are_not_created(world, clients, run_on_commit):
    clients["member"].post(reverse("workgroups:notification-settings"), {"kinds": ["reply", "mention"]})
    with run_on_commit():
        services.thread_create(
            actor=world["users"]["rapporteur"], space=world["space"], title="موضوع", body="نص"
        )
    assert not Notification.objects.filter(recipient=world["users"]["member"]).exists()


@pytest.mark.parametrize(
    ("indexed", "query"),
    [
        ("الانتخابات البلدية", "الإنتخابات"),
        ("مسؤولية الدولة", "مسئولية"),
        ("مدرسة القرية", "مدرسه"),
        ("العَدَالة الانتقالية", "العدالة"),
    ],
)
def test_search_is_arabic_aware(world, clients, indexed, query):
    services.thread_create(actor=world["users"]["member"], space=world["space"], title=indexed, body="نص")
    results = clients["member"].get(reverse("workgroups:search"), {"q": query}).context["results"]
    assert [r.title for r in results if r.kind == "thread"] == [indexed]
    assert "<mark>" in str(results[0].excerpt)


def test_search_finds_nothing_the_user_may_not_see(world, clients):
    space = world["space"]
    thread = services.thread_create(
        actor=world["users"]["member"], space=space, title="خطة سرية", body="تفاصيل سرية"
    )
    post = services.post_create(actor=world["users"]["member"], thread=thread, body="رد مخفي سرية")
    services.post_hide(actor=world["users"]["technical_officer"], post=post, reason="مخالفة")
    for role in ("outsider", "other_member", "locked_member"):
        assert clients[role].get(reverse("workgroups:search"), {"q": "سرية"}).context["results"] == []
    kinds = [
        r.kind for r in clients["member"].get(reverse("workgroups:search"), {"q": "مخفي"}).context["results"]
    ]
    assert "post" not in kinds


def test_a_ten_thousand_character_query_is_answered_not_crashed(world, clients):
    response = clients["member"].get(reverse("workgroups:search"), {"q": "س" * 10_000})
    assert response.status_code == 200
    assert list(response.context["messages"])


def test_report_hide_restore_and_warn(world, clients, run_on_commit):
    space, users = world["space"], world["users"]
    thread = services.thread_create(actor=users["member"], space=space, title="موضوع", body="نص مسيء")
    post = thread.posts.get()
    with run_on_commit():
        clients["rapporteur"].post(
            reverse("workgroups:post-report", args=[space.pk, post.pk]), {"reason": "إساءة"}
        )
    assert Notification.objects.filter(recipient=users["technical_officer"], kind="moderation").exists()
    queue = reverse("workgroups:moderation-queue", args=[space.pk])
    assert [r.post_id for r in clients["technical_officer"].get(queue).context["reports"]] == [post.pk]
    clients["technical_officer"].post(
        queue, {"post": post.pk, "action": "hide", "reason": "مخالفة لمدونة السلوك"}
    )
    page = (
        clients["rapporteur"]
        .get(reverse("workgroups:thread-detail", args=[space.pk, thread.pk]))
        .content.decode()
    )
    assert "نص مسيء" not in page
    assert (
        "نص مسيء"
        in clients["technical_officer"]
        .get(reverse("workgroups:thread-detail", args=[space.pk, thread.pk]))
        .content.decode()
    )
    with run_on_commit():
        clients["technical_officer"].post(
            queue, {"post": post.pk, "action": "warn", "reason": "يرجى احترام المدونة"}
        )
    warnings = Notification.objects.filter(kind="moderation", title="يرجى احترام المدونة")
    assert list(warnings.values_list("recipient__username", flat=True)) == ["member"]
    clients["technical_officer"].post(queue, {"post": post.pk, "action": "restore", "reason": "بعد المراجعة"})
    post.refresh_from_db()
    assert post.hidden_at is None
    assert list(ModerationAction.objects.values_list("kind", flat=True).order_by("pk")) == [
        "hide",
        "warn",
        "restore",
    ]
    # A hide without a reason changes nothing.
    clients["technical_officer"].post(queue, {"post": post.pk, "action": "hide", "reason": ""})
    post.refresh_from_db()
    assert post.hidden_at is None


def test_the_technical_officer_cannot_post(world):
    with pytest.raises(PermissionDenied):
        from workgroups import access

        access.check(world["users"]["technical_officer"], access.Action.CONTRIBUTE, world["space"])


def test_every_contribution_is_recorded_and_moves_the_inactivity_clock(world):
    space, member = world["space"], world["users"]["member"]
    membership = Membership.objects.get(space=space, user=member)
    Membership.objects.filter(pk=membership.pk).update(last_contribution_at=None, state="warned")
    thread = services.thread_create(actor=member, space=space, title="موضوع", body="نص")
    services.post_create(actor=member, thread=thread, body="رد")
    concern = services.concern_propose(actor=member, space=space, title="قضية", description="وصف")
    services.concern_endorse(actor=world["users"]["rapporteur"], concern=concern)
    services.agenda_item_propose(actor=member, space=space, title="بند")
    kinds = sorted(Contribution.objects.filter(user=member).values_list("kind", flat=True))
    assert kinds == ["agenda_item", "concern", "post", "thread"]
    membership.refresh_from_db()
    assert membership.last_contribution_at is not None and membership.state == "active"


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_thread_page_queries_do_not_grow_with_posts(world, clients, django_assert_num_queries):
    space, member = world["space"], world["users"]["member"]
    thread = services.thread_create(actor=member, space=space, title="موضوع طويل", body="نص")
    url = reverse("workgroups:thread-detail", args=[space.pk, thread.pk])
    Post.objects.bulk_create(Post(thread=thread, author=member, body=f"رد {i}") for i in range(9))
    few = _count(clients["rapporteur"], url)
    Post.objects.bulk_create(
        Post(thread=thread, author=member, body=f"رد {i}", quote_of=thread.posts.first()) for i in range(190)
    )
    many = _count(clients["rapporteur"], url + "?page=3")
    assert few == many
    with django_assert_num_queries(few):
        clients["rapporteur"].get(url)


def test_concern_list_queries_do_not_grow_with_concerns(world, clients):
    space, member = world["space"], world["users"]["member"]
    url = reverse("workgroups:concern-list", args=[space.pk])
    for index in range(10):
        services.concern_propose(
            actor=member, space=space, title=f"قضية {index}", description="وصف", tags=["أ"], regions=["homs"]
        )
    few = _count(clients["member"], url)
    for index in range(40):
        services.concern_propose(
            actor=member,
            space=space,
            title=f"قضية ب{index}",
            description="وصف",
            tags=["ب"],
            regions=["idlib", "homs"],
        )
    assert _count(clients["member"], url) == few


def test_staff_hide_a_reported_post_from_admin_with_a_reason(world, clients):
    space = world["space"]
    thread = services.thread_create(actor=world["users"]["member"], space=space, title="موضوع", body="نص")
    post = thread.posts.get()
    report = services.post_report(actor=world["users"]["rapporteur"], post=post, reason="إساءة")
    url = reverse("admin:workgroups_postreport_change", args=[report.pk])
    assert clients["staff"].post(url, {"decision": "hide", "note": ""}).status_code == 200
    post.refresh_from_db()
    assert post.hidden_at is None
    assert clients["staff"].post(url, {"decision": "hide", "note": "مخالفة"}).status_code == 302
    post.refresh_from_db()
    report.refresh_from_db()
    assert post.hidden_at is not None and report.outcome == "hidden"
