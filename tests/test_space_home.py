"""The space home says what needs the viewer now: the next meeting, the agenda in play, discussions
with new replies, the final note and the days left, their own standing, then the members."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import Draft
from documents.services import drafts as document_services
from events import services as event_services
from workgroups import fragments, panels, selectors, services
from workgroups.models import AgendaItem, Membership, Post, ReinstatementRequest
from workgroups.services import inactivity_run

from . import factories

BLOCK_ORDER = ["meeting", "agenda", "discussions", "drafts", "standing"]


def _home(client, space):
    response = client.get(reverse("workgroups:space-detail", args=[space.pk]))
    assert response.status_code == 200
    return response


def _html(client, space):
    return _home(client, space).content.decode()


def _block(html, name):
    """The HTML of one block of the page (a section, or the members' <details>)."""
    match = re.search(rf'<(section|details)[^>]*data-block="{name}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no {name} block"
    return match.group(2)


def _in_english(user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])


def _plan(world, *, start, hours=1, title="اجتماع المجموعة", **fields):
    return event_services.event_create(
        actor=world["users"]["rapporteur"],
        space=world["space"],
        title=title,
        description="",
        time_zone="Asia/Damascus",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        **fields,
    )


# --- The order of the page ----------------------------------------------------------------------


def test_the_blocks_come_in_order_with_the_members_last(world, clients):
    html = _html(clients["member"], world["space"])
    positions = [html.index(f'data-block="{name}"') for name in [*BLOCK_ORDER, "members"]]
    assert positions == sorted(positions)
    members = _block(html, "members")
    assert "عمر الخطيب" in members and "ليلى حداد" in members


def test_a_registered_panel_takes_its_place_among_the_home_sections(world):
    probe = panels.SpacePanel(
        key="probe", template="probe.html", context=lambda *, space, user: {"space_id": space.pk}, order=250
    )
    panels.register(probe)
    try:
        sections = panels.sections_for(
            space=world["space"],
            user=world["users"]["member"],
            own={panels.AGENDA: "agenda.html", panels.DISCUSSIONS: "discussions.html"},
        )
    finally:
        panels.PANELS[:] = [panel for panel in panels.PANELS if panel.key != "probe"]
    templates = [template for template, _context in sections]
    position = templates.index
    assert position("agenda.html") < position("probe.html") < position("discussions.html")
    assert dict(sections)["probe.html"] == {"space_id": world["space"].pk}
    assert dict(sections)["agenda.html"] is None


def test_the_member_list_is_folded_without_script_and_unfolds_on_wide_screens(world, clients):
    html = _html(clients["member"], world["space"])
    details = re.search(r'<details[^>]*data-block="members"[^>]*>', html).group(0)
    assert "data-open-wide" in details and " open" not in details
    assert "js/space_home" in html


def test_each_block_says_clearly_when_it_is_empty(world, clients):
    member = world["users"]["member"]
    _in_english(member)
    html = _html(clients["member"], world["space"])
    assert "No meeting planned." in _block(html, "meeting")
    assert "No agenda item is planned or under discussion." in _block(html, "agenda")
    assert "Nothing new in the discussions since you last read them." in _block(html, "discussions")
    assert "No final note yet. The rapporteurs start it." in _block(html, "drafts")


# --- 1. The next meeting ------------------------------------------------------------------------


def test_the_next_online_meeting_shows_its_join_button_once_it_opens(world, clients, settings):
    settings.CSSR_EVENT_JOIN_EARLY_MINUTES = 15
    space = world["space"]
    _plan(world, start=timezone.now() + timedelta(minutes=10), title="الاجتماع الآن")
    _plan(world, start=timezone.now() + timedelta(days=3), title="الاجتماع اللاحق")
    meeting = _block(_html(clients["member"], space), "meeting")
    assert "الاجتماع الآن" in meeting
    assert f'href="{space.meeting_url}"' in meeting
    assert meeting.index("الاجتماع الآن") < meeting.index("الاجتماع اللاحق")


def test_a_meeting_still_days_away_says_when_the_join_button_appears(world, clients):
    member = world["users"]["member"]
    _in_english(member)
    _plan(world, start=timezone.now() + timedelta(days=2), title="الاجتماع القادم")
    meeting = _block(_html(clients["member"], world["space"]), "meeting")
    assert "الاجتماع القادم" in meeting
    assert world["space"].meeting_url not in meeting
    assert "button appears" in meeting


def test_an_in_person_meeting_shows_its_place_and_no_link(world, clients):
    _plan(
        world, start=timezone.now() + timedelta(minutes=5), title="لقاء حضوري", location="فندق في غازي عنتاب"
    )
    meeting = _block(_html(clients["member"], world["space"]), "meeting")
    assert "فندق في غازي عنتاب" in meeting
    assert world["space"].meeting_url not in meeting


def test_the_meeting_date_is_written_in_the_readers_language(world, clients):
    start = timezone.now() + timedelta(days=2)
    _plan(world, start=start, title="اجتماع")
    member = world["users"]["member"]
    arabic = _block(_html(clients["member"], world["space"]), "meeting")
    _in_english(member)
    english = _block(_html(clients["member"], world["space"]), "meeting")
    local = timezone.localtime(start, timezone.get_default_timezone())
    assert local.strftime("%B") in english
    assert local.strftime("%B") not in arabic


# --- 2. The agenda in play ----------------------------------------------------------------------


def test_the_agenda_shows_the_items_in_play_only(world, clients):
    space, member = world["space"], world["users"]["member"]
    titles = {
        "planned": "بند مخطط",
        "in_discussion": "بند قيد النقاش",
        "proposed": "بند مقترح",
        "done": "بند منجز",
    }
    for status, title in titles.items():
        item = services.agenda_item_propose(actor=member, space=space, title=title)
        AgendaItem.objects.filter(pk=item.pk).update(status=status)
    agenda = _block(_html(clients["member"], space), "agenda")
    assert "بند مخطط" in agenda and "بند قيد النقاش" in agenda
    assert "بند مقترح" not in agenda and "بند منجز" not in agenda


# --- 3. Discussions with new replies ------------------------------------------------------------


def test_discussions_with_posts_i_have_not_read_are_listed_with_their_count(world, clients):
    space, users = world["space"], world["users"]
    unread = services.thread_create(actor=users["member"], space=space, title="نقاش فيه جديد", body="رأيي")
    services.post_create(actor=users["rapporteur"], thread=unread, body="رد أول")
    services.post_create(actor=users["political_officer"], thread=unread, body="رد ثان")
    answered = services.thread_create(
        actor=users["rapporteur"], space=space, title="نقاش أجبت فيه", body="نص"
    )
    services.post_create(actor=users["member"], thread=answered, body="قرأت وأجبت")
    services.thread_create(actor=users["rapporteur"], space=space, title="نقاش لم أفتحه", body="نص")
    response = _home(clients["member"], space)
    listed = {t.title: t.new_reply_count for t in response.context["new_replies"]}
    assert listed == {"نقاش فيه جديد": 2, "نقاش لم أفتحه": 1}
    discussions = _block(response.content.decode(), "discussions")
    assert "نقاش فيه جديد" in discussions and "نقاش لم أفتحه" in discussions
    assert "نقاش أجبت فيه" not in discussions


def test_opening_a_discussion_marks_it_read_up_to_the_posts_shown(world, clients):
    space, users = world["space"], world["users"]
    thread = services.thread_create(actor=users["rapporteur"], space=space, title="نقاش", body="نص")
    services.post_create(actor=users["political_officer"], thread=thread, body="رد")
    assert [t.new_reply_count for t in _home(clients["member"], space).context["new_replies"]] == [2]
    assert clients["member"].get(thread.get_absolute_url()).status_code == 200
    assert _home(clients["member"], space).context["new_replies"] == []
    services.post_create(actor=users["rapporteur"], thread=thread, body="رد جديد بعد قراءتي")
    assert [t.new_reply_count for t in _home(clients["member"], space).context["new_replies"]] == [1]
    # Another reader's visit marks nothing for the member.
    assert clients["political_officer"].get(thread.get_absolute_url()).status_code == 200
    assert [t.new_reply_count for t in _home(clients["member"], space).context["new_replies"]] == [1]


def test_my_own_reply_marks_the_discussion_read_and_hidden_replies_do_not_count(world, clients):
    space, users = world["space"], world["users"]
    thread = services.thread_create(actor=users["member"], space=space, title="نقاش", body="رأيي")
    reply = services.post_create(actor=users["rapporteur"], thread=thread, body="رد")
    assert [t.new_reply_count for t in _home(clients["member"], space).context["new_replies"]] == [1]
    Post.objects.filter(pk=reply.pk).update(hidden_at=timezone.now())
    assert _home(clients["member"], space).context["new_replies"] == []
    services.post_create(actor=users["rapporteur"], thread=thread, body="رد آخر")
    services.post_create(actor=users["member"], thread=thread, body="قرأت")
    assert _home(clients["member"], space).context["new_replies"] == []


# --- 4. The final note and the days left --------------------------------------------------------


def test_the_final_note_status_who_acts_and_the_days_left(world, clients):
    space, users = world["space"], world["users"]
    space.cycle_end = timezone.localdate() + timedelta(days=12)
    space.save(update_fields=["cycle_end"])
    note = document_services.final_note_create(actor=users["rapporteur"], space=space)
    Draft.objects.filter(pk=note.pk).update(status=Draft.Status.OPEN_FOR_COMMENTS)
    for role in ("member", "rapporteur"):
        _in_english(users[role])
    member_view = _block(_html(clients["member"], space), "drafts")
    assert note.title in member_view
    assert "Open for members&#x27; comments" in member_view or "Open for members' comments" in member_view
    assert "You can comment on it now." in member_view
    assert "12 days left in the work period" in member_view
    rapporteur_view = _block(_html(clients["rapporteur"], space), "drafts")
    assert "you then make it a joint proposal" in rapporteur_view


def test_a_concluded_space_keeps_its_home_read_only_without_days_left(world, clients):
    space = world["space"]
    services.space_set_status(actor=None, space=space, status=space.Status.CONCLUDED)
    _in_english(world["users"]["member"])
    html = _html(clients["member"], space)
    assert "read-only archive" in html
    assert "days left" not in _block(html, "drafts")
    assert "inactivity warning in" not in html


# --- 5. My own standing -------------------------------------------------------------------------


def test_my_standing_counts_the_days_before_the_inactivity_warning(world, clients):
    space, member = world["space"], world["users"]["member"]
    space.inactivity_days, space.warning_days = 30, 7
    space.save(update_fields=["inactivity_days", "warning_days"])
    Membership.objects.filter(space=space, user=member).update(
        last_contribution_at=timezone.now() - timedelta(days=11, hours=1)
    )
    _in_english(member)
    response = _home(clients["member"], space)
    assert response.context["standing"].days_before_warning == 12
    assert "An inactivity warning in 12 days." in _block(response.content.decode(), "standing")


def test_a_warned_member_sees_the_days_before_the_lock(world, clients):
    space, member = world["space"], world["users"]["member"]
    Membership.objects.filter(space=space, user=member).update(
        state=Membership.State.WARNED,
        last_contribution_at=timezone.now() - timedelta(days=space.inactivity_days - 3, hours=1),
    )
    response = _home(clients["member"], space)
    assert response.context["standing"].warned
    assert response.context["standing"].days_before_lock == 3


def test_roles_outside_the_lockout_get_no_countdown(world, clients):
    response = _home(clients["rapporteur"], world["space"])
    assert response.context["standing"].lock_applies is False
    assert response.context["standing"].days_before_warning is None


def test_a_pending_reinstatement_request_is_shown(world, clients):
    space, member = world["space"], world["users"]["member"]
    membership = Membership.objects.get(space=space, user=member)
    _in_english(member)
    assert "Request to be reinstated pending" not in _html(clients["member"], space)
    ReinstatementRequest.objects.create(membership=membership)
    assert "Request to be reinstated pending" in _block(_html(clients["member"], space), "standing")


# --- Who sees the page --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["outsider", "other_member", "staff"])
def test_people_outside_the_space_get_404(world, clients, role):
    assert clients[role].get(reverse("workgroups:space-detail", args=[world["space"].pk])).status_code == 404


def test_a_locked_member_still_gets_the_locked_page(world, clients):
    response = clients["locked_member"].get(reverse("workgroups:space-detail", args=[world["space"].pk]))
    assert response.status_code == 403
    assert "workgroups/space_locked.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("role", ["rapporteur", "technical_officer", "political_officer"])
def test_other_roles_in_the_space_see_the_home(world, clients, role):
    html = _html(clients[role], world["space"])
    assert 'data-block="members"' in html and 'data-block="meeting"' in html


# --- Queries ------------------------------------------------------------------------------------


def _fill(world, count):
    """`count` more members, discussions with new replies for the member, agenda items, events, drafts."""
    space, member, rapporteur = world["space"], world["users"]["member"], world["users"]["rapporteur"]
    for index in range(count):
        factories.add_member(space)
        thread = services.thread_create(actor=member, space=space, title=f"نقاش {index}", body="رأيي")
        services.post_create(actor=rapporteur, thread=thread, body="رد")
        item = services.agenda_item_propose(actor=member, space=space, title=f"بند {index}")
        AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.PLANNED)
        _plan(world, start=timezone.now() + timedelta(days=index + 1), title=f"اجتماع {index}")
        document_services.draft_create(actor=member, space=space, title=f"مسودة {index}")


