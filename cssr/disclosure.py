"""Small counts stay private: one rule for every table of counts about people.

A count of one or two people can single them out, so it is shown as "<3" and its share is not
shown (primary suppression). That is not enough when the table also shows its total and the cells
beside it: «<3» next to «0 (0%)» under a total of 7 and a cell of 5 is 2. So in a group of cells
(the rows of one question, the columns of one row, the categories of one dimension) the cells that
would let a hidden count be worked out are hidden too (complementary suppression), shown as "—":
the hidden cells are never alone, and their sum never pins each of them down.
"""

SMALL_COUNT = 3
HIDDEN_TOO = "—"


def cell(count, total, *, protect=True):
    """One count with its share of `total`: hidden as "<3" when `protect` and 0 < count < 3."""
    hidden = protect and 0 < count < SMALL_COUNT
    share = (count / total) if total and not hidden else None
    return {
        "count": count,
        "display": f"<{SMALL_COUNT}" if hidden else str(count),
        "share": share,
        "percent": round(share * 100) if share is not None else None,
        "suppressed": hidden,
    }


def small_display(count, *, protect=True):
    """How a lone count is written: "<3" for one or two people."""
    return f"<{SMALL_COUNT}" if protect and 0 < count < SMALL_COUNT else str(count)


def _derivable(hidden, primary):
    """Whether the hidden cells of a group can be read from its total and its shown cells: a hidden
    cell alone, or a sum that only one combination gives (each count of one or two people at its
    smallest and every other hidden cell at zero; or, with only such counts hidden, each at two)."""
    if len(hidden) == 1:
        return True
    total = sum(item["count"] for item in hidden)
    primaries = sum(1 for item in hidden if id(item) in primary)
    if total == primaries:
        return True
    return primaries == len(hidden) and total == (SMALL_COUNT - 1) * primaries


def protect_group(cells):
    """Hide, in place, the cells of one group that would reveal a hidden count (see the module's
    docstring). Cells are dicts from `cell`; those hidden here show "—" and lose their share."""
    hidden = [item for item in cells if item["suppressed"]]
    if not hidden:
        return cells
    primary = {id(item) for item in hidden}
    shown = sorted((item for item in cells if not item["suppressed"]), key=lambda item: item["count"])
    while shown and _derivable(hidden, primary):
        item = shown.pop(0)
        item.update(display=HIDDEN_TOO, share=None, percent=None, suppressed=True)
        hidden.append(item)
    return cells
