"""The permission core: the one place that answers "may this user do X in this space?".

django-guardian object permissions on each Space are the source of truth. They are granted to one
auth Group per (space, role), and `workgroups.services` keeps those groups in step with memberships:
joining adds the user to the role's group, locking or leaving removes them. Objects inside a space
(threads, documents, messages, events, ...) are authorised through their space.

- `check(user, action, obj)` raises Http404 when the user may not know the object exists, and
  PermissionDenied (403) when they may see it but not do the action.
- `can(user, action, obj)` is the same question as a bool, for templates.
- `visible(user, queryset, action)` filters any queryset of spaces or of objects inside spaces.
- `audience(obj, action)` gives the users who may do `action` on the object's space.

Guardian is called only from this module (a test enforces it).
"""

from enum import StrEnum

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import (
    assign_perm,
    get_group_perms,
    get_objects_for_user,
    get_users_with_perms,
    remove_perm,
)

from .models import Membership, Role, Space


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

# The role table (README.md, "Roles"): what each role may do in an active space.
ROLE_ACTIONS = {
    Role.MEMBER: frozenset({Action.VIEW, Action.CONTRIBUTE}),
    Role.RAPPORTEUR: frozenset({Action.VIEW, Action.CONTRIBUTE, Action.MANAGE_OUTPUTS}),
    Role.TECHNICAL_OFFICER: frozenset({Action.VIEW, Action.MODERATE}),
    Role.POLITICAL_OFFICER: frozenset({Action.VIEW, Action.CONTRIBUTE}),
}
# A proposed or concluded space is read-only for every role.
READ_ONLY_ACTIONS = frozenset({Action.VIEW})
# Staff see every space on the site; they act through admin.
STAFF_ACTIONS = frozenset({Action.VIEW})


class MembershipLocked(PermissionDenied):
    """The user's membership of this space is locked: they may know it exists, not enter it."""

    def __init__(self, space):
        super().__init__(_("Your access to this space is locked."))
        self.space = space


def role_group_name(space_id, role):
    return f"space:{space_id}:{role}"


def role_actions(space, role):
    """What `role` may do in `space` now, given the space's status."""
    allowed = ROLE_ACTIONS[Role(role)]
    return allowed if space.status == Space.Status.ACTIVE else allowed & READ_ONLY_ACTIONS


def sync_space_permissions(space):
    """Make each role group of the space hold exactly the permissions of the role table.

    Called by the services whenever a space is created or its status changes.
    """
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=role_group_name(space.pk, role))
        wanted = {PERMISSION[action] for action in role_actions(space, role)}
        held = set(get_group_perms(group, space))
        for codename in wanted - held:
            assign_perm(f"workgroups.{codename}", group, space)
        for codename in held - wanted:
            remove_perm(f"workgroups.{codename}", group, space)


def sync_membership_groups(membership):
    """Put the member in the group of their role if their state lets them in, and in no other group."""
    space_groups = Group.objects.filter(name__in=[role_group_name(membership.space_id, r) for r in Role.values])
    membership.user.groups.remove(*space_groups)
    if membership.grants_entry:
        membership.user.groups.add(Group.objects.get(name=role_group_name(membership.space_id, membership.role)))
    _forget(membership.user)


def revoke_entry(memberships):
    """Take the users of these memberships out of their spaces' role groups in one statement (the
    lockout job). A member holds only the group of their own role (`sync_membership_groups`)."""
    from django.contrib.auth import get_user_model

    role_groups = memberships.annotate(
        group_name=Concat(Value("space:"), Cast("space_id", CharField()), Value(":"), "role")
    ).filter(user_id=OuterRef("user_id"), group_name=OuterRef("group__name"))
    get_user_model().groups.through.objects.filter(Exists(role_groups)).delete()


def disconnect_users(user_ids):
    """Tell the open websockets of these users to close (they lost access to a space).

    Each consumer joins the channel-layer group `user.<id>` and closes on `access.revoked`.
    """
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None or not user_ids:
        return

    async def send_all():
        for user_id in user_ids:
            await layer.group_send(f"user.{user_id}", {"type": "access.revoked"})

    async_to_sync(send_all)()  # one hop into the event loop for the whole batch


def locked_membership_or_404(user, space):
    """The user's locked membership of `space` (the only thing a locked member may act on), or 404."""
    membership = Membership.objects.filter(user=user, space=space, state=Membership.State.LOCKED).first()
    if membership is None:
        raise Http404
    return membership


def get_space_for_locked_member_or_404(user, pk):
    space = Space.objects.filter(pk=pk).first()
    if space is None:
        raise Http404
    return space, locked_membership_or_404(user, space)


def _forget(user):
    user.__dict__.pop("_cssr_space_actions", None)
    user.__dict__.pop("_cssr_elector", None)


