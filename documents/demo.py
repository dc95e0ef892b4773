"""Demo content of the documents app (loaded by `manage.py load_demo` after the spaces)."""

from .demo_drafts import load as load_drafts
from .demo_library import load as load_library


def load(*, context):
    loaded = {"library": load_library(context=context)}
    loaded.update(load_drafts(context=context))
    return loaded
