from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        # library
        from documents.digests.library import SOURCES as library_sources
        from workgroups import digests

        for source in library_sources:
            digests.register(source)

        # drafts
        from documents.digests.drafts import register_digest_sources

        register_digest_sources()

        # the space home
        from documents.panels import DRAFTS
        from workgroups import panels

        panels.register(DRAFTS)

        # search
        from documents.search import register_search_sources

        register_search_sources()

        return None
