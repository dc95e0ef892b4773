"""The matrix's table: the `Row` type, the helpers that spell a row's expected statuses, and the rows of
accounts and workgroups.

Each capability adds its rows to ROWS here or in its own module of this package (one `Row` per URL name
and method). `test_http.py` runs every row for every role and asserts the exact status; a meta-test walks
the URL resolver and fails on any URL of the platform's apps that has no row, so no new URL can skip the
matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from ..conftest import ROLES

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
    """Those who may view the space get `status`; who may not know it exists gets 404 (staff too: they
    run the platform from admin and enter no space they are not a member of); locked 403."""
    return expect(
        status,
        **{
            "anonymous": LOGIN,
            "outsider": 404,
            "other_member": 404,
            "locked_member": 403,
            "staff": 404,
            **overrides,
        },
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


POSTERS = ["member", "rapporteur", "political_officer"]  # the technical officer does not post


def _space(world):
    return [world["space"].pk]


def _thread(world):
    return [world["space"].pk, world["thread"].pk]


def _post(world):
    return [world["space"].pk, world["post"].pk]


def _concern(world):
    return [world["space"].pk, world["concern"].pk]


ROWS = [
    # the containers' health checks (cssr/health.py): the same for everyone, signed in or not
    Row("healthz", expect(200), public=True),
    Row("readyz", expect(200), public=True),
    # accounts
    Row("accounts:conduct", signed_in(200)),
    Row("accounts:conduct", signed_in(302), method="post", data=lambda w: {"agree": "on"}),
    Row("accounts:profile", signed_in(200)),
    Row(
        "accounts:profile",
        signed_in(302),
        method="post",
        data=lambda w: {
            "display_name": "اسم",
            "title": "",
            "preferred_language": "ar",
            "time_zone": "Asia/Damascus",
        },
    ),
    # "Download my data": always the caller's own data (no id in the URL); a POST, so GET is refused.
    Row("accounts:data-download", signed_in(200), method="post"),
    Row("accounts:data-download", expect(405, anonymous=LOGIN), note="GET is refused"),
    Row(
        "accounts:language-set",
        expect(302),
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
        public=True,
    ),
    Row(
        "accounts:invitation-accept",
        expect(410),
        args=lambda w: ["not-a-real-token"],
        note="unknown token",
        public=True,
    ),
    # workgroups
    Row("workgroups:space-list", signed_in(200)),
    Row("workgroups:space-detail", space_view(200), args=_space),
    Row("workgroups:interest-list", signed_in(200)),
    Row(
        "workgroups:interest-list",
        signed_in(200),
        method="post",
        data=lambda w: {"theme": ""},
        note="invalid form",
    ),
    Row("workgroups:proposal-list", signed_in(200)),
    Row(
        "workgroups:proposal-list",
        signed_in(200),
        method="post",
        data=lambda w: {"title": ""},
        note="invalid form",
    ),
    # The election page exists for every viewer of the space; writes need an elector (member or
    # rapporteur): officers and staff see but do not vote. Valid votes are tested in test_elections.py.
    Row("workgroups:election-detail", space_view(200, staff=200), args=_space),  # staff confirm results there
    Row(
        "workgroups:election-nominate",
        space_action(404, allowed=ELECTORS),
        method="post",
        args=_space,
        note="no election open",
    ),
    Row(
        "workgroups:election-respond",
        space_action(404, allowed=ELECTORS),
        method="post",
        args=_space,
        note="no election open",
    ),
    Row(
        "workgroups:election-vote",
        space_action(404, allowed=ELECTORS),
        method="post",
        args=_space,
        note="no election open",
    ),
    Row(
        "workgroups:election-confirm",
        space_action(404, allowed=["staff"]),
        method="post",
        args=_space,
        note="no election open",
    ),
    # discussions — the world has a discussion, a member's post, a concern and an agenda item
    Row("workgroups:thread-list", space_view(200), args=_space),
    Row(
        "workgroups:thread-list",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=lambda w: {"title": "موضوع جديد", "body": "نص"},
    ),
    Row("workgroups:thread-detail", space_view(200), args=_thread),
    Row(
        "workgroups:thread-detail",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_thread,
        data=lambda w: {"body": "رد"},
    ),
    Row(
        "workgroups:thread-manage",
        space_action(302, allowed=["rapporteur"]),
        method="post",
        args=_thread,
        data=lambda w: {"action": "pin"},
    ),
    Row(
        "workgroups:thread-follow",
        space_view(302),
        method="post",
        args=_thread,
        data=lambda w: {"follow": "1"},
    ),
    Row(
        "workgroups:post-edit",
        space_action(200, allowed=["member"]),
        args=_post,
        note="the member's own post",
    ),
    Row(
        "workgroups:post-edit",
        space_action(302, allowed=["member"]),
        method="post",
        args=_post,
        data=lambda w: {"body": "نص معدل"},
    ),
    Row("workgroups:post-delete", space_action(302, allowed=["member"]), method="post", args=_post),
    Row("workgroups:post-report", space_view(200), args=_post),
    Row(
        "workgroups:post-report",
        space_view(302, rapporteur=200),
        method="post",
        args=_post,
        data=lambda w: {"reason": "مخالفة"},
        note="the rapporteur already reported it",
    ),
    Row("workgroups:post-history", space_action(200, allowed=["technical_officer"]), args=_post),
    Row("workgroups:moderation-queue", space_action(200, allowed=["technical_officer"]), args=_space),
    Row(
        "workgroups:moderation-queue",
        space_action(302, allowed=["technical_officer"]),
        method="post",
        args=_space,
        data=lambda w: {"post": w["post"].pk, "action": "hide", "reason": "مخالفة لمدونة السلوك"},
    ),
    # concerns
    Row("workgroups:concern-list", space_view(200), args=_space),
    Row("workgroups:concern-create", space_action(200, allowed=POSTERS), args=_space),
    Row(
        "workgroups:concern-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=lambda w: {"title": "قضية", "description": "وصف", "tags": "أ، ب", "regions": ["homs"]},
    ),
    Row("workgroups:concern-summary", space_view(200), args=_space),
    Row("workgroups:concern-export", space_action(200, allowed=["rapporteur"]), args=_space),
    Row("workgroups:concern-detail", space_view(200), args=_concern),
    Row("workgroups:concern-endorse", space_action(302, allowed=POSTERS), method="post", args=_concern),
    Row(
        "workgroups:concern-status",
        space_action(302, allowed=["rapporteur"]),
        method="post",
        args=_concern,
        data=lambda w: {"status": "agreed", "priority": "3"},
    ),
    # agenda
    Row("workgroups:agenda", space_view(200), args=_space),
    Row(
        "workgroups:agenda",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=lambda w: {"title": "بند"},
    ),
    Row(
        "workgroups:agenda-update",
        space_action(302, allowed=["rapporteur"]),
        method="post",
        args=_space,
        data=lambda w: {"item": w["agenda_item"].pk, "status": "planned"},
    ),
    # across spaces
    Row("workgroups:notification-list", signed_in(200)),
    Row("workgroups:notification-read", signed_in(302), method="post"),
    Row("workgroups:notification-settings", signed_in(200)),
    Row(
        "workgroups:notification-settings", signed_in(302), method="post", data=lambda w: {"kinds": ["reply"]}
    ),
    Row("workgroups:search", signed_in(200), data=lambda w: {"q": "الدستور"}),
    Row("workgroups:digest-settings", signed_in(200)),
    Row("workgroups:digest-settings", signed_in(302), method="post", data=lambda w: {"frequency": "daily"}),
    # only the locked member of the space may ask to come back; nobody else may learn anything here
    Row(
        "workgroups:reinstatement-request",
        expect(404, anonymous=LOGIN, locked_member=302),
        method="post",
        args=_space,
        data=lambda w: {"message": "أرجو إعادتي"},
    ),
    Row("workgroups:balance-report", expect(404, anonymous=LOGIN, staff=200)),
    Row("workgroups:balance-export", expect(404, anonymous=LOGIN, staff=200)),
]
