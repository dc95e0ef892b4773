"""The hostile crawler: every URL of the platform, requested as every role, with hostile ids in the
path, hostile query values and hostile form bodies (tests/hostile_inputs.py). No answer may be a
server error, no answer may carry a space's data to someone who is not its member, and an object of
a space the role is not in, put in a path, is never answered.

The URLs come from the resolver (the platform's namespaces, allauth's pages and any other URL with
a matrix row), their valid arguments and bodies from the access matrix. Each row of the matrix has
one "deep" role, one that its view lets in (the matrix gives it a success; the roles that get in
take turns from row to row). It sends the valid request, which records the parameters the view
reads (a bound form reads every field it declares), then

- for each path argument alone: a number past 64 bits, and the same kind of object of another space;
  for all path arguments at once: one more hostile segment;
- in all query parameters at once (those it read and QUERY_PARAMETERS): every hostile value if the
  view read any parameter, else one; HOSTILE_FIELD_NUMBERS alone in each parameter of the row;
- for a form: every hostile value in all its fields at once (one if it read none), each of
  HOSTILE_FIELD_NUMBERS alone in each field of the valid body, lists where one value is expected and
  files where text is.

Every other role sends one request to each URL: the other space's objects in every object argument
(its own space's objects for the other space's member), a hostile value in every query parameter
and form field. Searches are also asked for each space's marker.

Each batch builds one world for a few roles and sends their requests, each in a savepoint that is
rolled back (the client's cookies restored too), so every request meets the same world. A request
costs about 25 ms (every page renders the whole shell): the 3,500 or so take a minute and a half.
"""

import copy
import re
import traceback
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from cssr.params import IdField, int_param, parse_id

from .conftest import ROLES
from .hostile_inputs import (
    HOSTILE_FIELD_NUMBERS,
    HOSTILE_PATH_SEGMENTS,
    HOSTILE_VALUES,
    PAST_64_BITS,
    QUERY_PARAMETERS,
)
from .matrix import PLATFORM_NAMESPACES
from .matrix import ROWS as MATRIX_ROWS
from .matrix.core import Row

ALLAUTH_PREFIXES = ("account_", "mfa_", "usersessions_")
NOT_CRAWLED = {"account_logout": "it ends the crawling client's session"}
# allauth's pages for signed-out visitors; its other pages are for signed-in people.
ALLAUTH_SIGNED_OUT_PAGES = {
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_confirm_login_code",
    "account_inactive",
    "mfa_authenticate",
    "mfa_login_webauthn",
}
ALLAUTH_ROLES = ("anonymous", "member", "staff")  # any other signed-in role sees what the member sees

# Where one of a space's objects goes in a path, the crawler also puts the same kind of object of a
# space the role is not in: the answer must be a refusal.
FOREIGN = "an object of another space"
OBJECT_PARAMETERS = {
    "space_id": "space",
    "thread_id": "thread",
    "post_id": "post",
    "concern_id": "concern",
    "document_id": "document",
    "version_id": "document_version",
    "draft_id": "draft",
    "section_id": "section",
    "comment_id": "draft_comment",
    "event_id": "event",
    "message_id": "chat_message",
    "conversation_id": "chat_conversation",
}
REFUSED = (403, 404, 405)
# Signed out, any page sends to the sign-in page; one with a query too long to carry along is refused.
REFUSED_SIGNED_OUT = (302, 400)
# Staff run elections in every space (tests/matrix/core.py): the election page answers them there too.
ANSWERED_IN_ANY_SPACE = {("workgroups:election-detail", "staff")}
SEARCHES = {"workgroups:search", "documents:archive-list"}
# Whoever holds the member's calendar link reads the member's calendar: it is the member speaking.
SPEAKS_FOR = {"events:calendar-feed": "member"}

GOT_THROUGH_PREFERENCE = [
    "member",
    "rapporteur",
    "technical_officer",
    "political_officer",
    "staff",
    "outsider",
    "other_member",
    "locked_member",
    "anonymous",
]
BATCHES = [
    ("member", "anonymous"),
    ("rapporteur", "outsider", "other_member"),
    ("technical_officer", "political_officer", "staff", "locked_member"),
]
MINIMUM_REQUESTS = 2_000


# --- What to crawl --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    template: str  # "/spaces/{space_id}/discussions/{thread_id}/"
    parameters: tuple


def _template(pattern):
    route = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route).lstrip("^").rstrip("$")


