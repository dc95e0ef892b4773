"""Small counts stay private: a count of one or two people is hidden, and so is any cell that would
let it be worked out from the total and the cells beside it."""

import pytest
from django.urls import reverse

from accounts.models import ExpertiseArea
from cssr.disclosure import HIDDEN_TOO, cell, protect_group
from tests import factories


def shown(counts):
    cells = [cell(count, sum(counts)) for count in counts]
    protect_group(cells)
    return [item["display"] for item in cells]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([5, 2, 0], ["5", "<3", HIDDEN_TOO]),  # 7 - 5 - 0 would give the 2
        ([5, 1, 0], [HIDDEN_TOO, "<3", HIDDEN_TOO]),  # 1 + 0 is the only pair summing to 1: hide more
        ([4, 2], [HIDDEN_TOO, "<3"]),
        ([1, 2, 0], ["<3", "<3", "0"]),  # 1 + 2 = 3: either could be the 1
        ([1, 1, 9], ["<3", "<3", HIDDEN_TOO]),  # two ones sum to 2, the smallest they can: hide more
        ([4, 4, 4], ["4", "4", "4"]),
        ([0, 0, 6], ["0", "0", "6"]),
    ],
)
def test_a_hidden_count_is_never_alone_and_never_pinned_down_by_its_sum(counts, expected):
    assert shown(counts) == expected


def test_hidden_cells_lose_their_share():
    cells = [cell(count, 7) for count in (5, 2, 0)]
    protect_group(cells)
    assert [item["percent"] for item in cells] == [71, None, None]
    assert all(item["suppressed"] for item in cells[1:])


def test_the_balance_report_hides_the_cell_that_would_reveal_a_small_count(world, clients):
    space = world["space"]
    area = ExpertiseArea.objects.get(slug="law")
    for gender in ["woman"] * 5 + ["man"] * 2:
        factories.add_member(space, gender=gender, age_band="25_34", region="idlib").expertise_areas.add(area)
    response = clients["staff"].get(reverse("workgroups:balance-report"), {"space": space.pk})
    for dimension in response.context["report"]["dimensions"]:
        hidden = [row for row in dimension["rows"] if row["suppressed"]]
        assert len(hidden) != 1 or len(dimension["rows"]) == 1, dimension["key"]
    export = clients["staff"].get(reverse("workgroups:balance-export"), {"space": space.pk})
    assert export.status_code == 200
