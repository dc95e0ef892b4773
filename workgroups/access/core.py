"""The role table and the questions every other rule is built on.

django-guardian object permissions on each Space are the source of truth. They are granted to one
auth Group per (space, role) (`grants`), and the membership services keep those groups in step with
memberships: joining adds the user to the role's group, locking or leaving removes them. Objects
inside a space (threads, documents, messages, events, ...) are authorised through their space.

- `check(user, action, obj)` raises Http404 when the user may not know the object exists,
  MembershipLocked (403) for a locked member, and PermissionDenied (403, with the reason) when they
  may see it but not do the action.
- `can(user, action, obj)` is the same question as a bool, for templates.
- `visible(user, queryset, action)` filters any queryset of spaces or of objects inside spaces.
- `audience(obj, action)` gives the users who may do `action` on the object's space.

What is read from guardian is kept for the request in one `AccessCache` on the user object: one
query reads every space permission the user holds, and every question about spaces is answered from
it. `forget(user)` drops it (long-lived websocket consumers ask afresh on every frame).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Exists, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission
from guardian.shortcuts import get_users_with_perms

from ..models import Membership, Role, Space


class Action(StrEnum):
    VIEW = "view"
    CONTRIBUTE = "contribute"
    MODERATE = "moderate"
    MANAGE_OUTPUTS = "manage_outputs"


PERMISSION = {
    Action.VIEW: "view_space",
    Action.CONTRIBUTE: "contribute_space",
    Action.MODERATE: "moderate_space",
    Action.MANAGE_OUTPUTS: "manage_outputs_space",
}

# The role table (docs/architecture.md, "Roles"): what each role may do in an active space.
ROLE_ACTIONS = {
    Role.MEMBER: frozenset({Action.VIEW, Action.CONTRIBUTE}),
    Role.RAPPORTEUR: frozenset({Action.VIEW, Action.CONTRIBUTE, Action.MANAGE_OUTPUTS}),
    Role.TECHNICAL_OFFICER: frozenset({Action.VIEW, Action.MODERATE}),
    Role.POLITICAL_OFFICER: frozenset({Action.VIEW, Action.CONTRIBUTE}),
}
# A proposed or concluded space is read-only for every role.
READ_ONLY_ACTIONS = frozenset({Action.VIEW})
# Staff hold no action in any space unless a membership gives them one: they run the platform from
# admin, which shows structure, not what participants wrote (only a space's members enter it).

INACTIVE_SPACE = _("This space is not active: it can be read but not changed.")


class MembershipLocked(PermissionDenied):
    """The user's membership of this space is locked: they may know it exists, not enter it."""

    def __init__(self, space):
        super().__init__(_("Your access to this space is locked."))
        self.space = space


class Refused(ValidationError, PermissionDenied):
    """A refusal tied to the state of an object (a closed discussion): a form shows it beside the
    input like any ValidationError, and where nobody catches it, it is a 403 like PermissionDenied."""


@dataclass
class AccessCache:
    """What the core has read for one user during one request, keyed by space or object id."""

    held: dict | None = None  # space id -> frozenset of Actions, for every space with a permission
    elector: dict = field(default_factory=dict)  # space id -> bool
    questionnaire_audience: dict = field(default_factory=dict)  # questionnaire id -> bool


def cache_of(user):
    """The user's `AccessCache` for this request (created on first use)."""
    cache = user.__dict__.get("_access_cache")
    if cache is None:
        cache = user.__dict__["_access_cache"] = AccessCache()
    return cache


def forget(user):
    """Drop everything cached about `user` (after a change of their memberships, or on every frame
    of a long-lived connection)."""
    user.__dict__.pop("_access_cache", None)


def is_signed_in(user):
    """A signed-in, active account."""
    return bool(user.is_authenticated and user.is_active)


def is_operations(user):
    """Operations staff: they run the platform's structure; they enter no space without a membership."""
    return bool(is_signed_in(user) and user.is_staff)


def operations_staff():
    """The operations staff as a queryset of active users: those `is_operations` is true for (who
    hear of requests addressed to the operations support team)."""
    return get_user_model().objects.filter(is_active=True, is_staff=True)


def check_operations(user):
    """Pages for operations staff only: anyone else gets 404, as if they did not exist."""
    if not is_operations(user):
        raise Http404


def role_actions(space, role):
    """What `role` may do in `space` now, given the space's status."""
    allowed = ROLE_ACTIONS[Role(role)]
    return allowed if space.status == Space.Status.ACTIVE else allowed & READ_ONLY_ACTIONS


def space_of(obj):
    """The space an object belongs to: the object itself, or its `space` (objects inside a space)."""
    if isinstance(obj, Space):
        return obj
    path = getattr(type(obj), "access_space_path", "space")
    target = obj
    for part in path.split("__"):
        target = getattr(target, part)
    return target


