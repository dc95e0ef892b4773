from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")

    def ready(self):
        from . import digests, search, signals

        signals.connect()
        digests.register_sources()
        search.register_search_source()
