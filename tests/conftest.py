"""Role fixtures and clients shared by every test: one user per role around one space."""

import atexit
import contextlib
import functools
import ipaddress
import os
import shutil
import socket
import tempfile
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts import two_factor
from workgroups import services as workgroup_services
from workgroups.models import Membership, Role

from . import factories

ROLES = [
    "anonymous",
    "outsider",
    "other_member",
    "member",
    "locked_member",
    "rapporteur",
    "technical_officer",
    "political_officer",
    "staff",
]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _is_this_machine(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _host_of_socket_call(sock, *args, **kwargs):
    """The host a socket's connect/connect_ex/sendto call goes to (the address is the last argument)."""
    if sock.family == socket.AF_UNIX:
        return "localhost"
    address = args[-1] if args else kwargs.get("address")
    return address[0] if isinstance(address, tuple) else address


def _host_of_lookup(host=None, *args, **kwargs):
    return host


def _only_this_machine(function, host_of):
    @functools.wraps(function)
    def guarded(*args, **kwargs):
        host = host_of(*args, **kwargs)
        if not _is_this_machine(host):
            raise OSError(f"tests may not reach the network: {host!r} is not this machine")
        return function(*args, **kwargs)

    return guarded


@pytest.fixture(autouse=True, scope="session")
def _no_internet():
    """No test reaches the Internet: looking up a name or connecting to anything but this machine
    (loopback addresses, `localhost`, unix sockets) raises OSError."""
    guarded = [(socket.socket, name, _host_of_socket_call) for name in ("connect", "connect_ex", "sendto")]
    guarded += [
        (socket, name, _host_of_lookup) for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex")
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _host_of in guarded]
    for owner, name, host_of in guarded:
        setattr(owner, name, _only_this_machine(getattr(owner, name), host_of))
    yield
    for owner, name, original in originals:
        setattr(owner, name, original)


# Unit tests run Celery tasks in-process; the real worker is exercised by the job tests.
from cssr.celery import app as celery_app  # noqa: E402

celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

# Parallel test processes may share one Redis (CI's second pass): give each its own key space.
_ISOLATION = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
for _cache in django_settings.CACHES.values():  # "default" and the liveness store "access"
    _cache["KEY_PREFIX"] = _ISOLATION
    if _cache["BACKEND"].endswith("FileBasedCache"):  # not var/: a directory of this process's own
        _cache["LOCATION"] = tempfile.mkdtemp(prefix=f"cssr-{_ISOLATION}-")
        atexit.register(shutil.rmtree, _cache["LOCATION"], ignore_errors=True)
if "CONFIG" in django_settings.CHANNEL_LAYERS["default"]:
    django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _ISOLATION


def _clear_own_cache():
    from django.core.cache import cache, caches

    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client(None, write=True)
        for key in client.scan_iter(match=f"{cache.key_prefix}:*"):
            client.delete(key)  # the "access" store shares this Redis and this prefix
    else:
        cache.clear()
        if "access" in caches:
            caches["access"].clear()  # this process's own directory (above)


@pytest.fixture(autouse=True)
def _clear_cache():
    _clear_own_cache()
    yield
    _clear_own_cache()


@pytest.fixture
def space(db):
    return factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")


@pytest.fixture
def other_space(db):
    return factories.make_space(name="مجموعة القضايا الانتخابية", name_en="Electoral issues")


@pytest.fixture
def world(db, space, other_space):
    """One user of each role around `space` (and a member of `other_space`)."""
    users = {
        "anonymous": None,
        "outsider": factories.UserFactory(username="outsider", display_name="نور"),
        "other_member": factories.add_member(other_space, username="other", display_name="سامي"),
        "member": factories.add_member(space, username="member", display_name="عمر الخطيب"),
        "locked_member": factories.add_member(space, username="locked", display_name="أحمد"),
        "rapporteur": factories.add_member(
            space, role=Role.RAPPORTEUR, username="rapporteur", display_name="ليلى حداد"
        ),
        "technical_officer": factories.add_member(
            space, role=Role.TECHNICAL_OFFICER, username="tech", display_name="طارق"
        ),
        "political_officer": factories.add_member(
            space, role=Role.POLITICAL_OFFICER, username="political", display_name="نادية"
        ),
        "staff": factories.StaffFactory(username="staff", display_name="فريق الدعم"),
    }
    locked = Membership.objects.get(space=space, user=users["locked_member"])
    workgroup_services.membership_lock(actor=None, membership=locked, reason="test")
    return {"space": space, "other_space": other_space, "users": users}


def client_for(user, *, second_factor=True):
    """A client signed in as `user` (None: anonymous). Where the two-factor policy asks for a second
    factor (accounts/two_factor.py), the session has used one, as after a real sign-in: the user gets an
    authenticator app if they have none. `second_factor=False` gives a session that signed in with the
    password alone."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if second_factor and two_factor.is_required(user):
            pass_second_factor(client, user)
    return client


def pass_second_factor(client, user):
    """Record in `client`'s session that `user` used their second factor, as allauth does at sign-in."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.http import HttpRequest

    authenticator = Authenticator.objects.filter(user=user, type__in=two_factor.SECOND_FACTOR_TYPES).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()


TOTP_FROZEN_AT = 1_900_000_020  # the instant allauth's code check sees in `frozen_totp`


@contextlib.contextmanager
def frozen_totp(at=TOTP_FROZEN_AT):
    """Stop the clock allauth's authenticator-app check reads at `at` (a Unix time), so that a code
    computed with `totp_code` for the same instant is checked in the window it was computed for: with
    the wall clock, a code computed near the end of its 30 seconds would be refused now and then.
    A context manager, or a decorator of a test."""
    with mock.patch("allauth.mfa.totp.internal.auth.time") as clock:
        clock.time.return_value = at
        yield


def totp_code(secret, at=TOTP_FROZEN_AT):
    """The authenticator app's code for `secret` at the instant `at` (use under `frozen_totp(at)`)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, at // app_settings.TOTP_PERIOD))


class SignedInClients(dict):
    """A signed-in client per role of the world, each made on first use: most tests use one or two
    of the nine, and signing in (a session, the two-factor record) is most of a short test's cost.
    Iterating makes them all."""

    def __init__(self, users):
        super().__init__()
        self.users = users

    def __missing__(self, role):
        client = self[role] = client_for(self.users[role])
        return client

    def _all(self):
        for role in self.users:
            self[role]  # noqa: B018 - made on first use

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def __iter__(self):
        return iter(self.users)

    def __len__(self):
        return len(self.users)


@pytest.fixture
def clients(world):
    return SignedInClients(world["users"])


def _role_client(role):
    @pytest.fixture
    def fixture(clients):
        return clients[role]

    return fixture


anonymous_client = _role_client("anonymous")
outsider_client = _role_client("outsider")
other_member_client = _role_client("other_member")
member_client = _role_client("member")
locked_member_client = _role_client("locked_member")
rapporteur_client = _role_client("rapporteur")
technical_officer_client = _role_client("technical_officer")
political_officer_client = _role_client("political_officer")
staff_client = _role_client("staff")


@pytest.fixture
def content(world, django_capture_on_commit_callbacks):
    """A discussion with a member's post, a concern and an agenda item in `space` (for the matrix)."""
    from workgroups import services as s

    space, member = world["space"], world["users"]["member"]
    with django_capture_on_commit_callbacks(execute=True):
        thread = s.thread_create(actor=member, space=space, title="الدستور", body="نص **أول**")
        post = s.post_create(actor=member, thread=thread, body="رد من عضو")
        concern = s.concern_propose(
            actor=member,
            space=space,
            title="حماية الحريات",
            description="وصف القضية",
            tags=["حقوق"],
            regions=["idlib"],
        )
        item = s.agenda_item_propose(actor=member, space=space, title="المبادئ الدستورية")
        s.post_report(actor=world["users"]["rapporteur"], post=post, reason="لغة غير لائقة")
    world = {**world, "thread": thread, "post": post, "concern": concern, "agenda_item": item}
    from .matrix import CAPABILITY_MATRICES

    for capability in CAPABILITY_MATRICES:
        with django_capture_on_commit_callbacks(execute=True):
            world.update(capability.content(world))
    return world
