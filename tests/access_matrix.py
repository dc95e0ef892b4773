"""The role × URL access matrix, reusable by every capability.

Each capability adds its rows to ROWS (one `Row` per URL name and method). `test_access_matrix.py`
runs every row for every role and asserts the exact status; a meta-test walks the URL resolver and
fails on any URL of the platform's apps that has no row, so no new URL can skip the matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .conftest import ROLES

LOGIN = 302  # anonymous users are sent to the sign-in page


def expect(default, **overrides):
    """Expected status per role: `default` for every role, except those named."""
    unknown = set(overrides) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: overrides.get(role, default) for role in ROLES}


def signed_in(status=200, **overrides):
    """Any signed-in user gets `status`; anonymous users go to sign-in."""
    return expect(status, anonymous=LOGIN, **overrides)


def space_view(status=200, **overrides):
    """Those who may view the space get `status`; who may not know it exists gets 404; locked 403."""
    return expect(
        status, anonymous=LOGIN, outsider=404, other_member=404, locked_member=403, **overrides
    )


def space_action(status, *, allowed, denied=403):
    """A write in the space: roles in `allowed` get `status`, other viewers get `denied` (403)."""
    base = space_view(denied)
    for role in allowed:
        base[role] = status
    return base


@dataclass
class Row:
    name: str
    expected: dict
    method: str = "get"
    args: Callable = lambda world: []
    data: Callable = lambda world: {}
    note: str = ""
    public: bool = False  # reachable without signing in (sign-in, language, invitation pages)

    def url(self, world):
        return reverse(self.name, args=self.args(world))

    @property
    def id(self):
        return f"{self.method.upper()} {self.name}{(' ' + self.note) if self.note else ''}"


ELECTORS = ["member", "rapporteur"]


def _space(world):
    return [world["space"].pk]


ROWS = [
    # accounts
    Row("accounts:conduct", signed_in(200)),
    Row("accounts:conduct", signed_in(302), method="post", data=lambda w: {"agree": "on"}),
    Row("accounts:profile", signed_in(200)),
    Row("accounts:profile", signed_in(302), method="post",
        data=lambda w: {"display_name": "اسم", "title": "", "preferred_language": "ar", "time_zone": "Asia/Damascus"}),
    Row("accounts:language-set", expect(302), method="post", data=lambda w: {"language": "en", "next": "/"}, public=True),
    Row("accounts:invitation-accept", expect(410), args=lambda w: ["not-a-real-token"], note="unknown token",
        public=True),
    # workgroups
    Row("workgroups:space-list", signed_in(200)),
    Row("workgroups:space-detail", space_view(200), args=_space),
    Row("workgroups:interest-list", signed_in(200)),
    Row("workgroups:interest-list", signed_in(200), method="post", data=lambda w: {"theme": ""}, note="invalid form"),
    Row("workgroups:proposal-list", signed_in(200)),
    Row("workgroups:proposal-list", signed_in(200), method="post", data=lambda w: {"title": ""}, note="invalid form"),
    # The election page exists for every viewer of the space; writes need an elector (member or
    # rapporteur): officers and staff see but do not vote. Valid votes are tested in test_elections.py.
    Row("workgroups:election-detail", space_view(200), args=_space),
    Row("workgroups:election-nominate", space_action(404, allowed=ELECTORS), method="post", args=_space,
        note="no election open"),
    Row("workgroups:election-respond", space_action(404, allowed=ELECTORS), method="post", args=_space,
        note="no election open"),
    Row("workgroups:election-vote", space_action(404, allowed=ELECTORS), method="post", args=_space,
        note="no election open"),
    Row("workgroups:election-confirm", space_action(404, allowed=["staff"]), method="post", args=_space,
        note="no election open"),
    Row("workgroups:balance-report", expect(404, anonymous=LOGIN, staff=200)),
    Row("workgroups:balance-export", expect(404, anonymous=LOGIN, staff=200)),
]