def _held(user):
    """{space id: frozenset of Actions} over every space where `user`'s role groups hold a permission:
    ONE query per request, which every question about spaces is then answered from (the filters below
    take the ids as a literal list, which the database and the ORM handle faster than a subquery)."""
    cache = cache_of(user)
    if cache.held is None:
        action_of = {codename: action for action, codename in PERMISSION.items()}
        rows = GroupObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Space),
            group__user=user,
            permission__codename__in=list(action_of),
        ).values_list("object_pk", "permission__codename")
        by_space = {}
        for space_pk, codename in rows:
            by_space.setdefault(int(space_pk), set()).add(action_of[codename])
        cache.held = {space_pk: frozenset(actions) for space_pk, actions in by_space.items()}
    return cache.held


def _actions(user, space):
    """The actions `user` may take in `space`."""
    if not is_signed_in(user):
        return frozenset()
    return _held(user).get(space.pk, frozenset())


def space_ids(user, action=Action.VIEW):
    """The ids of the spaces where `user` may do `action`, sorted (from the request's `_held`)."""
    if not is_signed_in(user):
        return []
    action = Action(action)
    return sorted(space_pk for space_pk, actions in _held(user).items() if action in actions)


def can(user, action, obj):
    """True if `user` may do `action` on `obj` (a space or an object inside one)."""
    return Action(action) in _actions(user, space_of(obj))


def check(user, action, obj):
    """Raise unless `user` may do `action` on `obj`.

    Http404 when the user may not know the space exists; MembershipLocked (403) for a locked member;
    PermissionDenied (403, with the reason) when they see the space but may not do the action.
    """
    space = space_of(obj)
    actions = _actions(user, space)
    action = Action(action)
    if action in actions:
        return
    if Action.VIEW not in actions:
        if (
            user.is_authenticated
            and Membership.objects.filter(user=user, space=space, state=Membership.State.LOCKED).exists()
        ):
            raise MembershipLocked(space)
        raise Http404
    require_active(space)
    raise PermissionDenied(_("Your role in this space does not allow this."))


def require_active(space):
    """Raise PermissionDenied unless `space` accepts changes: a proposed or concluded space can be read
    but not changed. Services that trust their caller ask it again under their row lock."""
    if space.status != Space.Status.ACTIVE:
        raise PermissionDenied(INACTIVE_SPACE)


def check_writable(user, obj):
    """Raise unless `user` may view `obj`'s space and the space is active (404/403 as `check`).

    The gate of the writes that are not contributions (follow a discussion, report a post or a
    message, answer an event, leave a group conversation), and the first step of role checks that
    are not an action of the role table."""
    check(user, Action.VIEW, obj)
    require_active(space_of(obj))


def can_write(user, obj):
    """`check_writable` as a bool."""
    return can(user, Action.VIEW, obj) and space_of(obj).status == Space.Status.ACTIVE


def filter_spaces(user, action=Action.VIEW):
    """A queryset of the spaces where `user` may do `action` (through a membership that lets them in)."""
    if not is_signed_in(user):
        return Space.objects.none()
    return Space.objects.filter(pk__in=space_ids(user, action))


def space_ids_by_user(user_ids, action=Action.VIEW):
    """`filter_spaces` for a batch of users at once: {user id: set of space ids}, in three queries
    whatever the batch size (the digest job). Inactive or unknown users are left out."""
    users = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True)
    result = {pk: set() for pk in users.values_list("pk", flat=True)}
    granted = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Space),
        permission__codename=PERMISSION[Action(action)],
        group__user__in=list(result),
    ).values_list("group__user", "object_pk")
    for user_id, space_pk in granted:
        result[user_id].add(int(space_pk))
    return result


def visible(user, queryset, action=Action.VIEW):
    """Filter `queryset` (spaces, or objects inside spaces) to what `user` may do `action` on."""
    ids = space_ids(user, action)
    model = queryset.model
    if model is Space:
        return queryset.filter(pk__in=ids)
    path = getattr(model, "access_space_path", "space")
    return queryset.filter(**{f"{path}__in": ids})


def audience(obj, action=Action.VIEW) -> QuerySet:
    """The users who may do `action` on `obj`'s space (for websocket groups, e-mails and digests)."""
    codename = PERMISSION[Action(action)]
    return get_users_with_perms(
        space_of(obj), only_with_perms_in=[codename], with_group_users=True, with_superusers=False
    ).filter(is_active=True)


def audience_condition(*, user, space, action=Action.VIEW):
    """`audience` as a condition on rows that name a user and a space (expressions such as
    `OuterRef(...)`): true where that user is active and may do `action` in that space now. For
    set-based writers that address many spaces in one statement (`services.notify_many`)."""
    from guardian.models import UserObjectPermission

    granted = {
        "content_type": ContentType.objects.get_for_model(Space),
        "permission__codename": PERMISSION[Action(action)],
        "object_pk": Cast(space, CharField()),
    }
    return Exists(get_user_model().objects.filter(pk=user, is_active=True)) & (
        Exists(GroupObjectPermission.objects.filter(group__user=user, **granted))
        | Exists(UserObjectPermission.objects.filter(user=user, **granted))
    )


def load(queryset, **lookup):
    """The one object of `queryset` matching `lookup`, or Http404 (unknown and hidden look the same)."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found