def space_of(obj):
    """The space an object belongs to: the object itself, or its `space` (objects inside a space)."""
    if isinstance(obj, Space):
        return obj
    path = getattr(type(obj), "access_space_path", "space")
    target = obj
    for part in path.split("__"):
        target = getattr(target, part)
    return target


def _actions(user, space):
    """The actions `user` may take in `space`, cached on the user object for the request."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cache = user.__dict__.setdefault("_cssr_space_actions", {})
    if space.pk not in cache:
        held = set(get_group_perms(user, space))
        granted = {action for action, codename in PERMISSION.items() if codename in held}
        if user.is_staff:
            granted |= STAFF_ACTIONS
        cache[space.pk] = frozenset(granted)
    return cache[space.pk]


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
        if user.is_authenticated and Membership.objects.filter(
            user=user, space=space, state=Membership.State.LOCKED
        ).exists():
            raise MembershipLocked(space)
        raise Http404
    if space.status != Space.Status.ACTIVE:
        raise PermissionDenied(_("This space is not active: it can be read but not changed."))
    raise PermissionDenied(_("Your role in this space does not allow this."))


ELECTOR_ROLES = frozenset({Role.MEMBER, Role.RAPPORTEUR})


def is_elector(user, space):
    """Members and rapporteurs elect the rapporteurs; officers and staff do not take part."""
    if not can(user, Action.CONTRIBUTE, space):
        return False
    cache = user.__dict__.setdefault("_cssr_elector", {})
    if space.pk not in cache:
        cache[space.pk] = Membership.objects.filter(
            user=user, space=space, role__in=ELECTOR_ROLES, state__in=Membership.ENTERING_STATES
        ).exists()
    return cache[space.pk]


def check_elector(user, space):
    """Raise unless `user` may nominate and vote in the space's rapporteur election (404/403 as `check`)."""
    check(user, Action.CONTRIBUTE, space)
    if not is_elector(user, space):
        raise PermissionDenied(_("Only the group's members take part in the rapporteur election."))


def is_staff(user):
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def check_staff(user):
    """Pages for operations staff only: anyone else gets 404, as if they did not exist."""
    if not is_staff(user):
        raise Http404


def check_staff_in_space(user, space):
    """A staff action on a space's page: 404 for who may not see the space, 403 for other viewers."""
    check(user, Action.VIEW, space)
    if not is_staff(user):
        raise PermissionDenied(_("Only the operations support team can do this."))


def get_space_or_404(user, pk, action=Action.VIEW):
    """Load a space by id and check `action` on it (404 for an unknown or hidden space)."""
    space = Space.objects.select_related("theme").filter(pk=pk).first()
    if space is None:
        raise Http404
    check(user, action, space)
    return space


def visible_spaces(user, action=Action.VIEW):
    """A queryset of the spaces where `user` may do `action`."""
    if not (user.is_authenticated and user.is_active):
        return Space.objects.none()
    action = Action(action)
    granted = get_objects_for_user(
        user, f"workgroups.{PERMISSION[action]}", klass=Space,
        use_groups=True, with_superuser=False, accept_global_perms=False,
    )
    if user.is_staff and action in STAFF_ACTIONS:
        return Space.objects.all()
    return Space.objects.filter(pk__in=granted.values("pk"))


def visible_space_ids_by_user(user_ids, action=Action.VIEW):
    """`visible_spaces` for a batch of users at once: {user id: set of space ids}, in three queries
    whatever the batch size (the digest job). Inactive or unknown users are left out."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    action = Action(action)
    users = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True)
    result = {pk: set() for pk in users.values_list("pk", flat=True)}
    granted = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Space), permission__codename=PERMISSION[action],
        group__user__in=list(result),
    ).values_list("group__user", "object_pk")
    for user_id, space_pk in granted:
        result[user_id].add(int(space_pk))
    if action in STAFF_ACTIONS:
        staff = set(users.filter(is_staff=True).values_list("pk", flat=True))
        if staff:
            every_space = set(Space.objects.values_list("pk", flat=True))
            for user_id in staff:
                result[user_id] = set(every_space)
    return result


def visible(user, queryset, action=Action.VIEW):
    """Filter `queryset` (spaces, or objects inside spaces) to what `user` may do `action` on."""
    spaces = visible_spaces(user, action)
    model = queryset.model
    if model is Space:
        return queryset.filter(pk__in=spaces.values("pk"))
    path = getattr(model, "access_space_path", "space")
    return queryset.filter(**{f"{path}__in": spaces.values("pk")})


def audience(obj, action=Action.VIEW) -> QuerySet:
    """The users who may do `action` on `obj`'s space (for websocket groups, e-mails and digests)."""
    codename = PERMISSION[Action(action)]
    return get_users_with_perms(
        space_of(obj), only_with_perms_in=[codename], with_group_users=True, with_superusers=False
    ).filter(is_active=True)
