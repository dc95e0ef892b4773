"""Query budgets of the main pages: a page's number of database queries does not grow with the data.

Each page is measured in a small world (the `content` fixture and one more item of each kind, so that
every kind a page may show is there), then again after many more threads, posts, members, documents
and versions, drafts and revisions, events, answers, messages, conversations, reports, notifications
and sessions are added. A page fails if its count grows (an N+1 query: the failure names the query
that repeats), or if it passes its ceiling (the count measured when the ceiling was set).
"""

import collections
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from . import factories
from .conftest import client_for
from .matrix.documents import text_upload

pytestmark = pytest.mark.django_db

GROWTH = 15  # how many more of each kind the large world holds


def _month(moment):
    return timezone.localtime(moment).strftime("%Y-%m")


def _pages(world):
    """(page, role, url) for each main page, the role being who opens it."""
    space = world["space"].pk
    draft, section = world["draft"], world["section"]
    questionnaire = world["space_questionnaire"].pk
    return [
        ("home", "member", reverse("workgroups:space-list")),
        ("space home", "member", reverse("workgroups:space-detail", args=[space])),
        ("discussions", "member", reverse("workgroups:thread-list", args=[space])),
        ("thread", "member", world["thread"].get_absolute_url()),
        ("concerns", "member", reverse("workgroups:concern-list", args=[space])),
        ("concern", "member", reverse("workgroups:concern-detail", args=[space, world["concern"].pk])),
        ("agenda", "member", reverse("workgroups:agenda", args=[space])),
        ("documents", "member", reverse("documents:document-list", args=[space])),
        ("document", "member", reverse("documents:document-detail", args=[space, world["document"].pk])),
        ("drafts", "member", reverse("documents:draft-list", args=[space])),
        ("draft", "member", reverse("documents:draft-detail", args=[space, draft.pk])),
        (
            "section history",
            "member",
            reverse("documents:section-history", args=[space, draft.pk, section.pk]),
        ),
        ("archive", "member", reverse("documents:archive-list")),
        ("archive entry", "member", reverse("documents:archive-detail", args=[world["archive_entry"].pk])),
        (
            "calendar month",
            "member",
            reverse("events:event-month", args=[space]) + f"?month={_month(world['event'].starts_at)}",
        ),
        ("events", "member", reverse("events:event-list", args=[space])),
        ("event", "member", reverse("events:event-detail", args=[space, world["event"].pk])),
        ("questionnaires", "member", reverse("workgroups:questionnaire-list")),
        ("space questionnaires", "member", reverse("workgroups:space-questionnaire-list", args=[space])),
        ("questionnaire", "member", reverse("workgroups:questionnaire-respond", args=[questionnaire])),
        ("results", "rapporteur", reverse("workgroups:questionnaire-results", args=[questionnaire])),
        ("chat list", "member", reverse("chat:conversation-list")),
        (
            "conversation",
            "member",
            reverse("chat:conversation-detail", args=[world["chat_conversation"].public_id]),
        ),
        ("notifications", "member", reverse("workgroups:notification-list")),
        ("search", "member", reverse("workgroups:search") + "?q=" + "الدستور"),
        ("profile", "member", reverse("accounts:profile")),
        ("sessions", "member", reverse("usersessions_list")),
        ("moderation", "technical_officer", reverse("workgroups:moderation-queue", args=[space])),
        ("outputs inbox", "political_officer", reverse("documents:outputs-inbox")),
        ("balance report", "staff", reverse("workgroups:balance-report")),
        # the same pages as other roles see them (their controls, their permission paths)
        ("home (staff)", "staff", reverse("workgroups:space-list")),
        ("space home (rapporteur)", "rapporteur", reverse("workgroups:space-detail", args=[space])),
        ("thread (rapporteur)", "rapporteur", world["thread"].get_absolute_url()),
        ("concerns (rapporteur)", "rapporteur", reverse("workgroups:concern-list", args=[space])),
        ("draft (rapporteur)", "rapporteur", reverse("documents:draft-detail", args=[space, draft.pk])),
        ("events (political officer)", "political_officer", reverse("events:event-list", args=[space])),
        ("questionnaires (staff)", "staff", reverse("workgroups:questionnaire-list")),
        (
            "results (staff)",
            "staff",
            reverse("workgroups:questionnaire-results", args=[world["platform_questionnaire"].pk]),
        ),
        ("search (staff)", "staff", reverse("workgroups:search") + "?q=" + "الدستور"),
        ("outputs inbox (staff)", "staff", reverse("documents:outputs-inbox")),
    ]


