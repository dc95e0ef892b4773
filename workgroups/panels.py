"""What a space's home page shows beside the core's own sections: each capability registers a panel.

A panel is a template and a function that gives its context for one space and one viewer; the home
page renders the registered panels in order. The space app stays unaware of the apps that add them
(events registers "next events" from its `ready()`), as the digest sources do (`digests`).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SpacePanel:
    key: str
    template: str
    context: Callable  # (*, space, user) -> dict
    order: int = 100


PANELS: list[SpacePanel] = []


def register(panel):
    """Add a panel (called from an app's `ready()`); registering the same key twice replaces it."""
    PANELS[:] = sorted([known for known in PANELS if known.key != panel.key] + [panel], key=lambda p: p.order)


def panels_for(*, space, user):
    """The registered panels with their context for `space` seen by `user`: [(template, context)]."""
    return [(panel.template, panel.context(space=space, user=user)) for panel in PANELS]