def _count_queries(client, space):
    with CaptureQueriesContext(connection) as context:
        _home(client, space)
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_the_space(world, clients, django_assert_max_num_queries):
    space, client = world["space"], clients["member"]
    _fill(world, 2)
    client.get(reverse("workgroups:space-detail", args=[space.pk]))  # the session's first request
    fragments.members_changed([space.pk])  # the member list rendered again, as after any change
    few = _count_queries(client, space)
    _fill(world, 18)
    assert (
        len(selectors.thread_with_new_replies_list(space=space, user=world["users"]["member"], limit=50))
        == 20
    )
    with django_assert_max_num_queries(few):
        _home(client, space)


def test_a_locked_member_with_a_pending_request_is_told_instead_of_asked_again(world, clients):
    space, locked = world["space"], world["users"]["locked_member"]
    _in_english(locked)
    url = reverse("workgroups:space-detail", args=[space.pk])
    assert "Request reinstatement" in clients["locked_member"].get(url).content.decode()
    clients["locked_member"].post(
        reverse("workgroups:reinstatement-request", args=[space.pk]), {"message": "عدت"}
    )
    page = clients["locked_member"].get(url)
    assert page.status_code == 403
    assert "Reinstatement request pending" in page.content.decode()
    assert "Request reinstatement</button>" not in page.content.decode()


