"""Events of a space, the meeting room, .ics downloads and the personal calendar feed."""

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workgroups import access
from workgroups.access import Action

from . import ics, selectors, services
from .forms import EventAnswerForm, EventForm, ExpertInvitationForm, MonthForm


@require_GET
def event_list(request, space_id):
    """The space's upcoming events with their answer counts (and the past ones below)."""
    space = access.access_space(request.user, space_id)
    now = timezone.now()
    return render(
        request,
        "events/event_list.html",
        {
            "space": space,
            "upcoming": selectors.event_list(space=space, now=now),
            "past": selectors.event_list(space=space, upcoming=False, now=now)[:20],
            "may_create": access.can(request.user, Action.CONTRIBUTE, space),
        },
    )


@require_GET
def event_month(request, space_id):
    """A month of the space's events as a grid, in the reader's time zone, weeks as the locale starts them."""
    space = access.access_space(request.user, space_id)
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    year, month = MonthForm(request.GET).month_or(today)
    weeks = selectors.month_grid(space=space, year=year, month=month, zone=zone)
    first = weeks[0][0]["date"]
    shown = first.replace(year=year, month=month, day=1)
    previous = (shown.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    following = (shown.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return render(
        request,
        "events/event_month.html",
        {
            "space": space,
            "weeks": weeks,
            "month": shown,
            "today": today,
            "previous": previous,
            "following": following,
            "day_names": [day["date"] for day in weeks[0]],
            "may_create": access.can(request.user, Action.CONTRIBUTE, space),
        },
    )


@require_http_methods(["GET", "POST"])
def event_create(request, space_id):
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    form = EventForm(request.POST or None, space=space, zone_name=request.user.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, space=space, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The event is planned. The group's members are notified."))
            return redirect("events:event-detail", space.pk, event.pk)
    return render(request, "events/event_form.html", {"space": space, "form": form, "event": None})


@require_GET
def event_detail(request, space_id, event_id):
    space = access.access_space(request.user, space_id)
    event = access.access_event(request.user, space, event_id, queryset=selectors.event_detail_queryset())
    user = request.user
    now = timezone.now()
    may_join = access.can_join_meeting(user, event, now)
    return render(
        request,
        "events/event_detail.html",
        {
            "space": space,
            "event": event,
            "organiser_zone": zoneinfo.ZoneInfo(event.time_zone),
            "my_answer": selectors.answer_of(user=user, event=event),
            "answers": EventAnswerForm.base_fields["answer"].choices,
            "may_respond": _may(access.check_respond_event, user, event)
            and not event.is_cancelled
            and not event.is_past,
            "may_change": _may(access.check_change_event, user, event) and not event.is_cancelled,
            "may_ask_expert": _may(access.check_request_expert, user, event)
            and not event.is_cancelled
            and not event.is_past,
            "may_join": may_join,
            "meeting_url": space.meeting_url if may_join else "",
            "join_early_minutes": settings.CSSR_EVENT_JOIN_EARLY_MINUTES,
            "join_opens_later": not may_join
            and access.can(user, Action.VIEW, event)
            and event.is_online
            and bool(space.meeting_url)
            and not event.is_cancelled
            and not event.is_past,
        },
    )


def _may(check, user, event):
    try:
        check(user, event)
    except (PermissionDenied, Http404):
        return False
    return True


@require_http_methods(["GET", "POST"])
def event_edit(request, space_id, event_id):
    space = access.access_space(request.user, space_id)
    event = access.access_event(request.user, space, event_id, queryset=selectors.event_detail_queryset())
    access.check_change_event(request.user, event)
    if event.is_cancelled:
        messages.error(request, _("This event is cancelled and can no longer be changed."))
        return redirect("events:event-detail", space.pk, event.pk)
    form = EventForm(request.POST or None, space=space, event=event, zone_name=event.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The event is changed. Calendars pick up the change."))
            return redirect("events:event-detail", space.pk, event.pk)
    return render(request, "events/event_form.html", {"space": space, "form": form, "event": event})


@require_POST
def event_cancel(request, space_id, event_id):
    space = access.access_space(request.user, space_id)
    event = access.access_event(request.user, space, event_id, queryset=selectors.event_detail_queryset())
    access.check_change_event(request.user, event)
    services.event_cancel(actor=request.user, event=event)
    messages.success(request, _("The event is cancelled. The group's members are notified."))
    return redirect("events:event-detail", space.pk, event.pk)


@require_POST
def event_respond(request, space_id, event_id):
    space = access.access_space(request.user, space_id)
    event = access.access_event(request.user, space, event_id, queryset=selectors.event_detail_queryset())
    access.check_respond_event(request.user, event)
    form = EventAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["answer"])
        services.event_respond(actor=request.user, event=event, answer=form.cleaned_data["answer"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect("events:event-detail", space.pk, event.pk)


@require_GET
def event_ics(request, space_id, event_id):
    """The event as an .ics file; the meeting room's link only for the space's people."""
    space = access.access_space(request.user, space_id)
    event = access.access_event(request.user, space, event_id, queryset=selectors.event_detail_queryset())
    body = ics.event_ics(event, with_join_link=access.can(request.user, Action.VIEW, event))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def expert_request(request, space_id, event_id):
    """Members and rapporteurs ask the Office of the Special Envoy to invite an expert."""
    space = access.access_space(request.user, space_id)
    event = access.access_event(request.user, space, event_id, queryset=selectors.event_detail_queryset())
    access.check_request_expert(request.user, event)
    form = ExpertInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_invitation_request(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your request is sent to the operations support team, who will decide.")
            )
            return redirect("events:event-detail", space.pk, event.pk)
    return render(request, "events/expert_request.html", {"space": space, "event": event, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    """ "My calendar": the coming events of all my groups, and the personal feed: make a new secret
    link (shown once) or switch it off."""
    new_link = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Your calendar link is switched off."))
            return redirect("events:calendar-feed-settings")
        token = services.calendar_feed_renew(user=request.user)
        new_link = request.build_absolute_uri(reverse("events:calendar-feed", args=[token]))
    return render(
        request,
        "events/calendar_feed.html",
        {
            "new_link": new_link,
            "has_feed": selectors.calendar_feed_exists(user=request.user),
            "upcoming": selectors.upcoming_for_user(user=request.user),
        },
    )


@login_not_required
@never_cache
@require_GET
def calendar_feed(request, token):
    """The personal feed that calendar applications fetch without a session: the token is the key.

    A guessed, revoked or malformed token gets 404. Holds the events of every space the token's
    owner enters now (a locked or removed member's feed loses that space).
    """
    user = services.calendar_feed_user(token=token)
    if user is None:
        raise Http404
    with translation.override(user.preferred_language):
        body = ics.feed_ics(selectors.feed_events(user=user), name=_("CSSR: my meetings"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cssr.ics"'
    return response


# The feed is fetched by calendar applications: neither the code-of-conduct nor the staff two-factor
# gate applies (they work on a session; the token stands for the person).
calendar_feed.conduct_not_required = True
