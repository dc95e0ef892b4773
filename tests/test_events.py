"""Events, the meeting room, .ics files, the personal feed, reminders and expert invitations."""

import datetime
import zoneinfo
from datetime import timedelta

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from events import selectors, services
from events.models import CalendarFeed, Event, EventAnswer, ExpertInvitation, ReminderSent
from workgroups import services as workgroup_services
from workgroups.models import Contribution, Membership, Notification, OutgoingEmail, Space

from . import factories
from .hostile_corpus import HOSTILE_MARKDOWN

HOSTILE = [*HOSTILE_MARKDOWN[:8], "‮evil‬", "' OR 1=1 --", "a\u0000b", "ع" * 300]
HOSTILE_REFUSED = {"a\u0000b", "ع" * 300}  # a NUL; a title past 200 characters

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _plan(world, *, start=None, hours=2, actor="member", **fields):
    start = start or timezone.now() + timedelta(days=2)
    values = {"title": "اجتماع المجموعة", "description": "", "time_zone": "Asia/Damascus", **fields}
    return services.event_create(
        actor=world["users"][actor],
        space=world["space"],
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        **values,
    )


def _form(**overrides):
    return {
        "title": "اجتماع تنسيقي",
        "description": "",
        "time_zone": "Asia/Damascus",
        "starts_at": "2026-12-10T18:00",
        "ends_at": "2026-12-10T19:30",
        **overrides,
    }


def _parse(response):
    return icalendar.Calendar.from_ical(
        b"".join(response.streaming_content) if response.streaming else response.content
    )


# --- Planning, changing, cancelling ------------------------------------------------------------