# --- The member list, rendered once per change ----------------------------------------------------


def _members(client, space):
    return _block(_html(client, space), "members")


def test_the_member_list_is_rendered_once_then_read_from_the_cache(world, clients):
    space, client = world["space"], clients["member"]
    client.get(reverse("workgroups:space-detail", args=[space.pk]))  # the session's first request
    fragments.members_changed([space.pk])
    with CaptureQueriesContext(connection) as rendering:
        first = _members(client, space)
    with CaptureQueriesContext(connection) as kept:
        again = _members(client, space)
    assert again == first and "عمر الخطيب" in again
    listing = [
        query["sql"]
        for query in rendering.captured_queries
        if 'ORDER BY "accounts_user"."display_name"' in query["sql"]
    ]
    assert len(listing) == 1
    assert len(kept.captured_queries) == len(rendering.captured_queries) - 1


def test_the_member_list_follows_every_change_to_what_it_shows(world, clients):
    space, client, staff = world["space"], clients["member"], world["users"]["staff"]
    _in_english(world["users"]["member"])
    assert "Salma" not in _members(client, space)  # rendered and kept

    newcomer = factories.add_member(space, display_name="Salma Najjar")
    assert "Salma Najjar" in _members(client, space)

    membership = Membership.objects.get(space=space, user=newcomer)
    services.membership_change_role(actor=staff, membership=membership, role="rapporteur")
    assert re.search(r"Salma Najjar</strong>\s*<span[^>]*>Rapporteur<", _members(client, space))

    newcomer.display_name, newcomer.title = "Salma N.", "Lawyer"
    newcomer.save()
    listed = _members(client, space)
    assert "Salma N.<" in listed and "Salma Najjar" not in listed and "Lawyer" in listed

    services.membership_lock(actor=staff, membership=membership, reason="test")
    assert "Salma N." not in _members(client, space)


