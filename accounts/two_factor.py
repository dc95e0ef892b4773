"""Who must sign in with a second factor, and whether this session did.

The policy: staff, and anyone who holds one of `CSSR_MFA_REQUIRED_ROLES` in any space (a locked
membership keeps its role, one that was left does not), must have an authenticator app (TOTP) or a
passkey (WebAuthn) and must have used it in this session; `CSSR_REQUIRE_MFA_FOR_EVERYONE` asks it of
every account. Recovery codes stand in for a lost phone at sign-in, but are not a second factor on
their own.

A session passed the second factor when allauth recorded an "mfa" authentication for its user in it
(`allauth.account.authentication`): at sign-in, on reauthentication, or when the user set up their
first authenticator in this session (the code from the new app is the proof; see `_on_added`).

The gate reads two facts on every request: the roles the user holds and the kinds of second factor
they have. Both are kept in the cache all processes share (`liveness.shared_cache`: a role given in
admin or by a job in the worker is seen by the web server's next request and socket check) and written
again whenever a membership or an authenticator is
saved or deleted (model signals, because admin, services and allauth all change them), so the gate
costs no database query per request; the cache entry also lapses after `_FACTS_SECONDS`.
"""

from types import SimpleNamespace

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.db.models.signals import post_delete, post_save

from workgroups.models import Membership

from .liveness import shared_cache

SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
STAFF = "staff"
_FACTS_SECONDS = 600


def _roles_key(user_id):
    return f"accounts:two-factor:roles:{user_id}"


def _factors_key(user_id):
    return f"accounts:two-factor:factors:{user_id}"


def _load_roles(user_id):
    roles = (
        Membership.objects.filter(user_id=user_id)
        .exclude(state=Membership.State.LEFT)
        .values_list("role", flat=True)
        .distinct()
    )
    return sorted(set(roles))


def _load_factors(user_id):
    types = Authenticator.objects.filter(user_id=user_id, type__in=SECOND_FACTOR_TYPES).values_list(
        "type", flat=True
    )
    return sorted(set(types))


def refresh_roles(user_id):
    """Read the roles `user_id` holds again (after a membership changed)."""
    shared_cache().set(_roles_key(user_id), _load_roles(user_id), _FACTS_SECONDS)


def refresh_factors(user_id):
    """Read the kinds of second factor `user_id` has again (after an authenticator changed)."""
    shared_cache().set(_factors_key(user_id), _load_factors(user_id), _FACTS_SECONDS)


def _facts(user):
    """(roles held in any space, kinds of second factor), from the cache or the database."""
    keys = {"roles": _roles_key(user.pk), "factors": _factors_key(user.pk)}
    cache = shared_cache()
    found = cache.get_many(keys.values())
    roles, factors = found.get(keys["roles"]), found.get(keys["factors"])
    if roles is None:
        roles = _load_roles(user.pk)
        cache.set(keys["roles"], roles, _FACTS_SECONDS)
    if factors is None:
        factors = _load_factors(user.pk)
        cache.set(keys["factors"], factors, _FACTS_SECONDS)
    return roles, factors


def is_required(user):
    """True if `user` must sign in with a second factor (see the module docstring)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if settings.CSSR_REQUIRE_MFA_FOR_EVERYONE:
        return True
    required = set(settings.CSSR_MFA_REQUIRED_ROLES)
    if user.is_staff and STAFF in required:
        return True
    roles, _factors = _facts(user)
    return bool(required.intersection(roles))


def second_factors(user):
    """The kinds of second factor `user` has that the platform accepts: "totp", "webauthn"."""
    _roles, factors = _facts(user)
    return [kind for kind in factors if kind in mfa_settings.SUPPORTED_TYPES]


def session_passed(request):
    """True if the signed-in user used a second factor in this session."""
    return passed_in(request.session, request.user)


def passed_in(session, user):
    """True if `session` (a session store or its loaded data) records a second factor used by `user`."""
    records = get_authentication_records(SimpleNamespace(session=session), user)
    return any(isinstance(record, dict) and record.get("method") == "mfa" for record in records)


def session_admits(session, user):
    """What the gate decides for a session that is not a request (a websocket): False when `user` must
    use a second factor and `session` has not passed one, whichever the reason (none set up yet)."""
    return not is_required(user) or (bool(second_factors(user)) and passed_in(session, user))


def _on_added(sender, request, user, authenticator, **kwargs):
    """Setting up the first authenticator of an account proves the device with a code from it: the
    session counts as having passed the second factor. A further one added later does not (the session
    must already have passed to reach those pages)."""
    if request is None or authenticator.type not in SECOND_FACTOR_TYPES:
        return
    if (
        Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES)
        .exclude(pk=authenticator.pk)
        .exists()
    ):
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)


def _on_authenticator_changed(sender, instance, **kwargs):
    refresh_factors(instance.user_id)


def _on_membership_changed(sender, instance, **kwargs):
    refresh_roles(instance.user_id)


def connect():
    """Connect the receivers (from `AccountsConfig.ready`)."""
    authenticator_added.connect(_on_added, dispatch_uid="accounts.two_factor.enrolled")
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(
            _on_authenticator_changed,
            sender=Authenticator,
            dispatch_uid=f"accounts.two_factor.factors.{name}",
        )
        signal.connect(
            _on_membership_changed, sender=Membership, dispatch_uid=f"accounts.two_factor.roles.{name}"
        )