def test_an_event_is_planned_in_the_organisers_zone_and_stored_in_utc(world, clients, run_on_commit):
    space = world["space"]
    with run_on_commit():
        response = clients["member"].post(
            reverse("events:event-create", args=[space.pk]), _form(time_zone="Europe/Istanbul")
        )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.starts_at == datetime.datetime(2026, 12, 10, 15, 0, tzinfo=UTC)  # Istanbul is UTC+3
    assert event.time_zone == "Europe/Istanbul" and event.is_online and event.sequence == 0
    assert event.created_by == world["users"]["member"]
    # Planning counts as a contribution; the space's people hear of it (not the organiser, not outsiders).
    assert (
        Contribution.objects.filter(user=world["users"]["member"], kind=Contribution.Kind.EVENT).count() == 1
    )
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.EVENT).values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"rapporteur", "tech", "political"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2026-12-10T17:00"}, "The event must end after it starts."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone: Mars/Olympus_Mons"),
        ({"starts_at": "not a date"}, "Enter a valid date/time."),
        ({"starts_at": "9999-12-31T23:59", "ends_at": "9999-12-31T23:59"}, "Choose a date between the years"),
        ({"ends_at": "2027-02-10T19:30"}, "An event lasts at most 14 days."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(world, clients, overrides, message):
    clients["member"].post(reverse("accounts:language-set"), {"language": "en", "next": "/"})
    world["users"]["member"].preferred_language = "en"
    world["users"]["member"].save()
    response = clients["member"].post(
        reverse("events:event-create", args=[world["space"].pk]), _form(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_bad_input_message_in_arabic(world, clients):
    response = clients["member"].post(
        reverse("events:event-create", args=[world["space"].pk]), _form(ends_at="2026-12-10T17:00")
    )
    assert "يجب أن تنتهي الفعالية بعد بدئها." in response.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_titles_never_break_the_pages_or_the_ics(world, clients, hostile):
    """Each hostile title is either stored as typed and shown as text (page and .ics), or refused with
    the form's error on the page and nothing stored: a NUL and a title past 200 characters are refused."""
    space = world["space"]
    response = clients["member"].post(
        reverse("events:event-create", args=[space.pk]),
        _form(title=hostile, description=hostile, location=hostile),
    )
    if hostile in HOSTILE_REFUSED:
        assert response.status_code == 200 and not Event.objects.exists()
        errors = response.context["form"].errors["title"]
        assert errors and all(escape(error) in response.content.decode() for error in errors)
    else:
        assert response.status_code == 302
        event = Event.objects.get()
        assert event.title == hostile
        page = clients["member"].get(reverse("events:event-detail", args=[space.pk, event.pk]))
        assert page.status_code == 200 and escape(hostile) in page.content.decode()
        assert "<" not in hostile or hostile not in page.content.decode()  # as text, never as markup
        ics = clients["member"].get(reverse("events:event-ics", args=[space.pk, event.pk]))
        assert ics.status_code == 200
        [vevent] = _parse(ics).walk("VEVENT")
        assert str(vevent["SUMMARY"]) == hostile
    assert (
        clients["member"].get(reverse("events:event-month", args=[space.pk]), {"month": hostile}).status_code
        == 200
    )


def test_a_concluded_space_takes_no_new_events(world, clients):
    space = world["space"]
    workgroup_services.space_set_status(actor=None, space=space, status=Space.Status.CONCLUDED)
    response = clients["member"].post(reverse("events:event-create", args=[space.pk]), _form())
    assert response.status_code == 403
    assert "هذه المساحة غير نشطة" in response.content.decode()
    assert not Event.objects.exists()
    with pytest.raises(ValidationError):
        _plan(world)


def test_a_nonexistent_local_time_on_the_spring_change_is_refused(world, clients):
    # Europe/Berlin skips 02:00–03:00 on the last Sunday of March 2026 (29 March).
    response = clients["member"].post(
        reverse("events:event-create", args=[world["space"].pk]),
        _form(time_zone="Europe/Berlin", starts_at="2026-03-29T02:30", ends_at="2026-03-29T04:00"),
    )
    assert response.status_code == 200 and not Event.objects.exists()
    assert "Europe/Berlin" in response.content.decode()


def test_editing_raises_the_sequence_and_only_organiser_or_rapporteur_may(world, clients, run_on_commit):
    event = _plan(world)
    space = world["space"]
    url = reverse("events:event-edit", args=[space.pk, event.pk])
    assert clients["political_officer"].post(url, _form(title="تغيير")).status_code == 403
    with run_on_commit():
        assert clients["rapporteur"].post(url, _form(title="عنوان جديد")).status_code == 302
    event.refresh_from_db()
    assert event.title == "عنوان جديد" and event.sequence == 1
    # Saving the same values again is no change for calendars.
    clients["rapporteur"].post(url, _form(title="عنوان جديد"))
    event.refresh_from_db()
    assert event.sequence == 1


def test_cancelling_notifies_and_closes_answers(world, clients, run_on_commit):
    event = _plan(world)
    space = world["space"]
    Notification.objects.all().delete()
    with run_on_commit():
        assert (
            clients["member"].post(reverse("events:event-cancel", args=[space.pk, event.pk])).status_code
            == 302
        )
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED and event.sequence == 1
    assert Notification.objects.filter(kind=Notification.Kind.EVENT).count() == 3
    # An answer to a cancelled event is refused with a message; nothing is stored.
    response = clients["rapporteur"].post(
        reverse("events:event-respond", args=[space.pk, event.pk]), {"answer": "going"}, follow=True
    )
    assert "هذه الفعالية ملغاة: أُغلق باب الردود." in response.content.decode()
    assert not EventAnswer.objects.exists()
    # Cancelling twice changes nothing more; a cancelled event cannot be edited.
    services.event_cancel(actor=world["users"]["member"], event=event)
    event.refresh_from_db()
    assert event.sequence == 1
    with pytest.raises(ValidationError):
        services.event_update(actor=world["users"]["member"], event=event, title="x")


def test_answers_are_counted_and_can_change(world, clients):
    event = _plan(world)
    space = world["space"]
    url = reverse("events:event-respond", args=[space.pk, event.pk])
    clients["member"].post(url, {"answer": "going"})
    clients["rapporteur"].post(url, {"answer": "maybe"})
    clients["technical_officer"].post(url, {"answer": "not_going"})
    clients["member"].post(url, {"answer": "maybe"})  # changed mind
    response = clients["member"].post(url, {"answer": "sure!"}, follow=True)
    assert "اختر: سأحضر، ربما، أو لن أحضر." in response.content.decode()
    found = selectors.event_get(user=world["users"]["member"], space=space, event_id=event.pk)
    assert (found.going_count, found.maybe_count, found.not_going_count) == (0, 2, 1)
    # Answering is not a contribution.
    assert not Contribution.objects.filter(user=world["users"]["rapporteur"]).exists()


# --- Lists, the month grid, the space home ----------------------------------------------------


@pytest.mark.parametrize("count", [5, 100])
def test_month_and_list_queries_do_not_grow_with_events(world, clients, count, django_assert_num_queries):
    space, member = world["space"], world["users"]["member"]
    start = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    Event.objects.bulk_create(
        Event(
            space=space,
            title=f"فعالية {n}",
            starts_at=start + timedelta(hours=7 * n),
            ends_at=start + timedelta(hours=7 * n + 1),
            time_zone="Asia/Damascus",
            created_by=member,
        )
        for n in range(count)
    )
    for event in Event.objects.all()[:3]:
        EventAnswer.objects.create(event=event, user=member, answer="going")
    client = clients["member"]
    client.get(reverse("events:event-month", args=[space.pk]), {"month": "2026-12"})  # warm the session
    with django_assert_num_queries(7):
        response = client.get(reverse("events:event-month", args=[space.pk]), {"month": "2026-12"})
    assert response.status_code == 200
    assert sum(len(day["events"]) for week in response.context["weeks"] for day in week) >= count
    with django_assert_num_queries(8):
        assert client.get(reverse("events:event-list", args=[space.pk])).status_code == 200


def test_month_grid_is_localised_and_starts_on_saturday_in_arabic(world, clients):
    space = world["space"]
    _plan(world, start=datetime.datetime(2026, 12, 10, 15, 0, tzinfo=UTC), title="اجتماع ديسمبر")
    response = clients["member"].get(reverse("events:event-month", args=[space.pk]), {"month": "2026-12"})
    html = response.content.decode()
    assert "كانون الأول" in html or "ديسمبر" in html
    assert response.context["day_names"][0].weekday() == 5  # Saturday first (FIRST_DAY_OF_WEEK = 6)
    assert "السبت" in html and 'dir="rtl"' in html and "اجتماع ديسمبر" in html
    # In English, weeks start on Sunday and names are English.
    member = world["users"]["member"]
    member.preferred_language = "en"
    member.save()
    response = clients["member"].get(reverse("events:event-month", args=[space.pk]), {"month": "2026-12"})
    assert "December 2026" in response.content.decode()


def test_the_month_grid_places_events_on_the_readers_local_day(world, clients):
    space, member = world["space"], world["users"]["member"]
    # 22:30 UTC on 9 December is already 10 December in Damascus (UTC+3).
    _plan(world, start=datetime.datetime(2026, 12, 9, 22, 30, tzinfo=UTC), hours=1, title="اجتماع ليلي")
    response = clients["member"].get(reverse("events:event-month", args=[space.pk]), {"month": "2026-12"})
    days = {
        day["date"]: [event.title for event in day["events"]]
        for week in response.context["weeks"]
        for day in week
    }
    assert days[datetime.date(2026, 12, 10)] == ["اجتماع ليلي"] and days[datetime.date(2026, 12, 9)] == []
    member.time_zone = "Europe/Berlin"
    member.save()
    response = clients["member"].get(reverse("events:event-month", args=[space.pk]), {"month": "2026-12"})
    days = {
        day["date"]: [event.title for event in day["events"]]
        for week in response.context["weeks"]
        for day in week
    }
    assert days[datetime.date(2026, 12, 9)] == ["اجتماع ليلي"]


def test_the_space_home_shows_the_next_events(world, clients):
    _plan(world, title="الاجتماع القادم")
    past = _plan(world, start=timezone.now() - timedelta(days=3), title="اجتماع مضى")
    assert past.is_past
    html = (
        clients["member"].get(reverse("workgroups:space-detail", args=[world["space"].pk])).content.decode()
    )
    assert "الاجتماع القادم" in html and "اجتماع مضى" not in html


# --- The meeting room ---------------------------------------------------------------------------


def test_the_join_button_shows_to_members_in_the_window_only(world, clients, settings):
    settings.CSSR_EVENT_JOIN_EARLY_MINUTES = 15
    space = world["space"]
    soon = _plan(world, start=timezone.now() + timedelta(minutes=10), hours=1)
    later = _plan(world, start=timezone.now() + timedelta(hours=3), hours=1)
    place = _plan(world, start=timezone.now() + timedelta(minutes=5), hours=1, location="فندق في غازي عنتاب")
    url = space.meeting_url
    for role in ("member", "rapporteur", "technical_officer", "political_officer"):
        assert (
            url
            in clients[role].get(reverse("events:event-detail", args=[space.pk, soon.pk])).content.decode()
        )
    assert (
        url
        not in clients["member"]
        .get(reverse("events:event-detail", args=[space.pk, later.pk]))
        .content.decode()
    )
    assert (
        url
        not in clients["member"]
        .get(reverse("events:event-detail", args=[space.pk, place.pk]))
        .content.decode()
    )
    services.event_cancel(actor=world["users"]["member"], event=soon)
    assert (
        url
        not in clients["member"]
        .get(reverse("events:event-detail", args=[space.pk, soon.pk]))
        .content.decode()
    )


def test_the_meeting_url_never_reaches_anyone_outside_the_space(world, clients, settings):
    settings.CSSR_EVENT_JOIN_EARLY_MINUTES = 60
    space = world["space"]
    event = _plan(world, start=timezone.now() + timedelta(minutes=5), hours=1)
    services.calendar_feed_renew(user=world["users"]["locked_member"])
    pages = [
        reverse("events:event-list", args=[space.pk]),
        reverse("events:event-month", args=[space.pk]),
        reverse("events:event-detail", args=[space.pk, event.pk]),
        reverse("events:event-ics", args=[space.pk, event.pk]),
        reverse("events:expert-request", args=[space.pk, event.pk]),
        reverse("workgroups:space-detail", args=[space.pk]),
        reverse("events:calendar-feed-settings"),
        reverse("workgroups:space-list"),
        reverse("workgroups:notification-list"),
    ]
    for role in ("anonymous", "outsider", "other_member", "locked_member", "staff"):
        for page in pages:
            response = clients[role].get(page)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert space.meeting_url.encode() not in body, (role, page)
    # The locked member's feed (made before the lock would be the same) holds nothing of the space.
    token = services.calendar_feed_renew(user=world["users"]["locked_member"])
    body = Client().get(reverse("events:calendar-feed", args=[token])).content
    assert space.meeting_url.encode() not in body
    # Members do get it.
    assert space.meeting_url in clients["member"].get(pages[2]).content.decode()


# --- .ics and the personal feed ---------------------------------------------------------------


def test_event_ics_keeps_arabic_and_carries_uid_sequence_and_utc(world, clients):
    space = world["space"]
    start = datetime.datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    event = _plan(
        world,
        start=start,
        title="اجتماع حول «المبادئ الدستورية»، الجولة الثانية",
        description="نقاش المسودة؛ والبنود: ١، ٢",
    )
    response = clients["member"].get(reverse("events:event-ics", args=[space.pk, event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    component = _parse(response).walk("VEVENT")[0]
    assert str(component["SUMMARY"]) == "اجتماع حول «المبادئ الدستورية»، الجولة الثانية"
    assert "نقاش المسودة؛ والبنود: ١، ٢" in str(component["DESCRIPTION"])
    assert str(component["UID"]) == event.uid and component["SEQUENCE"] == 0
    assert component.decoded("DTSTART") == start and component.decoded("DTEND") == start + timedelta(hours=2)
    assert b"DTSTART:20261210T150000Z" in response.content
    assert str(component["STATUS"]) == "CONFIRMED"
    assert space.meeting_url in str(component["LOCATION"])
    # Staff are not in the group: they get no file, as if the event did not exist.
    assert clients["staff"].get(reverse("events:event-ics", args=[space.pk, event.pk])).status_code == 404
    # A change raises SEQUENCE, the UID stays; cancelling gives STATUS:CANCELLED.
    services.event_update(actor=world["users"]["member"], event=event, title="عنوان معدّل")
    services.event_cancel(actor=world["users"]["member"], event=event)
    component = _parse(clients["member"].get(reverse("events:event-ics", args=[space.pk, event.pk]))).walk(
        "VEVENT"
    )[0]
    assert str(component["UID"]) == event.uid and component["SEQUENCE"] == 2
    assert str(component["STATUS"]) == "CANCELLED"


def test_the_feed_works_without_a_session_and_follows_memberships(world, settings):
    settings.CSSR_CALENDAR_FEED_PAST_DAYS = 30
    space, other_space, member = world["space"], world["other_space"], world["users"]["member"]
    factories.add_member(other_space, user=member)
    mine = _plan(world, title="اجتماعنا")
    other = services.event_create(
        actor=member,
        space=other_space,
        title="اجتماع المجموعة الأخرى",
        description="",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
        time_zone="Asia/Beirut",
    )
    old = _plan(world, start=timezone.now() - timedelta(days=40), title="اجتماع قديم جدًا")
    recent = _plan(world, start=timezone.now() - timedelta(days=10), title="اجتماع الأسبوع الماضي")
    cancelled = _plan(world, title="اجتماع ملغى")
    services.event_cancel(actor=member, event=cancelled)
    token = services.calendar_feed_renew(user=member)
    fresh = Client()  # a calendar application: no cookie at all
    response = fresh.get(reverse("events:calendar-feed", args=[token]))
    assert response.status_code == 200 and not response.cookies.get("sessionid")
    events = {str(c["UID"]): c for c in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {mine.uid, other.uid, recent.uid, cancelled.uid}
    assert old.uid not in events
    assert str(events[cancelled.uid]["STATUS"]) == "CANCELLED"
    assert space.meeting_url in str(events[mine.uid]["DESCRIPTION"])
    # Locked in one space: that space's events vanish from the feed, the other space's stay.
    membership = Membership.objects.get(user=member, space=space)
    workgroup_services.membership_lock(actor=None, membership=membership, reason="test")
    events = {
        str(c["UID"])
        for c in icalendar.Calendar.from_ical(
            fresh.get(reverse("events:calendar-feed", args=[token])).content
        ).walk("VEVENT")
    }
    assert events == {other.uid}


def test_a_guessed_or_revoked_token_gets_404(world, clients):
    member = world["users"]["member"]
    token = services.calendar_feed_renew(user=member)
    fresh = Client()
    assert fresh.get(reverse("events:calendar-feed", args=[token])).status_code == 200
    stored = CalendarFeed.objects.get(user=member)
    assert stored.key == token[:12] and token not in stored.key + stored.token_hash  # only a hash is kept
    assert stored.token_hash != token and len(stored.token_hash) == 64
    for guess in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token[:12] + "x" * 31,
        "x",
        "a" * 100,
        "%00",
    ):
        assert fresh.get(f"/calendar/feed/{guess}.ics").status_code == 404
    # Regenerated from the profile's calendar page: the old link dies, the new one works.
    response = clients["member"].post(reverse("events:calendar-feed-settings"), {"action": "renew"})
    new_link = response.context["new_link"]
    assert new_link and token not in new_link
    assert fresh.get(reverse("events:calendar-feed", args=[token])).status_code == 404
    assert fresh.get(new_link.split("testserver", 1)[1]).status_code == 200
    clients["member"].post(reverse("events:calendar-feed-settings"), {"action": "revoke"})
    assert fresh.get(new_link.split("testserver", 1)[1]).status_code == 404
    # An account switched off loses its feed too.
    token = services.calendar_feed_renew(user=member)
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)
    assert fresh.get(reverse("events:calendar-feed", args=[token])).status_code == 404


def test_the_profile_links_to_the_calendar_page(world, clients):
    html = clients["member"].get(reverse("accounts:profile")).content.decode()
    assert reverse("events:calendar-feed-settings") in html


# --- Time zones across daylight-saving changes ---------------------------------------------------


def test_times_across_the_berlin_autumn_change_in_display_and_ics(world, clients):
    space, member = world["space"], world["users"]["member"]
    # Planned in Berlin: 10:00 on Saturday 24 October 2026 (CEST, UTC+2) and the week after,
    # 10:00 on Saturday 31 October (CET, UTC+1, clocks went back on Sunday 25 October).
    for day in ("2026-10-24", "2026-10-31"):
        clients["rapporteur"].post(
            reverse("events:event-create", args=[space.pk]),
            _form(
                time_zone="Europe/Berlin",
                starts_at=f"{day}T10:00",
                ends_at=f"{day}T11:00",
                title=f"اجتماع {day}",
            ),
        )
    before, after = Event.objects.order_by("starts_at")
    assert before.starts_at == datetime.datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert after.starts_at == datetime.datetime(2026, 10, 31, 9, 0, tzinfo=UTC)
    # The Berlin reader sees 10:00 both times; a reader in Beirut (no change that week) sees 11:00 and 11:00,
    # and one in Damascus (UTC+3 all year) sees 11:00 then 12:00.
    for zone, expected in (
        ("Europe/Berlin", ("10:00", "10:00")),
        ("Asia/Beirut", ("11:00", "11:00")),
        ("Asia/Damascus", ("11:00", "12:00")),
    ):
        member.time_zone = zone
        member.save()
        for event, hour in zip((before, after), expected, strict=True):
            html = (
                clients["member"]
                .get(reverse("events:event-detail", args=[space.pk, event.pk]))
                .content.decode()
            )
            assert f"، {hour}" in html, (zone, event.title, hour)
    # The .ics holds UTC instants, so calendars everywhere agree.
    for event, stamp in ((before, b"DTSTART:20261024T080000Z"), (after, b"DTSTART:20261031T090000Z")):
        assert stamp in clients["member"].get(reverse("events:event-ics", args=[space.pk, event.pk])).content


def test_the_repeated_hour_of_the_autumn_change_reads_as_its_first_occurrence(world, clients):
    clients["member"].post(
        reverse("events:event-create", args=[world["space"].pk]),
        _form(time_zone="Europe/Berlin", starts_at="2026-10-25T02:30", ends_at="2026-10-25T03:30"),
    )
    event = Event.objects.get()
    assert event.starts_at == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert event.ends_at == datetime.datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET


def test_the_edit_form_shows_the_organisers_wall_clock(world, clients):
    event = _plan(world, start=datetime.datetime(2026, 3, 30, 8, 0, tzinfo=UTC), time_zone="Europe/Berlin")
    html = (
        clients["member"]
        .get(reverse("events:event-edit", args=[world["space"].pk, event.pk]))
        .content.decode()
    )
    assert 'value="2026-03-30T10:00"' in html  # CEST, the day after the spring change


# --- Reminders (a Celery job) ------------------------------------------------------------------


def test_reminders_go_once_in_language_and_zone_and_only_to_who_may_see(world, settings, run_on_commit):
    settings.CSSR_EVENT_REMINDER_LEADS = [1440, 60]
    users = world["users"]
    users["rapporteur"].preferred_language = "en"
    users["rapporteur"].time_zone = "Europe/Berlin"
    users["rapporteur"].save()
    start = datetime.datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    event = _plan(world, start=start, title="اجتماع التذكير")
    EventAnswer.objects.create(event=event, user=users["political_officer"], answer="not_going")
    too_early = start - timedelta(hours=30)
    assert services.event_reminders_send(now=too_early) == 0
    day_before = start - timedelta(hours=23)
    with run_on_commit():
        reminded = services.event_reminders_send(now=day_before)
    # member, rapporteur, technical officer; not the locked member, not the one not going, not outsiders.
    assert reminded == 3
    assert {message.to[0] for message in mail.outbox} == {
        "member@example.org",
        "rapporteur@example.org",
        "tech@example.org",
    }
    english = next(message for message in mail.outbox if message.to == ["rapporteur@example.org"])
    assert english.subject.startswith("Reminder: اجتماع التذكير")
    assert "16:00" in english.body and "Europe/Berlin" in english.body  # 15:00 UTC in Berlin (CET)
    arabic = next(message for message in mail.outbox if message.to == ["member@example.org"])
    assert arabic.subject.startswith("تذكير: اجتماع التذكير") and "18:00" in arabic.body  # Damascus, UTC+3
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == 3
    # Run again (twice): nothing more.
    assert services.event_reminders_send(now=day_before) == 0
    assert services.event_reminders_send(now=day_before + timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 3 and OutgoingEmail.objects.filter(kind="event_reminder").count() == 3
    # The hour before: the second reminder.
    assert services.event_reminders_send(now=start - timedelta(minutes=50)) == 3
    assert ReminderSent.objects.count() == 6
    # A cancelled event reminds nobody.
    cancelled = _plan(world, start=start + timedelta(days=1))
    services.event_cancel(actor=users["member"], event=cancelled)
    assert services.event_reminders_send(now=start + timedelta(days=1) - timedelta(minutes=30)) == 0


def test_a_late_job_sends_only_the_nearest_reminder(world, settings):
    settings.CSSR_EVENT_REMINDER_LEADS = [1440, 60]
    start = timezone.now() + timedelta(minutes=30)
    _plan(world, start=start)
    assert services.event_reminders_send() == 4  # member, rapporteur, both officers
    assert set(ReminderSent.objects.values_list("lead_minutes", flat=True)) == {60}


def test_a_member_locked_before_sending_gets_no_reminder(world, settings):
    settings.CSSR_EVENT_REMINDER_LEADS = [60]
    start = timezone.now() + timedelta(minutes=30)
    _plan(world, start=start)
    member = world["users"]["member"]
    workgroup_services.membership_lock(
        actor=None, membership=Membership.objects.get(user=member, space=world["space"]), reason="test"
    )
    services.event_reminders_send()
    assert not ReminderSent.objects.filter(user=member).exists()
    assert not OutgoingEmail.objects.filter(recipient=member).exists()


def test_reminders_run_by_hand_and_through_celery(world, settings, capsys):
    settings.CSSR_EVENT_REMINDER_LEADS = [60]
    _plan(world, start=timezone.now() + timedelta(minutes=30))
    call_command("run_job", "event-reminders")
    assert "event-reminders: 4" in capsys.readouterr().out
    from events.tasks import send_event_reminders

    assert send_event_reminders.delay().get() == 0
    assert "events-reminders" in settings.CELERY_BEAT_SCHEDULE


def test_a_reminder_run_killed_midway_rolls_back_its_event(world, settings, monkeypatch):
    settings.CSSR_EVENT_REMINDER_LEADS = [60]
    _plan(world, start=timezone.now() + timedelta(minutes=30))
    from events import emails

    calls = {"n": 0}
    real = emails.event_reminder

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(emails, "event_reminder", dying)
    with pytest.raises(RuntimeError):
        services.event_reminders_send()
    assert not ReminderSent.objects.exists() and not OutgoingEmail.objects.exists()
    monkeypatch.setattr(emails, "event_reminder", real)
    assert services.event_reminders_send() == 4


# --- Digests ------------------------------------------------------------------------------------


def test_new_events_appear_in_digests(world):
    from workgroups.models import DigestSubscription
    from workgroups.services.digests import digests_run

    member = world["users"]["member"]
    DigestSubscription.objects.update_or_create(
        user=member, defaults={"frequency": "daily", "last_sent_at": timezone.now() - timedelta(days=2)}
    )
    _plan(world, actor="rapporteur", title="اجتماع للملخص")
    assert digests_run() >= 1
    message = next(message for message in mail.outbox if message.to == ["member@example.org"])
    assert "اجتماع للملخص" in message.body
    assert "فعالية واحدة جديدة أو معدّلة" in message.body


# --- Expert invitations -------------------------------------------------------------------------


def test_an_accepted_expert_gets_the_meetings_details_only_and_no_account(world, clients, run_on_commit):
    space = world["space"]
    event = _plan(world, title="جلسة مع خبيرة", location="")
    users_before = get_user_model().objects.count()
    response = clients["rapporteur"].post(
        reverse("events:expert-request", args=[space.pk, event.pk]),
        {
            "name": "د. سعاد الأحمد",
            "expertise": "العدالة الانتقالية",
            "email": "suad@example.org",
            "reason": "خبرتها في لجان الحقيقة",
        },
    )
    assert response.status_code == 302
    invitation = ExpertInvitation.objects.get()
    assert (
        invitation.status == ExpertInvitation.Status.PENDING
        and invitation.requested_by == world["users"]["rapporteur"]
    )
    # The political officer and the technical officer may not ask (members and rapporteurs do).
    assert (
        clients["political_officer"]
        .get(reverse("events:expert-request", args=[space.pk, event.pk]))
        .status_code
        == 403
    )
    with pytest.raises(Exception):  # noqa: B017 - a participant cannot decide
        services.expert_invitation_decide(actor=world["users"]["member"], invitation=invitation, accept=True)
    with run_on_commit():
        services.expert_invitation_decide(
            actor=world["users"]["staff"], invitation=invitation, accept=True, reason="مناسب"
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["suad@example.org"]
    assert "جلسة مع خبيرة" in message.body and space.meeting_url in message.body
    assert "Asia/Damascus" in message.body
    # Nothing else of the group: no other event, no member name, no space page.
    other = _plan(world, title="اجتماع داخلي آخر")
    assert other.title not in message.body and "عمر الخطيب" not in message.body
    assert get_user_model().objects.count() == users_before
    # Deciding again changes nothing and sends nothing.
    with run_on_commit():
        services.expert_invitation_decide(actor=world["users"]["staff"], invitation=invitation, accept=True)
    assert len(mail.outbox) == 1


def test_a_declined_expert_gets_nothing(world, run_on_commit):
    event = _plan(world)
    invitation = services.expert_invitation_request(
        actor=world["users"]["member"],
        event=event,
        name="خبير",
        expertise="اقتصاد",
        reason="سبب",
        email="x@example.org",
    )
    with run_on_commit():
        services.expert_invitation_decide(
            actor=world["users"]["staff"], invitation=invitation, accept=False, reason="لا يتوفر تمويل"
        )
    invitation.refresh_from_db()
    assert (
        invitation.status == ExpertInvitation.Status.DECLINED
        and invitation.decision_reason == "لا يتوفر تمويل"
    )
    assert not mail.outbox


def test_expert_requests_to_past_events_are_refused(world):
    event = _plan(world, start=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError):
        services.expert_invitation_request(
            actor=world["users"]["member"],
            event=event,
            name="خبير",
            expertise="اقتصاد",
            reason="سبب",
            email="x@example.org",
        )


def test_demo_shows_events_answers_and_a_pending_expert(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    counts = (Event.objects.count(), EventAnswer.objects.count(), ExpertInvitation.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    assert (Event.objects.count(), EventAnswer.objects.count(), ExpertInvitation.objects.count()) == counts
    assert Event.objects.filter(status=Event.Status.CANCELLED).exists()
    assert Event.objects.filter(ends_at__lt=timezone.now()).exists()
    now = timezone.now()
    soon = Event.objects.get(
        status="scheduled", starts_at__gt=now, starts_at__lte=now + timedelta(minutes=15)
    )
    assert ExpertInvitation.objects.filter(status=ExpertInvitation.Status.PENDING).count() == 1
    assert EventAnswer.objects.count() >= 5
    client = Client()
    client.login(username="omar", password="cssr-demo-2026")
    html = client.get(reverse("events:event-detail", args=[soon.space_id, soon.pk])).content.decode()
    assert soon.space.meeting_url in html
    reader_zone = zoneinfo.ZoneInfo(get_user_model().objects.get(username="omar").time_zone)
    month = soon.starts_at.astimezone(reader_zone).strftime("%Y-%m")  # the month it falls in for the reader
    html = client.get(reverse("events:event-month", args=[soon.space_id]), {"month": month}).content.decode()
    assert soon.title in html


@pytest.mark.parametrize("count", [3, 30])
def test_my_calendar_lists_my_groups_coming_events_in_constant_queries(
    world, clients, count, django_assert_num_queries
):
    member = world["users"]["member"]
    start = timezone.now() + timedelta(days=1)
    Event.objects.bulk_create(
        Event(
            space=world["space"],
            title=f"فعالية {n}",
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=30),
            time_zone="Asia/Damascus",
            created_by=member,
        )
        for n in range(count)
    )
    services.event_create(
        actor=world["users"]["other_member"],
        space=world["other_space"],
        title="ليست لي",
        description="",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="UTC",
    )
    client = clients["member"]
    client.get(reverse("events:calendar-feed-settings"))
    with django_assert_num_queries(7):  # with the user's space permissions, read once by the core
        html = client.get(reverse("events:calendar-feed-settings")).content.decode()
    assert "فعالية 0" in html and "ليست لي" not in html