# The count measured in the large world when the ceiling was set: a page that passes it has
# become more expensive, whatever the data.
CEILINGS = {
    "home": 9,
    "space home": 15,
    "discussions": 9,
    "thread": 16,
    "concerns": 11,
    "concern": 11,
    "agenda": 12,
    "documents": 12,
    "document": 12,
    "drafts": 10,
    "draft": 10,
    "section history": 11,
    "archive": 9,
    "archive entry": 7,
    "calendar month": 8,
    "events": 9,
    "event": 11,
    "questionnaires": 7,
    "space questionnaires": 8,
    "questionnaire": 12,
    "results": 14,
    "chat list": 13,
    "conversation": 18,
    "notifications": 8,
    "search": 26,
    "profile": 6,
    "sessions": 8,
    "moderation": 8,
    "outputs inbox": 8,
    "balance report": 11,
    "home (staff)": 6,
    "space home (rapporteur)": 14,
    "thread (rapporteur)": 15,
    "concerns (rapporteur)": 10,
    "draft (rapporteur)": 9,
    "events (political officer)": 8,
    "questionnaires (staff)": 7,
    "results (staff)": 14,
    "search (staff)": 15,
    "outputs inbox (staff)": 7,
}


def _shape(sql):
    """A query with its values blanked, so that the same query for another row reads the same."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\?, )+\?\)", "(?)", sql)


def _repeated(small, large):
    """The queries the large world runs more often than the small one, with both counts."""
    before, after = collections.Counter(map(_shape, small)), collections.Counter(map(_shape, large))
    return [f"{before[sql]} -> {after[sql]} times: {sql[:400]}" for sql in after if after[sql] > before[sql]]


def _measure(clients, world):
    counts = {}
    for page, role, url in _pages(world):
        client = clients[role]
        client.get(url)  # warm the caches a page fills on first sight
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (page, url, response.status_code)
        counts[page] = (
            len(queries),
            [query["sql"] for query in queries.captured_queries],
            len(response.content),
        )
    return counts


def _grow(world, settings, *, count, prefix):
    """`count` more of each kind around the pages of `_pages`, by `count` more people (their names
    begin with `prefix`)."""
    from allauth.usersessions.models import UserSession

    from chat import services as chat
    from documents.services import drafts, library
    from events import services as events
    from workgroups import services
    from workgroups.models import Question, Role, Space

    settings.CSSR_CHAT_RATE_MESSAGES = 10_000
    space, users = world["space"], world["users"]
    member, rapporteur = users["member"], users["rapporteur"]
    political, staff = users["political_officer"], users["staff"]
    thread, concern, document = world["thread"], world["concern"], world["document"]
    section, conversation = world["section"], world["chat_conversation"]
    questionnaire = world["space_questionnaire"]
    single = questionnaire.questions.get(kind=Question.Kind.SINGLE)
    option = single.options.first()
    platform = world["platform_questionnaire"]
    region = platform.questions.get()
    homs = region.options.get(code="homs")
    event_start = world["event"].starts_at
    people = []
    for n in range(count):
        person = factories.add_member(space, username=f"{prefix}{n}", display_name=f"عضو إضافي {n}")
        people.append(person)
        new_thread = services.thread_create(
            actor=person, space=space, title=f"نقاش الدستور {n}", body=f"افتتاح النقاش @member {n}"
        )
        for k in range(3):
            post = services.post_create(actor=person, thread=new_thread, body=f"رد {k}")
        services.post_report(actor=rapporteur, post=post, reason=f"بلاغ {n}")
        services.post_create(actor=person, thread=thread, body=f"رد على الدستور {n}")
        services.concern_endorse(actor=person, concern=concern)
        services.concern_propose(
            actor=person,
            space=space,
            title=f"قضية الدستور {n}",
            description="وصف",
            tags=[f"وسم {n}"],
            regions=["idlib"],
        )
        services.agenda_item_propose(actor=person, space=space, title=f"بند {n}")
        library.document_version_add(
            actor=person, document=document, upload=text_upload(f"نسخة {n}.txt", f"الدستور نسخة {n}")
        )
        library.document_create(
            actor=person,
            space=space,
            title=f"ورقة الدستور {n}",
            upload=text_upload(f"ورقة {n}.txt", "نص"),
            folder=f"مجلد {n % 3}",
            tags=[f"وسم {n}"],
        )
        section.refresh_from_db()
        drafts.section_save(
            actor=person, section=section, text=f"نص الدستور {n}", base_revision=section.revision_number
        )
        drafts.comment_create(actor=person, section=section, body=f"تعليق {n}")
        drafts.draft_create(actor=person, space=space, title=f"مسودة الدستور {n}")
        event = events.event_create(
            actor=person,
            space=space,
            title=f"اجتماع الدستور {n}",
            description="",
            starts_at=event_start + datetime.timedelta(minutes=10 * (n + 1)),
            ends_at=event_start + datetime.timedelta(minutes=10 * (n + 1), hours=1),
            time_zone="Asia/Damascus",
        )
        events.event_respond(actor=person, event=world["event"], answer="going")
        events.event_respond(actor=member, event=event, answer="maybe")
        services.submission_save(
            actor=person, questionnaire=questionnaire, values={single: option}, submit=True
        )
        services.submission_save(actor=person, questionnaire=platform, values={region: homs}, submit=True)
        message = chat.message_send(actor=person, conversation=conversation, body=f"رسالة عن الدستور {n}")
        chat.message_report(actor=rapporteur, message=message, reason=f"بلاغ {n}")
        chat.message_send(actor=member, conversation=conversation, body=f"جواب {n}")
        direct = chat.direct_conversation_open(actor=member, other=person)
        chat.message_send(actor=person, conversation=direct, body=f"رسالة خاصة {n}")
        UserSession.objects.create(  # another browser the member is signed in on
            user=member,
            session_key=client_for(member).session.session_key,
            ip="203.0.113.9",
            user_agent=f"Firefox {n}",
        )
    for n in range(max(1, count // 5)):
        other = factories.make_space(name=f"مجموعة إضافية {n}", name_en=f"Extra group {n}")
        factories.add_member(other, user=political, role=Role.POLITICAL_OFFICER)
        factories.add_member(other, user=member)
        writer = factories.add_member(other, role=Role.RAPPORTEUR)
        note = drafts.final_note_create(actor=writer, space=other, title=f"مذكرة {n}")
        drafts.section_save(
            actor=writer, section=note.sections.get(key="introduction"), text="مقدمة", base_revision=0
        )
        for step in ("open_for_comments", "joint_proposal", "submitted"):
            drafts.draft_transition(actor=writer, draft=note, to=step)
        for _k in range(3):
            factories.add_member(other)
        concluded = factories.make_space(name=f"دورة منتهية {n}", name_en=f"Concluded {n}")
        factories.add_member(concluded, user=member)
        services.space_set_status(actor=None, space=concluded, status=Space.Status.CONCLUDED)
        concluded.refresh_from_db()
        for k in range(3):
            archived = library.document_add_to_concluded_space(
                actor=staff,
                space=concluded,
                title=f"مذكرة الدستور {n}-{k}",
                upload=text_upload("مذكرة.txt", "خلاصة الدستور"),
            )
            library.archive_publish_document(actor=staff, document=archived)
    return people


def test_main_pages_cost_the_same_whatever_the_data(
    content, clients, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _grow(content, settings, count=1, prefix="first")  # every kind, every search group, at least once
    small = _measure(clients, content)
    with django_capture_on_commit_callbacks(execute=True):
        _grow(content, settings, count=GROWTH, prefix="grown")
    large = _measure(clients, content)
    report = "\n".join(
        f"{page}: {small[page][0]} -> {large[page][0]} queries, {small[page][2]} -> {large[page][2]} bytes"
        for page in small
    )
    print(report)
    grown = [page for page in small if large[page][0] > small[page][0]]
    details = []
    for page in grown:
        details.append(f"{page}: {small[page][0]} queries with little data, {large[page][0]} with more")
        details += [f"    {line}" for line in _repeated(small[page][1], large[page][1])]
    assert not grown, "queries grow with the data:\n" + "\n".join(details)
    assert set(CEILINGS) == set(large), "every page measured has its ceiling, and only those"
    over = [
        f"{page}: {large[page][0]} > {CEILINGS[page]}" for page in large if large[page][0] > CEILINGS[page]
    ]
    assert not over, "over budget:\n" + "\n".join(over)
