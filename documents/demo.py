"""Demo content of the documents app (loaded by `manage.py load_demo` after the spaces)."""


def load(*, context):
    loaded = {}
    # library
    from .demo_library import load as load_library

    loaded["library"] = load_library(context=context)

    # drafts
    from .demo_drafts import load as load_drafts

    loaded.update(load_drafts(context=context))

    return loaded
