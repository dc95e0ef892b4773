"""Access-matrix rows and fixture content of the events capability (joined in tests/matrix/__init__.py).

Who does what (docs/architecture.md, "Events and calendars"): anyone who sees the space reads its events and
downloads their .ics; members, rapporteurs and the political officer plan events (contribute); the
organiser and the rapporteurs change or cancel them; the space's people (not staff as such) answer;
members and rapporteurs ask for an expert. The personal feed answers to its token alone.
"""

from datetime import timedelta

from django.utils import timezone

from .core import ELECTORS, POSTERS, Row, expect, signed_in, space_action, space_view


def _space(world):
    return [world["space"].pk]


def _event(world):
    return [world["space"].pk, world["event"].pk]


def _event_data(world):
    start = timezone.now() + timedelta(days=3)
    return {
        "title": "اجتماع تنسيقي",
        "description": "نقاش المسودة",
        "time_zone": "Asia/Damascus",
        "starts_at": start.strftime("%Y-%m-%dT10:00"),
        "ends_at": start.strftime("%Y-%m-%dT11:30"),
    }


CHANGERS = ["member", "rapporteur"]  # the member organised the world's event; rapporteurs manage outputs

ROWS = [
    Row("events:event-list", space_view(200), args=_space),
    Row("events:event-month", space_view(200), args=_space),
    Row("events:event-create", space_action(200, allowed=POSTERS), args=_space),
    Row(
        "events:event-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=_event_data,
    ),
    Row("events:event-detail", space_view(200), args=_event),
    Row("events:event-edit", space_action(200, allowed=CHANGERS), args=_event),
    Row(
        "events:event-edit", space_action(302, allowed=CHANGERS), method="post", args=_event, data=_event_data
    ),
    Row("events:event-cancel", space_action(302, allowed=CHANGERS), method="post", args=_event),
    # Answering belongs to the space's people: staff see the event but are not in the group.
    Row(
        "events:event-respond",
        space_view(302),
        method="post",
        args=_event,
        data=lambda w: {"answer": "going"},
    ),
    Row("events:event-ics", space_view(200), args=_event),
    Row("events:expert-request", space_action(200, allowed=ELECTORS), args=_event),
    Row(
        "events:expert-request",
        space_action(302, allowed=ELECTORS),
        method="post",
        args=_event,
        data=lambda w: {
            "name": "د. سعاد",
            "expertise": "القانون الدستوري",
            "email": "expert@example.org",
            "reason": "خبرة في صياغة الدساتير",
        },
    ),
    Row("events:calendar-feed-settings", signed_in(200)),
    Row(
        "events:calendar-feed-settings",
        signed_in(200),
        method="post",
        data=lambda w: {"action": "renew"},
        note="a new link, shown once",
    ),
    # The feed is fetched by calendar applications without a session: the token alone decides.
    Row(
        "events:calendar-feed",
        expect(200),
        args=lambda w: [w["feed_token"]],
        note="the member's token",
        public=True,
    ),
    Row("events:calendar-feed", expect(404), args=lambda w: ["x" * 43], note="a guessed token", public=True),
]


def content(world):
    """An upcoming online event planned by the member, and the member's calendar feed token."""
    from events import services

    member = world["users"]["member"]
    start = timezone.now() + timedelta(days=2)
    event = services.event_create(
        actor=member,
        space=world["space"],
        title="اجتماع المجموعة الشهري",
        description="جدول الأعمال",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="Asia/Damascus",
    )
    return {"event": event, "feed_token": services.calendar_feed_renew(user=member)}
