"""Access-matrix rows and fixture content of the drafts capability (joined in tests/matrices.py)."""

ROWS = []


def content(world):
    """Objects of this capability in `world["space"]` that the rows need, merged into the `content` fixture."""
    return {}
