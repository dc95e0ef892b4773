import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from cssr.params import ModelMultipleChoiceIdField
from workgroups.models import AgendaItem

from .models import EventAnswer, ExpertInvitation

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
LONGEST_EVENT = datetime.timedelta(days=14)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class WallClockField(forms.DateTimeField):
    """A date and time as read on a wall clock, without a zone: the form applies the zone chosen
    beside it (the organiser's), not the reader's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            result = None
        if result is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return result.replace(tzinfo=None)


def localise(wall_clock, zone):
    """The UTC instant of `wall_clock` in `zone`, or a ValidationError for a time that does not exist
    there (the hour skipped when clocks go forward). An hour that happens twice (clocks go back) is
    read as its first occurrence."""
    aware = wall_clock.replace(tzinfo=zone, fold=0)
    if aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != wall_clock:
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks change that night. Choose another time."),
            params={"time": wall_clock.strftime("%Y-%m-%d %H:%M"), "zone": zone.key},
            code="gap",
        )
    return aware.astimezone(datetime.UTC)


class EventForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000
    )
    starts_at = WallClockField(label=_("starts"))
    ends_at = WallClockField(label=_("ends"))
    time_zone = forms.ChoiceField(
        label=_("time zone of these times"),
        choices=time_zone_choices,
        error_messages={"invalid_choice": _("Unknown time zone: %(value)s")},
    )
    location = forms.CharField(
        label=_("place"),
        max_length=255,
        required=False,
        help_text=_("Leave empty for a meeting in the group's online meeting room."),
    )
    agenda_items = ModelMultipleChoiceIdField(
        label=_("agenda items"),
        queryset=AgendaItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, space, event=None, zone_name, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if event is not None:
            zone = zoneinfo.ZoneInfo(event.time_zone)
            initial = {
                "title": event.title,
                "description": event.description,
                "location": event.location,
                "time_zone": event.time_zone,
                "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
                "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None),
                "agenda_items": list(event.agenda_items.values_list("pk", flat=True)),
                **initial,
            }
        else:
            initial = {"time_zone": zone_name, **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["agenda_items"].queryset = (
            AgendaItem.objects.filter(space=space)
            .exclude(status=AgendaItem.Status.DECLINED)
            .order_by("position", "pk")
        )

    def clean(self):
        data = super().clean()
        zone_name, starts, ends = data.get("time_zone"), data.get("starts_at"), data.get("ends_at")
        if not zone_name or starts is None or ends is None:
            return data
        for name, value in (("starts_at", starts), ("ends_at", ends)):
            if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                self.add_error(
                    name,
                    _("Choose a date between the years %(first)s and %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
                )
                return data
        zone = zoneinfo.ZoneInfo(zone_name)
        try:
            data["starts_at"] = localise(starts, zone)
        except ValidationError as error:
            self.add_error("starts_at", error)
        try:
            data["ends_at"] = localise(ends, zone)
        except ValidationError as error:
            self.add_error("ends_at", error)
        if self.errors:
            return data
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The event must end after it starts."))
        elif data["ends_at"] - data["starts_at"] > LONGEST_EVENT:
            self.add_error("ends_at", _("An event lasts at most 14 days."))
        return data


class EventAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=EventAnswer.Answer.choices,
        error_messages={"invalid_choice": _("Choose going, maybe or not going.")},
    )


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)

    def month_or(self, today):
        if self.is_valid() and self.cleaned_data.get("month"):
            year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
            if EARLIEST_YEAR <= year <= LATEST_YEAR and 1 <= month <= 12:
                return year, month
        return today.year, today.month


class ExpertInvitationForm(forms.ModelForm):
    class Meta:
        model = ExpertInvitation
        fields = ["name", "expertise", "email", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
