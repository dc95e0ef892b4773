"""The only writer of guardian permissions and of the role groups that carry them.

Each space has one auth Group per role, named `space:<id>:<role>`, holding on that space exactly the
permissions the role table gives the role in the space's status. A member belongs to the group of
their role while their membership lets them in, and to no other group of the space.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from guardian.shortcuts import assign_perm, get_group_perms, remove_perm

from ..models import Role
from .core import PERMISSION, forget, role_actions
from .drafts import OUTPUTS_LINK_SECONDS, outputs_link_key


def role_group_name(space_id, role):
    return f"space:{space_id}:{role}"


def sync_space_permissions(space):
    """Make each role group of the space hold exactly the permissions of the role table.

    Called by the space services whenever a space is created or its status changes.
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
    space_groups = Group.objects.filter(
        name__in=[role_group_name(membership.space_id, r) for r in Role.values]
    )
    membership.user.groups.remove(*space_groups)
    if membership.grants_entry:
        membership.user.groups.add(
            Group.objects.get(name=role_group_name(membership.space_id, membership.role))
        )
    forget(membership.user)
    _outputs_link_update(membership)


def _outputs_link_update(membership):
    """Keep the navigation's outputs-inbox answer (`shows_outputs_inbox`) true to this change without
    asking the database: a political officer who enters receives outputs; if the user was shown the
    link and this membership no longer lets them in as one, the answer is worked out again."""
    store, key = caches["access"], outputs_link_key(membership.user_id)
    if membership.role == Role.POLITICAL_OFFICER and membership.grants_entry:
        store.set(key, True, OUTPUTS_LINK_SECONDS)
    elif store.get(key):
        store.delete(key)


def revoke_entry(memberships):
    """Take the users of these memberships out of their spaces' role groups in one statement (the
    lockout job). A member holds only the group of their own role (`sync_membership_groups`)."""
    role_groups = memberships.annotate(
        group_name=Concat(Value("space:"), Cast("space_id", CharField()), Value(":"), "role")
    ).filter(user_id=OuterRef("user_id"), group_name=OuterRef("group__name"))
    get_user_model().groups.through.objects.filter(Exists(role_groups)).delete()
