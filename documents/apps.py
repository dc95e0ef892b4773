from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        # library
        from workgroups import digests

        from .digests_library import SOURCES as library_sources

        for source in library_sources:
            digests.register(source)

        # drafts
        from .digests_drafts import register_digest_sources

        register_digest_sources()

        return None
