"""iCalendar (RFC 5545) output: one event to download, or a person's whole feed.

Times are written in UTC (DTSTART/DTEND with a Z), so every calendar application shows them in
its own zone whatever the daylight-saving rules. UID never changes; SEQUENCE grows with each change;
a cancelled event stays in the feed with STATUS:CANCELLED so calendars remove it.
"""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODUCT_ID = "-//CSSR//Civil Society Support Room//AR"


def _calendar(name):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _component(event, *, with_join_link, stamp):
    space = event.space
    link = settings.SITE_URL + event.get_absolute_url()
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", stamp)
    component.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    component.add("dtend", event.ends_at.astimezone(datetime.UTC))
    component.add("created", event.created_at.astimezone(datetime.UTC))
    component.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    component.add("sequence", event.sequence)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("summary", event.title)
    description = [event.description] if event.description else []
    if not event.is_online:
        component.add("location", event.location)
    elif with_join_link and space.meeting_url:
        component.add("location", space.meeting_url)
        description.append(_("Join the meeting: %(url)s") % {"url": space.meeting_url})
    description.append(_("Group: %(space)s") % {"space": space.name})
    description.append(link)
    component.add("description", "\n\n".join(description))
    component.add("url", link)
    return component


def event_ics(event, *, with_join_link):
    """One event as an .ics file (bytes). The meeting room's link only when `with_join_link`."""
    calendar = _calendar(event.title)
    calendar.add_component(_component(event, with_join_link=with_join_link, stamp=timezone.now()))
    return calendar.to_ical()


def feed_ics(events, *, name):
    """A person's feed: events of the spaces they enter now (they are members: links included)."""
    calendar = _calendar(name)
    stamp = timezone.now()
    for event in events:
        calendar.add_component(_component(event, with_join_link=True, stamp=stamp))
    return calendar.to_ical()
