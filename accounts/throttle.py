"""Wrong passwords: slow enough to stop guessing, never a hard lock, room for a workshop.

Failed sign-ins (the sign-in page, admin's sign-in which leads there, and asking for the password
again) are counted in the cache, three ways:

- **Per account**, whatever the address: from its `CSSR_SIGNIN_FAILURES_BEFORE_WAIT`-th failure in a
  row on, each failure makes the account wait before its next attempt, twice as long each time from
  `CSSR_SIGNIN_BACKOFF_SECONDS`, never longer than `CSSR_SIGNIN_BACKOFF_MAX_SECONDS`. While it
  waits, signing in is refused whatever the password (a guess gains nothing), with the time left. The
  count is forgotten after `CSSR_SIGNIN_FAILURE_MEMORY_SECONDS` without a failure, and a successful
  sign-in clears it.
- **Per account on its home networks**: a network (/24, /48) the account signed in from within
  `CSSR_SIGNIN_HOME_NETWORK_DAYS` days keeps a count of its own, and the account-wide wait does not
  hold there. Someone failing on purpose elsewhere cannot keep a person out where they usually sign
  in; failing on purpose from the person's own network delays them at most the longest wait.
- **Per address** (IPv4, or an IPv6 /64): after `CSSR_SIGNIN_FAILURES_PER_ADDRESS` failures within
  `CSSR_SIGNIN_ADDRESS_WINDOW_SECONDS`, attempts from it are refused until older failures age out. One
  address cannot try passwords across many accounts, while thirty people behind one Wi-Fi with a few
  typos among them go on signing in.

An attempt is counted before the password is checked and rolled back if it was right, under a lock,
so parallel requests cannot slip past a wait. A name that is no account is counted like an account
(the answer never tells whether an account exists). Cache keys are keyed hashes: no username, e-mail
or address is stored in clear. Refusals are logged to "cssr.security" with the truncated network of
the trusted client address (accounts/network.py), never what the client claims or what it typed.

Second-factor codes are throttled by allauth ("login_failed" in `ACCOUNT_RATE_LIMITS`: per address,
and per account), which only someone who already has the password reaches.
"""

import ipaddress
import logging
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

from allauth.account.signals import password_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from .network import client_ip, network_of

logger = logging.getLogger("cssr.security")

_LOCK_SECONDS = 5
_LOCK_WAIT_SECONDS = 1.0
_LOGIN_MAX_CHARS = 254


