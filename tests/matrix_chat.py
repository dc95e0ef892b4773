"""Access-matrix rows and fixture content of the chat capability (joined in tests/access_matrix.py)."""

ROWS = []


def content(world):
    """Objects of this capability in `world["space"]` that the rows need, merged into the `content` fixture."""
    return {}
