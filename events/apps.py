from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from workgroups import digests, panels

        from .digests import SOURCE
        from .selectors import event_next

        digests.register(SOURCE)
        panels.register(
            panels.SpacePanel(
                key="next-events",
                template="events/partials/space_panel.html",
                context=lambda *, space, user: {"next_events": event_next(space=space)},
            )
        )