def _crawled(namespace, name):
    if name in NOT_CRAWLED:
        return False
    if namespace is None:
        return name.startswith(ALLAUTH_PREFIXES) or name in MATRIX_NAMES
    return namespace in PLATFORM_NAMESPACES


def _endpoints(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        route = prefix + _template(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _endpoints(pattern, route, pattern.namespace or namespace)
        elif pattern.name and _crawled(namespace, pattern.name):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield Endpoint(name, "/" + route, tuple(re.findall(r"{(\w+)}", route)))


MATRIX_NAMES = {row.name for row in MATRIX_ROWS}
ENDPOINTS = {}
for _endpoint in _endpoints(get_resolver()):
    ENDPOINTS.setdefault(_endpoint.name, _endpoint)  # the platform's sessions page comes before allauth's


def _allauth_rows(endpoint):
    """A GET and an empty POST of an allauth page the matrix does not hold (a made-up key in its path)."""
    role = "anonymous" if endpoint.name in ALLAUTH_SIGNED_OUT_PAGES else "member"
    count = len(endpoint.parameters)

    def args(world):
        return ["1"] * count

    return [
        Row(endpoint.name, {role: 200}, args=args, public=True),
        Row(endpoint.name, {role: 200}, method="post", args=args, public=True),
    ]


ROWS = [
    *MATRIX_ROWS,
    *(
        row
        for name, endpoint in ENDPOINTS.items()
        if name not in MATRIX_NAMES
        for row in _allauth_rows(endpoint)
    ),
]


def _deep_role(index):
    """The role that sends the whole corpus to a row: one its view lets in (the access matrix gives it
    a success), taken in turn among them so that each role's pages are crawled."""
    row = ROWS[index]
    through = [
        role
        for role in GOT_THROUGH_PREFERENCE
        if row.expected.get(role, 999) < 400 and (role != "anonymous" or row.public)
    ] or ["member"]
    return through[index % len(through)]


def _roles(row):
    return ROLES if row.name in MATRIX_NAMES else ALLAUTH_ROLES


UNITS = {
    batch: [(index, role) for role in batch for index, row in enumerate(ROWS) if role in _roles(row)]
    for batch in BATCHES
}


def _rotating(values, index):
    return values[index % len(values)]


@dataclass(frozen=True)
class Probe:
    row: int
    role: str
    # valid, path, path-all, query, query-field, body, body-field, body-lists, body-files, other-space
    kind: str
    value: str = ""
    field: str = ""  # the one path argument, parameter or field changed


def _deep_probes(index, role, read_names):
    """After the valid request (which read `read_names`): the whole corpus, in one role."""
    row = ROWS[index]
    endpoint = ENDPOINTS[row.name]
    keys = list(row.data(_AnyWorld()))
    for parameter in endpoint.parameters:
        yield Probe(index, role, "path", PAST_64_BITS, parameter)
        if parameter in OBJECT_PARAMETERS:
            yield Probe(index, role, "path", FOREIGN, parameter)
    if endpoint.parameters:
        yield Probe(index, role, "path-all", _rotating(HOSTILE_PATH_SEGMENTS, index))
    posts = row.method == "post"
    reads_query = read_names and not posts
    for value in HOSTILE_VALUES if reads_query else [_rotating(HOSTILE_VALUES, index)]:
        yield Probe(index, role, "query", value)
    if posts:
        for value in HOSTILE_VALUES if read_names else [_rotating(HOSTILE_VALUES, index)]:
            yield Probe(index, role, "body", value)
    for key in keys:
        for value in HOSTILE_FIELD_NUMBERS:
            yield Probe(index, role, "body-field" if posts else "query-field", value, key)
    if posts and read_names:
        yield Probe(index, role, "body-lists")
        yield Probe(index, role, "body-files")


def _light_probes(index, role):
    """The request of a role that is not the row's deep role: the other space's objects in the path,
    a hostile value everywhere else."""
    yield Probe(index, role, "other-space", _rotating(HOSTILE_VALUES, index))
    if ROWS[index].name in SEARCHES:
        for word in ("OTHERSPACE", "HOMESPACE"):
            yield Probe(index, role, "query-field", word, "q")


class _AnyWorld(dict):
    """Stands in for the world when the plan reads a row's field names: any object, any attribute."""

    def __missing__(self, key):
        from unittest import mock

        return mock.MagicMock()


# --- The world -------------------------------------------------------------------------------------

# Strings only the members of each space may ever receive.
HOME_MARKERS = [
    "HOMESPACE-THREAD-TITLE",
    "HOMESPACE-THREAD-BODY",
    "HOMESPACE-POST-BODY",
    "HOMESPACE-CONCERN-TITLE",
    "HOMESPACE-AGENDA-ITEM",
    "HOMESPACE-DOCUMENT-TITLE",
    "HOMESPACE-FILE-CONTENT",
    "HOMESPACE-CHAT-MESSAGE",
    "HOMESPACE-EVENT-TITLE",
    "HOMESPACE-DRAFT-TITLE",
    "HOMESPACE-SECTION-TEXT",
    "HOMESPACE-DRAFT-COMMENT",
]
OTHER_MARKERS = [marker.replace("HOMESPACE", "OTHERSPACE") for marker in HOME_MARKERS]
NOT_MEMBERS_OF_HOME = {"anonymous", "outsider", "other_member", "locked_member", "staff"}


def _space_content(space, author, marker):
    """A discussion with a reply, a concern, an agenda item, a document, a chat message, an event and a
    draft with a comment in `space`, by `author`, each carrying a marker `<marker>-...`."""
    from chat import services as chat
    from documents.services import drafts, library
    from events import services as events
    from workgroups import services

    thread = services.thread_create(
        actor=author, space=space, title=f"{marker}-THREAD-TITLE", body=f"{marker}-THREAD-BODY"
    )
    post = services.post_create(actor=author, thread=thread, body=f"{marker}-POST-BODY")
    concern = services.concern_propose(
        actor=author, space=space, title=f"{marker}-CONCERN-TITLE", description="-", tags=[], regions=[]
    )
    services.agenda_item_propose(actor=author, space=space, title=f"{marker}-AGENDA-ITEM")
    document = library.document_create(
        actor=author,
        space=space,
        title=f"{marker}-DOCUMENT-TITLE",
        upload=SimpleUploadedFile("notes.txt", f"{marker}-FILE-CONTENT".encode(), content_type="text/plain"),
    )
    conversation = chat.space_conversation_get_or_create(space=space)
    message = chat.message_send(actor=author, conversation=conversation, body=f"{marker}-CHAT-MESSAGE")
    start = timezone.now() + timedelta(days=5)
    event = events.event_create(
        actor=author,
        space=space,
        title=f"{marker}-EVENT-TITLE",
        description="-",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Asia/Damascus",
    )
    draft = drafts.draft_create(actor=author, space=space, title=f"{marker}-DRAFT-TITLE")
    section = draft.sections.get()
    drafts.section_save(actor=author, section=section, text=f"{marker}-SECTION-TEXT", base_revision=0)
    comment = drafts.comment_create(actor=author, section=section, body=f"{marker}-DRAFT-COMMENT")
    return {
        "space": space,
        "thread": thread,
        "post": post,
        "concern": concern,
        "document": document,
        "document_version": document.current_version,
        "draft": draft,
        "section": section,
        "draft_comment": comment,
        "event": event,
        "chat_message": message,
        "chat_conversation": conversation,
    }


@pytest.fixture
def crawl_world(content, django_capture_on_commit_callbacks):
    """The access matrix's world, with marked content in both spaces."""
    users = content["users"]
    with django_capture_on_commit_callbacks(execute=True):
        home = _space_content(content["space"], users["member"], "HOMESPACE")
        other = _space_content(content["other_space"], users["other_member"], "OTHERSPACE")
    return {**content, "home_objects": home, "other_objects": other}


def _forbidden_markers(role):
    return ([] if role == "other_member" else OTHER_MARKERS) + (
        HOME_MARKERS if role in NOT_MEMBERS_OF_HOME else []
    )


# --- Sending ----------------------------------------------------------------------------------------


class _ReadParameters:
    """Records the names a view reads from its query string and form body."""

    ATTRIBUTES = ("get", "getlist", "__getitem__", "__contains__")

    def __init__(self):
        self.names = set()

    def __enter__(self):
        from unittest import mock

        def recording(method):
            def read(query, key, *args, **kwargs):
                self.names.add(key)
                return method(query, key, *args, **kwargs)

            return read

        self._patches = [
            mock.patch.object(QueryDict, name, recording(getattr(QueryDict, name)))
            for name in self.ATTRIBUTES
        ]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self._patches:
            patch.stop()


def _foreign(world, role, parameter):
    objects = world["home_objects" if role == "other_member" else "other_objects"]
    target = objects[OBJECT_PARAMETERS[parameter]]
    return str(getattr(target, "public_id", None) or target.pk)


def _request(probe, world, read_names):
    """(method, url, query, body) of a probe in `world`."""
    row = ROWS[probe.row]
    endpoint = ENDPOINTS[row.name]
    args = dict(zip(endpoint.parameters, (str(value) for value in row.args(world)), strict=True))
    if probe.kind == "path":
        args[probe.field] = (
            _foreign(world, probe.role, probe.field) if probe.value == FOREIGN else probe.value
        )
    elif probe.kind == "path-all":
        args = dict.fromkeys(args, probe.value)
    elif probe.kind == "other-space":
        args.update({name: _foreign(world, probe.role, name) for name in args if name in OBJECT_PARAMETERS})
    url = endpoint.template.format(**{name: quote(value, safe="%") for name, value in args.items()})
    data = row.data(world)
    query, body = ({}, data) if row.method == "post" else (data, {})
    everything = sorted({*QUERY_PARAMETERS, *data, *read_names})
    if probe.kind in ("query", "other-space"):
        query = dict.fromkeys(everything, probe.value)
    if probe.kind == "query-field":
        query = {**query, probe.field: probe.value}
    elif probe.kind == "body" or (probe.kind == "other-space" and row.method == "post"):
        body = dict.fromkeys(everything, probe.value)
    elif probe.kind == "body-field":
        body = {**body, probe.field: probe.value}
    elif probe.kind == "body-lists":
        body = dict.fromkeys(everything, HOSTILE_FIELD_NUMBERS)
    elif probe.kind == "body-files":
        body = {
            name: SimpleUploadedFile(f"{name}.txt", b"\x00\xff" * 8, content_type="text/plain")
            for name in everything
        }
    return row.method, url, query, body


def _content(response):
    # The test client closes a streamed response once it is read, keeping the database connection.
    return b"".join(response.streaming_content) if response.streaming else response.content


def _send(client, request, read_names=None):
    """Send a request in a savepoint that is rolled back, the client's cookies kept as they were;
    (status, content). With `read_names`, add to it the parameters the view read."""
    method, url, query, body = request
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if read_names is None:
                response = getattr(client, method)(url, body or None, query_params=query)
            else:
                with _ReadParameters() as reading:
                    response = getattr(client, method)(url, body or None, query_params=query)
                read_names |= reading.names
            content = _content(response)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response.status_code, content


def _where(error):
    """The innermost frame of the platform's own code in the error's traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [
        frame
        for frame in frames
        if str(settings.BASE_DIR) in frame.filename
        and ".venv" not in frame.filename
        and "/tests/" not in frame.filename
    ] or frames
    return f"{Path(own[-1].filename).relative_to(settings.BASE_DIR)}:{own[-1].lineno}"


def _describe(probe, request):
    method, url, query, body = request
    value = probe.value if len(probe.value) < 30 else probe.value[:12] + f"…({len(probe.value)})"
    return (
        f"{probe.role} {ROWS[probe.row].id} [{probe.kind} {probe.field} {value!r}] "
        f"{method.upper()} {url[:120]} query={sorted(query)[:6]} body={sorted(body)[:6]}"
    )


class Crawl:
    """Sends probes and keeps every failure (a 5xx or an exception, a marker leaked to a non-member, a
    foreign object answered), so that one run reports them all."""

    def __init__(self, world, clients):
        self.world, self.clients = world, clients
        self.sent, self.failures = 0, []

    def probe(self, probe, read_names, *, record=False):
        request = _request(probe, self.world, read_names)
        self.sent += 1
        try:
            status, content = _send(self.clients[probe.role], request, read_names if record else None)
        except Exception as error:  # noqa: BLE001 - the crawler reports every failure at once
            self.failures.append(
                f"{type(error).__name__} at {_where(error)}: {str(error)[:100]} — {_describe(probe, request)}"
            )
            return
        if status >= 500:
            self.failures.append(f"{status} — {_describe(probe, request)}")
        row = ROWS[probe.row]
        leaked = [
            marker
            for marker in _forbidden_markers(SPEAKS_FOR.get(row.name, probe.role))
            if marker.encode() in content
        ]
        if leaked:
            self.failures.append(f"leaked {leaked} — {_describe(probe, request)}")
        refused = status in REFUSED or (probe.role == "anonymous" and status in REFUSED_SIGNED_OUT)
        if self._must_refuse(probe) and not refused:
            self.failures.append(f"answered {status} for {FOREIGN} — {_describe(probe, request)}")

    def _must_refuse(self, probe):
        row = ROWS[probe.row]
        foreign = probe.value == FOREIGN or (
            probe.kind == "other-space"
            and any(name in OBJECT_PARAMETERS for name in ENDPOINTS[row.name].parameters)
        )
        return foreign and (row.name, probe.role) not in ANSWERED_IN_ANY_SPACE


def test_the_crawl_covers_every_url_and_role():
    assert {row.name for row in ROWS} == set(ENDPOINTS)
    assert {role for batch in BATCHES for role in batch} == set(ROLES)
    assert all(name in ENDPOINTS for name in ("account_login", "mfa_index", "usersessions_list"))
    assert MATRIX_NAMES <= set(ENDPOINTS)


@pytest.mark.parametrize("batch", BATCHES, ids=["+".join(batch) for batch in BATCHES])
def test_no_server_error_and_no_other_spaces_data(batch, crawl_world, clients):
    """Every batch sends its share of at least MINIMUM_REQUESTS requests per run."""
    crawl = Crawl(crawl_world, clients)
    for index, role in UNITS[batch]:
        if role == _deep_role(index):
            read_names = set()
            crawl.probe(Probe(index, role, "valid"), read_names, record=True)
            for probe in _deep_probes(index, role, read_names):
                crawl.probe(probe, read_names)
        else:
            for probe in _light_probes(index, role):
                crawl.probe(probe, set())
    assert crawl.sent >= MINIMUM_REQUESTS / len(BATCHES)
    assert not crawl.failures, f"{len(crawl.failures)} failures in {crawl.sent} requests:\n" + "\n".join(
        crawl.failures[:80]
    )


# --- What the crawler found, kept fixed ------------------------------------------------------------

ODD_NUMBERS = ["²", "٣", "99999999999999999999", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠", "-1", " 7"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        ("0", 0),
        ("999999999999999999", 999_999_999_999_999_999),
        ("1234567890123456789", None),
        *((value, None) for value in ODD_NUMBERS),
        ("7\n", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_an_id_is_one_to_eighteen_ascii_digits(value, expected):
    assert parse_id(value) == expected
    assert int_param(QueryDict(mutable=True) if value is None else _query(value), "id") == expected


def _query(value):
    query = QueryDict(mutable=True)
    query["id"] = value
    return query


def test_a_path_id_is_one_to_eighteen_ascii_digits():
    assert resolve("/spaces/1/documents/999999999999999999/").url_name == "document-detail"
    for segment in ("9999999999999999999", "99999999999999999999", "²", "٣", "-1"):
        with pytest.raises(Resolver404):
            resolve(f"/spaces/1/documents/{quote(segment)}/")


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_an_id_field_refuses_anything_but_an_id(value):
    field = IdField(required=False)
    with pytest.raises(ValidationError):
        field.clean(value)
    assert field.clean("42") == 42


def _urls(world):
    document, version = world["document"], world["document_version"]
    return {
        "chat": reverse("chat:conversation-detail", args=[world["chat_conversation"].public_id]),
        "thread": reverse("workgroups:thread-detail", args=[world["space"].pk, world["thread"].pk]),
        "download": reverse("documents:version-download", args=[world["space"].pk, document.pk, version.pk]),
        "diff": reverse(
            "documents:section-diff", args=[world["space"].pk, world["draft"].pk, world["section"].pk]
        ),
        "restore": reverse(
            "documents:section-restore", args=[world["space"].pk, world["draft"].pk, world["section"].pk]
        ),
        "comment": reverse(
            "documents:comment-create", args=[world["space"].pk, world["draft"].pk, world["section"].pk]
        ),
    }


def test_an_odd_reply_shows_the_chat_without_a_reply(content, member_client):
    for value in ODD_NUMBERS:
        response = member_client.get(_urls(content)["chat"], {"reply": value})
        assert response.status_code == 200, value
        assert response.context["reply_to"] is None


@pytest.mark.parametrize("parameter", ["quote", "post"])
def test_an_odd_quote_or_post_shows_the_discussion_from_its_start(parameter, content, member_client):
    for value in ODD_NUMBERS:
        response = member_client.get(_urls(content)["thread"], {parameter: value})
        assert response.status_code == 200, value
        assert response.context["quote"] is None
        assert response.context["page"].number == 1


def test_a_document_id_past_64_bits_is_no_download(content, member_client):
    for document_id in ("99999999999999999999", "9223372036854775808", "١٢٣"):
        url = _urls(content)["download"].replace(
            f"/documents/{content['document'].pk}/", f"/documents/{quote(document_id)}/"
        )
        assert member_client.get(url).status_code == 404, document_id


def test_odd_revision_numbers_compare_the_latest_change(content, member_client):
    for value in ODD_NUMBERS:
        response = member_client.get(_urls(content)["diff"], {"from": value, "to": value})
        assert response.status_code == 200, value
        assert (response.context["older"], response.context["newer"]) == (1, 2)


def test_an_odd_revision_to_restore_or_comment_to_answer_changes_nothing(content, member_client):
    from documents.models import SectionComment, SectionRevision

    revisions, comments = SectionRevision.objects.count(), SectionComment.objects.count()
    urls = _urls(content)
    for value in ODD_NUMBERS:
        assert member_client.post(urls["restore"], {"number": value}).status_code == 302, value
        assert member_client.post(urls["comment"], {"body": "رد", "parent": value}).status_code == 302, value
    assert (SectionRevision.objects.count(), SectionComment.objects.count()) == (revisions, comments)


def test_an_odd_notification_marks_nothing_read(content, member_client):
    from workgroups.models import Notification

    notification = Notification.objects.create(
        recipient=content["users"]["member"],
        space=content["space"],
        kind=Notification.Kind.REPLY,
        title="رد جديد",
        url="/",
    )
    for value in ODD_NUMBERS:
        response = member_client.post(reverse("workgroups:notification-read"), {"notification": value})
        assert response.status_code == 302, value
    notification.refresh_from_db()
    assert notification.read_at is None


def test_odd_spaces_to_leave_out_of_the_digest_are_a_form_error(content, member_client):
    from workgroups.models import DigestMute

    for value in ODD_NUMBERS:
        response = member_client.post(
            reverse("workgroups:digest-settings"), {"frequency": "daily", "muted_spaces": [value]}
        )
        assert response.status_code == 200, value
        assert response.context["form"].errors["muted_spaces"]
    assert not DigestMute.objects.exists()


def test_a_next_that_is_not_a_path_goes_to_my_groups(content, member_client):
    for value in ("-1", "٣", "99999999999999999999", "accounts:profile"):
        response = member_client.post(reverse("accounts:conduct"), {"agree": "on", "next": value})
        assert response.status_code == 302, value
        assert response["Location"] == reverse("workgroups:space-list")


def test_members_see_every_marker_of_their_space(crawl_world, clients):
    """The markers show where the crawler looks for them: a leak would be seen."""
    for role, objects, marker in (
        ("member", crawl_world["home_objects"], "HOMESPACE"),
        ("other_member", crawl_world["other_objects"], "OTHERSPACE"),
    ):
        space, thread, draft = objects["space"].pk, objects["thread"].pk, objects["draft"].pk
        pages = [
            reverse("workgroups:thread-detail", args=[space, thread]),
            reverse("workgroups:concern-list", args=[space]),
            reverse("workgroups:agenda", args=[space]),
            reverse("documents:document-list", args=[space]),
            reverse(
                "documents:version-download",
                args=[space, objects["document"].pk, objects["document_version"].pk],
            ),
            reverse("chat:conversation-detail", args=[objects["chat_conversation"].public_id]),
            reverse("events:event-list", args=[space]),
            reverse("documents:draft-detail", args=[space, draft]),
            reverse("documents:draft-list", args=[space]),
        ]
        seen = b"".join(_content(clients[role].get(page)) for page in pages)
        markers = HOME_MARKERS if marker == "HOMESPACE" else OTHER_MARKERS
        assert [m for m in markers if m.encode() not in seen] == []


def test_a_nul_in_a_reinstatement_request_is_dropped(content, locked_member_client):
    """PostgreSQL refuses NUL in text: the request is kept without it."""
    from workgroups.models import ReinstatementRequest

    response = locked_member_client.post(
        reverse("workgroups:reinstatement-request", args=[content["space"].pk]),
        {"message": "أرجو\x00 إعادتي"},
    )
    assert response.status_code == 302
    assert ReinstatementRequest.objects.get().message == "أرجو إعادتي"
