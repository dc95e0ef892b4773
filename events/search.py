"""What search finds in the events app: the events of the spaces a user may view."""

from django.utils.translation import gettext_lazy as _

from cssr.search import highlight
from workgroups.selectors.search import Result, SearchSource, register

from .models import Event


def _events(scope):
    return Event.objects.filter(space__in=scope.spaces).select_related("space").defer("search_text")


def _show_event(scope, event):
    shown = " — ".join(part for part in (event.title, event.description, event.location) if part)
    return Result(
        "event",
        _("Event"),
        event.title,
        highlight(shown, scope.query),
        event.get_absolute_url(),
        event.space.name,
        event.starts_at,
        event.score,
    )


SOURCE = SearchSource("event", _("Events"), 70, _events, _show_event)


def register_search_source():
    register(SOURCE)
