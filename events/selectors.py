"""Reads of the events capability (lists, the month grid, the space home, the personal feed)."""

import calendar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import get_format

from workgroups import access

from .models import CalendarFeed, Event, EventAnswer


def _with_counts(queryset):
    return queryset.annotate(
        going_count=Count("answers", filter=Q(answers__answer=EventAnswer.Answer.GOING)),
        maybe_count=Count("answers", filter=Q(answers__answer=EventAnswer.Answer.MAYBE)),
        not_going_count=Count("answers", filter=Q(answers__answer=EventAnswer.Answer.NOT_GOING)),
    )


def event_list(*, space, upcoming=True, now=None):
    """The space's upcoming (or past) events, with answer counts, in one query."""
    now = now or timezone.now()
    events = Event.objects.filter(space=space).select_related("created_by")
    if upcoming:
        return _with_counts(events.filter(ends_at__gt=now)).order_by("starts_at", "pk")
    return _with_counts(events.filter(ends_at__lte=now)).order_by("-starts_at", "-pk")


def event_next(*, space, limit=3, now=None):
    """The next scheduled events of the space, for its home page (one query)."""
    now = now or timezone.now()
    return Event.objects.filter(space=space, status=Event.Status.SCHEDULED, ends_at__gt=now).order_by(
        "starts_at", "pk"
    )[:limit]


def event_detail_queryset():
    """Events with what their page shows: the answer counts, the organiser, the agenda items."""
    return (
        _with_counts(Event.objects.all())
        .select_related("space", "created_by")
        .prefetch_related("agenda_items")
    )


def event_get(*, user, space, event_id):
    """An event of `space` (already checked by the caller), or None."""
    return event_detail_queryset().filter(space=space, pk=event_id).first()


def answer_of(*, user, event):
    """`user`'s answer to the event (going, maybe, not going), or None."""
    return EventAnswer.objects.filter(event=event, user=user).values_list("answer", flat=True).first()


def month_grid(*, space, year, month, zone):
    """The weeks of a month as lists of days (None outside the month), each with its events, in the
    reader's time zone `zone`; weeks start on the locale's first day. One query whatever the number
    of events."""
    first_weekday = (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7  # Django: 0 = Sunday; calendar: 0 = Monday
    start = datetime.combine(date(year, month, 1), time.min, tzinfo=zone)
    last_day = calendar.monthrange(year, month)[1]
    end = datetime.combine(date(year, month, last_day) + timedelta(days=1), time.min, tzinfo=zone)
    by_day = {}
    for event in Event.objects.filter(space=space, starts_at__lt=end, ends_at__gt=start).order_by(
        "starts_at", "pk"
    ):
        local_start = max(event.starts_at, start).astimezone(zone).date()
        local_end = (min(event.ends_at, end) - timedelta(microseconds=1)).astimezone(zone).date()
        day = local_start
        while day <= local_end:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    weeks = []
    for week in calendar.Calendar(firstweekday=first_weekday).monthdatescalendar(year, month):
        weeks.append(
            [{"date": day, "in_month": day.month == month, "events": by_day.get(day, [])} for day in week]
        )
    return weeks


def feed_events(*, user, now=None):
    """The events of every space `user` enters through a membership now (locked or removed: gone),
    from `CSSR_CALENDAR_FEED_PAST_DAYS` back, with their spaces, in one query."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.CSSR_CALENDAR_FEED_PAST_DAYS)
    return (
        Event.objects.filter(space__in=access.filter_spaces(user).values("pk"), ends_at__gte=since)
        .select_related("space")
        .order_by("starts_at", "pk")
    )


def upcoming_for_user(*, user, limit=20, now=None):
    """The coming events of every space `user` enters through a membership, for "My calendar"."""
    now = now or timezone.now()
    return (
        Event.objects.filter(space__in=access.filter_spaces(user).values("pk"), ends_at__gt=now)
        .select_related("space")
        .order_by("starts_at", "pk")[:limit]
    )


def calendar_feed_exists(*, user):
    """Whether `user` has a personal calendar feed switched on."""
    return CalendarFeed.objects.filter(user=user).exists()
