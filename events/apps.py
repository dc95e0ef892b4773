from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from workgroups import digests, panels

        from .digests import SOURCE
        from .panels import NEXT_MEETING
        from .search import register_search_source

        digests.register(SOURCE)
        panels.register(NEXT_MEETING)
        register_search_source()