def now():
    """Seconds since the epoch; tests replace it to move the clock."""
    return time.time()


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt, counted as a failure until `succeeded` says otherwise."""

    account: str
    network: str
    address: str
    at: float


def _key(kind, *parts):
    digest = salted_hmac("accounts.throttle", "\x1f".join(parts), algorithm="sha256").hexdigest()[:40]
    return f"accounts:throttle:{kind}:{digest}"


def _account_of(login):
    """A stable name for the account a sign-in names: its id when it exists (its username and its
    e-mail address count as one account), else the name as typed."""
    login = (login or "").strip().lower()[:_LOGIN_MAX_CHARS]
    user_id = None
    if login:
        user_id = (
            get_user_model()
            .objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
            .values_list("pk", flat=True)
            .first()
        )
    return f"user:{user_id}" if user_id is not None else f"name:{login}"


def _address_of(ip):
    """IPv4: the address itself; IPv6: its /64, what one household or one phone is given."""
    if ":" in ip:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return ip


def _wait_after(failures):
    """Seconds an account waits after its `failures`-th failure in a row."""
    first = settings.CSSR_SIGNIN_FAILURES_BEFORE_WAIT
    if failures < first:
        return 0
    doubling = min(failures - first, 32)
    return min(settings.CSSR_SIGNIN_BACKOFF_SECONDS * 2**doubling, settings.CSSR_SIGNIN_BACKOFF_MAX_SECONDS)


def _state(key, at):
    state = cache.get(key)
    if not isinstance(state, dict) or at - state.get("last", 0) > settings.CSSR_SIGNIN_FAILURE_MEMORY_SECONDS:
        return {"failures": 0, "last": at, "until": 0}
    return state


@contextmanager
def _locked(key):
    lock = f"{key}:lock"
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    pause = 0.005
    while not cache.add(lock, 1, _LOCK_SECONDS):
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    try:
        yield True
    finally:
        cache.delete(lock)


def _who(account):
    # Only an existing account's id is logged: a name that is no account may be a password typed
    # into the wrong field.
    return account if account.startswith("user:") else "unknown account"


def _refuse(message, *, reason, account, network, wait):
    logger.warning(
        "sign-in refused (%s): %s from %s, %d s to wait", reason, _who(account), network or "?", wait
    )
    raise ValidationError(message, code="too_many_login_attempts")


def _account_message(wait):
    if wait < 60:
        return ngettext(
            "Too many failed sign-in attempts for this account. Please try again in %(count)d second.",
            "Too many failed sign-in attempts for this account. Please try again in %(count)d seconds.",
            wait,
        ) % {"count": wait}
    minutes = math.ceil(wait / 60)
    return ngettext(
        "Too many failed sign-in attempts for this account. Please try again in %(count)d minute.",
        "Too many failed sign-in attempts for this account. Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def _address_message(wait):
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many failed sign-in attempts from your network. Please try again in %(count)d minute.",
        "Too many failed sign-in attempts from your network. Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def attempt_begin(request, *, login):
    """Count a password attempt for the account named `login` (a username or an e-mail address).

    Raises ValidationError (a message in the user's language, with the time to wait) when the account
    or the address must wait; nothing is counted then. Returns the `Attempt` to pass to `succeeded`.
    """
    at = now()
    ip = client_ip(request)
    attempt = Attempt(account=_account_of(login), network=network_of(ip), address=_address_of(ip), at=at)
    account_key = _key("account", attempt.account)
    network_key = _key("account-network", attempt.account, attempt.network)
    address_key = _key("address", attempt.address)
    at_home = bool(attempt.network) and cache.get(_key("home", attempt.account, attempt.network)) is not None
    with _locked(account_key) as account_free, _locked(address_key) as address_free:
        if not (account_free and address_free):
            _refuse(
                _account_message(1), reason="busy", account=attempt.account, network=attempt.network, wait=1
            )
        window = settings.CSSR_SIGNIN_ADDRESS_WINDOW_SECONDS
        history = [stamp for stamp in cache.get(address_key, []) if at - stamp < window]
        if len(history) >= settings.CSSR_SIGNIN_FAILURES_PER_ADDRESS:
            wait = math.ceil(min(history) + window - at)
            _refuse(
                _address_message(wait),
                reason="address",
                account=attempt.account,
                network=attempt.network,
                wait=wait,
            )
        states = {account_key: _state(account_key, at), network_key: _state(network_key, at)}
        held = [network_key] if at_home else [account_key, network_key]
        wait = math.ceil(max(states[key]["until"] - at for key in held))
        if wait > 0:
            _refuse(
                _account_message(wait),
                reason="account",
                account=attempt.account,
                network=attempt.network,
                wait=wait,
            )
        for key, state in states.items():
            failures = state["failures"] + 1
            cache.set(
                key,
                {"failures": failures, "last": at, "until": at + _wait_after(failures)},
                settings.CSSR_SIGNIN_FAILURE_MEMORY_SECONDS,
            )
        cache.set(address_key, [*history, at], window)
    return attempt


def failed(attempt):
    """The password was wrong: the attempt stays counted."""
    logger.info("sign-in failed: %s from %s", _who(attempt.account), attempt.network or "?")


def succeeded(attempt, *, user):
    """The password was right: the account's counts are cleared, this attempt no longer counts against
    the address, and the network becomes one of the account's home networks."""
    accounts = {attempt.account, f"user:{user.pk}"}
    for account in accounts:
        with _locked(_key("account", account)):
            cache.delete_many([_key("account", account), _key("account-network", account, attempt.network)])
    if attempt.network:
        days = settings.CSSR_SIGNIN_HOME_NETWORK_DAYS
        cache.set(_key("home", f"user:{user.pk}", attempt.network), 1, days * 24 * 3600)
    address_key = _key("address", attempt.address)
    with _locked(address_key) as free:
        if free:
            history = cache.get(address_key, [])
            if attempt.at in history:
                history.remove(attempt.at)
                cache.set(address_key, history, settings.CSSR_SIGNIN_ADDRESS_WINDOW_SECONDS)


def password_renewed(user, request=None):
    """The account's owner proved themselves another way (a reset link from their e-mail, or staff set
    a new password): the account's wait is lifted at once, and the network the reset came from counts
    as home, so a person whom someone kept waiting by failing on purpose gets straight back in."""
    account = f"user:{user.pk}"
    network = network_of(client_ip(request)) if request is not None else ""
    with _locked(_key("account", account)):
        keys = [_key("account", account)] + ([_key("account-network", account, network)] if network else [])
        cache.delete_many(keys)
    if network:
        days = settings.CSSR_SIGNIN_HOME_NETWORK_DAYS
        cache.set(_key("home", account, network), 1, days * 24 * 3600)
    logger.info("sign-in wait lifted after a password reset: %s", account)


def _on_password_reset(sender, request, user, **kwargs):
    password_renewed(user, request)


def connect():
    """Connect the receivers (from `AccountsConfig.ready`)."""
    password_reset.connect(_on_password_reset, dispatch_uid="accounts.throttle.password-reset")
