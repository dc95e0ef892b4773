"""Models of the documents app.

The library and the archive (library.py), co-drafting and the final note (drafts.py).
"""

# library
from .library import (  # noqa: F401
    ArchiveEntry,
    Document,
    DocumentTag,
    DocumentVersion,
    Language,
    TranslationRequest,
)

# drafts
# isort: split
from .drafts import Draft, Section, SectionComment, SectionRevision, SharingDecision  # noqa: F401
