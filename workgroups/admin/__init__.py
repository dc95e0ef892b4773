"""The admin of the workgroups app, one module per feature (each registers its models)."""

from . import (  # noqa: F401
    contributions,
    discussions,
    elections,
    inactivity,
    outbox,
    participation,
    questionnaires,
    spaces,
)