def test_the_member_list_drops_whom_the_inactivity_job_locks(world, clients):
    """The job locks with one UPDATE that no signal sees: it says itself that the lists changed."""
    space, client = world["space"], clients["member"]
    quiet = factories.add_member(space, display_name="Hadi Quiet")
    assert "Hadi Quiet" in _members(client, space)
    long_ago = timezone.now() - timedelta(days=space.inactivity_days + 1)
    Membership.objects.filter(space=space, user=quiet).update(
        joined_at=long_ago, last_contribution_at=long_ago
    )
    assert inactivity_run()["locked"] == 1
    assert "Hadi Quiet" not in _members(client, space)


def test_a_sign_in_does_not_render_the_member_list_again(world, clients):
    space = world["space"]
    version = fragments.members_version(space.pk)
    member = world["users"]["member"]
    member.last_login = timezone.now()
    member.save(update_fields=["last_login"])
    assert fragments.members_version(space.pk) == version
    member.title = "Journalist"
    member.save(update_fields=["title"])
    assert fragments.members_version(space.pk) != version


def test_a_store_that_refuses_writes_does_not_stop_a_membership_change(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The kept list is a convenience: with the shared store down, the change is made, the failure
    logged, and the list expires after KEEP_SECONDS."""
    space, staff = world["space"], world["users"]["staff"]
    store = fragments.shared_cache()
    writes = store.set_many

    def refuse_fragments(data, *args, **kwargs):
        if any(key.startswith("fragments:") for key in data):
            raise ConnectionError("store down")
        return writes(data, *args, **kwargs)

    monkeypatch.setattr(store, "set_many", refuse_fragments)
    newcomer = factories.add_member(space, display_name="Rami Down")
    membership = Membership.objects.get(space=space, user=newcomer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.membership_change_role(actor=staff, membership=membership, role="rapporteur")
    assert callbacks  # the commit's write was attempted, and refused
    membership.refresh_from_db()
    assert membership.role == "rapporteur"
    assert "store down" in caplog.text
