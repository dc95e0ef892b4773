"""The admin of the documents app (each module registers its models)."""

from . import drafts, library  # noqa: F401
