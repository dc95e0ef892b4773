"""What a space's home page shows beside the core's own sections: each capability registers a panel.

A panel is a template and a function that gives its context for one space and one viewer; the home
page renders the registered panels in order among its own sections, which answer "what needs me
now" from the most pressing down: the agenda (`AGENDA`), discussions with new replies
(`DISCUSSIONS`), my own standing (`STANDING`) and, last, the members (`MEMBERS`). A panel's `order`
places it between them: events put the next meeting first (`order=100`), documents the drafts and
the final note after the discussions (`order=400`). The space app stays unaware of the apps that add
them, as the digest sources do (`digests`). A panel's context function runs a bounded number of
queries, whatever the size of the space.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SpacePanel:
    key: str
    template: str
    context: Callable  # (*, space, user) -> dict
    order: int = 100


# The places of the home page's own sections, for panels to order themselves around.
AGENDA = 200
DISCUSSIONS = 300
STANDING = 500
MEMBERS = 900

PANELS: list[SpacePanel] = []


def register(panel):
    """Add a panel (called from an app's `ready()`); registering the same key twice replaces it."""
    PANELS[:] = sorted([known for known in PANELS if known.key != panel.key] + [panel], key=lambda p: p.order)


def sections_for(*, space, user, own):
    """The home page's own sections `own` ({order: template}, rendered with the page's context) and
    the registered panels, in order: [(template, panel context or None)]."""
    placed = [(order, template, None) for order, template in own.items()]
    placed += [(panel.order, panel.template, panel.context(space=space, user=user)) for panel in PANELS]
    return [(template, context) for _order, template, context in sorted(placed, key=lambda p: p[0])]
