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

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
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

logger = logging.getLogger(__name__)


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
# Staff hold no action in any space unless a membership gives them one: they run the platform from
# admin, which shows structure, not what participants wrote (P3: only a space's members enter it).


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
        try:
            for user_id in user_ids:
                await layer.group_send(f"user.{user_id}", {"type": "access.revoked"})
        except Exception:
            # The change is made and stored in the liveness store, which every socket checks before it
            # forwards anything and which closes it within seconds: a channel layer that is down
            # (Redis restarting) must not turn a lock or a removal that succeeded into an error page.
            logger.exception("access: the close signal could not be sent; the liveness store closes the sockets")

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(send_all)()  # one hop into the event loop for the whole batch
        return
    # Called from a thread that runs an event loop of its own (a synchronous caller inside an async
    # program): async_to_sync refuses to block that loop, so the signal is sent from a helper thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(send_all)).result()


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
        cache[space.pk] = frozenset(action for action, codename in PERMISSION.items() if codename in held)
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


def check_active_space(user, obj):
    """Raise unless `user` may view `obj`'s space and the space is active (404/403 as `check`; a
    proposed or concluded space can be read but not changed: PermissionDenied with that reason).
    The gate of the writes that are not contributions (follow a discussion, report a post or a
    message, answer an event, leave a group conversation), and the first step of role checks that
    are not an action of the role table."""
    check(user, Action.VIEW, obj)
    if space_of(obj).status != Space.Status.ACTIVE:
        raise PermissionDenied(_("This space is not active: it can be read but not changed."))


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
    """A staff action on a space's structure (confirming its election): staff may, in any space; 404
    for who may not see the space, 403 for other viewers."""
    if is_staff(user):
        return
    check(user, Action.VIEW, space)
    raise PermissionDenied(_("Only the operations support team can do this."))


def get_space_for_operations_or_404(user, pk):
    """A space for the pages of its structure that operations staff run (its election, its balance
    report): staff reach them in every space, though they enter none of its discussions, chat or
    drafts; anyone else as `get_space_or_404`."""
    if not is_staff(user):
        return get_space_or_404(user, pk)
    space = Space.objects.select_related("theme").filter(pk=pk).first()
    if space is None:
        raise Http404
    return space


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


# --- The document library and the archive ----------------------------------------------------


def is_participant(user):
    """A signed-in, active account: who may read the knowledge archive (P21)."""
    return bool(user.is_authenticated and user.is_active)


def check_archive_readable(user):
    """The knowledge archive is readable by every signed-in participant, whatever their spaces;
    anyone else gets 404 (the sign-in requirement sends anonymous visitors to sign in first)."""
    if not is_participant(user):
        raise Http404


def check_archived_document(user, entry):
    """An archived document (an `ArchiveEntry` with a published version) is readable by any
    participant, also after its space concluded and by people who were never in it: publishing
    it to the archive is what opened it. The same holds for an archived final note, whose PDF is made
    from its locked text. 404 for anyone else or for an entry without a file or note."""
    check_archive_readable(user)
    if entry is None or (entry.version_id is None and entry.final_note_id is None):
        raise Http404

# --- Drafts, the final note and the outputs inbox --------------------------------------------

def draft_edit_action(draft):
    """What a user must be allowed to do in the space to change `draft`: rapporteurs write the final
    note (P19); any contributor writes an ordinary draft."""
    return Action.MANAGE_OUTPUTS if draft.is_final_note else Action.CONTRIBUTE


def check_draft_edit(user, draft):
    """Raise (404/403 as `check`) unless `user` may write in `draft`'s sections."""
    check(user, draft_edit_action(draft), draft)


def may_resolve_comment(user, comment):
    """Rapporteurs and the comment's author resolve or reopen it (if they may contribute at all)."""
    return can(user, Action.CONTRIBUTE, comment) and (
        comment.author_id == user.pk or can(user, Action.MANAGE_OUTPUTS, comment)
    )


def check_comment_resolve(user, comment):
    """Raise unless `user` may resolve or reopen `comment` (404/403 as `check`)."""
    check(user, Action.CONTRIBUTE, comment)
    if not may_resolve_comment(user, comment):
        raise PermissionDenied(_("Only the rapporteurs or the comment's author can do this."))


def output_recipient_spaces(user):
    """The spaces whose submitted outputs `user` receives in the outputs inbox: every space for
    operations staff; for a political officer, the spaces where they hold that role (also after the
    space concluded). Nobody else receives outputs."""
    if not (user.is_authenticated and user.is_active):
        return Space.objects.none()
    if user.is_staff:
        return Space.objects.all()
    return Space.objects.filter(
        memberships__user=user, memberships__role=Role.POLITICAL_OFFICER,
        memberships__state__in=Membership.ENTERING_STATES,
    )


def check_output_recipient(user):
    """The outputs inbox: 404 for anyone who receives no outputs (as if it did not exist)."""
    if not (is_staff(user) or output_recipient_spaces(user).exists()):
        raise Http404


# --- Chat ---------------------------------------------------------------------------------------

# Space conversations follow the space: read with "view", post with "contribute" (the technical officer
# reads but does not post there). Group conversations: their participants, while they may view the
# group's space; posting needs the space to be active. One-to-one conversations: their two participants,
# while they share a space (posting: an active one), or always when one of them is operations staff (P23).


class ChatAction(StrEnum):
    READ = "read"
    POST = "post"


def _shared_spaces(user, other_user_ref):
    """Spaces where `user` and the user at `other_user_ref` (an id or an OuterRef) both hold an entering
    membership. One subquery, usable inside larger queries."""
    return Membership.objects.filter(
        user=user, state__in=Membership.ENTERING_STATES,
        space__memberships__user=other_user_ref, space__memberships__state__in=Membership.ENTERING_STATES,
    )


def may_message_directly(user, other):
    """True if `user` may open a one-to-one conversation with `other`: they share an active space, or
    one of them is operations staff (P23: anyone may write to the operations support team)."""
    if not (user.is_authenticated and user.is_active and other.is_active) or user.pk == other.pk:
        return False
    if user.is_staff or other.is_staff:
        return True
    return _shared_spaces(user, other.pk).filter(space__status=Space.Status.ACTIVE).exists()


def direct_contacts(user):
    """The users `user` may write to one-to-one: co-members of their active spaces and operations staff."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    User = get_user_model()
    if not (user.is_authenticated and user.is_active):
        return User.objects.none()
    if user.is_staff:
        return User.objects.filter(is_active=True).exclude(pk=user.pk)
    spaces = Membership.objects.filter(
        user=user, state__in=Membership.ENTERING_STATES, space__status=Space.Status.ACTIVE
    ).values("space_id")
    co_members = Membership.objects.filter(space_id__in=spaces, state__in=Membership.ENTERING_STATES).values("user_id")
    return User.objects.filter(is_active=True).filter(
        Q(pk__in=co_members) | Q(is_staff=True)).exclude(pk=user.pk)


def group_chat_candidates(user, space):
    """Who `user` may add to a group conversation in `space`: its members who may enter it now."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, memberships__space=space, memberships__state__in=Membership.ENTERING_STATES,
    ).exclude(pk=user.pk)


def _chat_participant(user, conversation):
    from chat.models import Participant

    return Participant.objects.filter(conversation=conversation, user=user, left_at__isnull=True).first()


def check_chat(user, action, conversation, *, fresh=False):
    """Raise unless `user` may `action` ("read" or "post") in `conversation`.

    Http404 when they may not know it exists (not a participant, or not in the space); MembershipLocked
    (403) for a locked member of the space; PermissionDenied (403, with the reason) when they may read
    but not post (a concluded space, a technical officer in the space chat, no shared space any more).
    `fresh=True` forgets what was cached on the user object: long-lived websocket consumers ask again
    on every frame.
    """
    from chat.models import Conversation

    action = ChatAction(action)
    if not (user.is_authenticated and user.is_active):
        raise Http404
    if fresh:
        _forget(user)
    kind = conversation.kind
    if kind == Conversation.Kind.SPACE:
        check(user, Action.VIEW if action == ChatAction.READ else Action.CONTRIBUTE, conversation.space)
        return
    if _chat_participant(user, conversation) is None:
        raise Http404
    if kind == Conversation.Kind.GROUP:
        check(user, Action.VIEW, conversation.space)
        if action == ChatAction.POST and conversation.space.status != Space.Status.ACTIVE:
            raise PermissionDenied(_("This space is not active: it can be read but not changed."))
        return
    others = conversation.participants.exclude(user=user).select_related("user")
    other = next(iter(others), None)
    if user.is_staff or (other is not None and other.user.is_staff and other.user.is_active):
        return
    if other is None or not other.user.is_active:
        raise PermissionDenied(_("This conversation has ended."))
    shared = _shared_spaces(user, other.user_id)
    if action == ChatAction.POST:
        shared = shared.filter(space__status=Space.Status.ACTIVE)
    if not shared.exists():
        raise PermissionDenied(_("You no longer share an active space with this person."))


def can_chat(user, action, conversation):
    """`check_chat` as a bool, for templates and lists."""
    try:
        check_chat(user, action, conversation)
    except (Http404, PermissionDenied):
        return False
    return True


def visible_conversations(user, queryset=None):
    """Filter conversations (all of them by default) to those `user` may read, as subqueries: the
    space chat of every space they may view, the group conversations they take part in inside those
    spaces, and their one-to-one conversations with someone they still share a space with or with staff."""
    from django.db.models import Q

    from chat.models import Conversation, Participant

    if queryset is None:
        queryset = Conversation.objects.all()
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    spaces = visible_spaces(user).values("pk")
    taking_part = Exists(Participant.objects.filter(conversation=OuterRef("pk"), user=user, left_at__isnull=True))
    if user.is_staff:
        direct_ok = Q()
    else:
        reachable = Participant.objects.filter(conversation=OuterRef("pk")).exclude(user=user).filter(
            Q(user__is_staff=True, user__is_active=True) | Q(user__is_active=True) & Exists(
                _shared_spaces(user, OuterRef("user_id")))
        )
        direct_ok = Q(Exists(reachable))
    return queryset.filter(
        Q(kind=Conversation.Kind.SPACE, space__in=spaces)
        | Q(taking_part, kind=Conversation.Kind.GROUP, space__in=spaces)
        | Q(taking_part, direct_ok, kind=Conversation.Kind.DIRECT)
    )


def chat_audience_ids(conversation):
    """The ids of the users who may read `conversation` now (for notifications of a report)."""
    from chat.models import Conversation

    if conversation.kind == Conversation.Kind.SPACE:
        return set(audience(conversation.space).values_list("pk", flat=True))
    return set(conversation.participants.filter(left_at__isnull=True).values_list("user_id", flat=True))


def chat_report_recipients(conversation):
    """Who receives a report of a chat message: the technical officer of the conversation's space, or
    for one-to-one conversations (no space) nobody in-app: operations staff handle them in admin."""
    from django.contrib.auth import get_user_model

    if conversation.space_id is None:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(
        memberships__space_id=conversation.space_id, memberships__role=Role.TECHNICAL_OFFICER,
        memberships__state__in=Membership.ENTERING_STATES, is_active=True,
    )

# --- Events and calendars ----------------------------------------------------------------------

# Events are objects inside a space. Planning one is contributing (members, rapporteurs and the
# political officer; the technical officer does not take part). Its organiser and the rapporteurs
# change or cancel it. Answering and the meeting room belong to the space's people (a membership
# that lets them in); staff see events but neither answer them nor get the room's link.


def member_spaces(user):
    """The spaces `user` enters through a membership now (staff's view of every space left out): the
    personal calendar feed and the meeting room follow these."""
    if not (user.is_authenticated and user.is_active):
        return Space.objects.none()
    granted = get_objects_for_user(
        user, f"workgroups.{PERMISSION[Action.VIEW]}", klass=Space,
        use_groups=True, with_superuser=False, accept_global_perms=False,
    )
    return Space.objects.filter(pk__in=granted.values("pk"))


def is_space_member(user, obj):
    """True if `user` is in `obj`'s space through a membership that lets them in (not staff as such)."""
    space = space_of(obj)
    if not can(user, Action.VIEW, space):
        return False
    cache = user.__dict__.setdefault("_cssr_space_member", {})
    if space.pk not in cache:
        cache[space.pk] = Membership.objects.filter(
            user=user, space=space, state__in=Membership.ENTERING_STATES
        ).exists()
    return cache[space.pk]


def check_event_change(user, event):
    """Raise unless `user` may edit or cancel `event`: its organiser or a rapporteur, in an active space."""
    check(user, Action.CONTRIBUTE, event)
    if event.created_by_id != user.pk and not can(user, Action.MANAGE_OUTPUTS, event):
        raise PermissionDenied(_("Only the organiser of this event or a rapporteur can change it."))


def check_event_respond(user, event):
    """Raise unless `user` may answer `event` (going, maybe, not going): the space's people, active space."""
    check_active_space(user, event)
    if not is_space_member(user, event):
        raise PermissionDenied(_("Only the members of this group answer its events."))


def may_join_meeting(user, event, now):
    """Whether the "join the meeting" link is shown to `user` for `event` at `now`: the space's people
    only, for an online event of an active space with a room, from a little before the start to the end."""
    from datetime import timedelta

    from django.conf import settings

    space = space_of(event)
    if event.status != "scheduled" or event.location or not space.meeting_url or space.status != Space.Status.ACTIVE:
        return False
    early = timedelta(minutes=settings.CSSR_EVENT_JOIN_EARLY_MINUTES)
    if not (event.starts_at - early <= now < event.ends_at):
        return False
    return is_space_member(user, event)


def check_expert_request(user, event):
    """Raise unless `user` may ask the Office to invite an expert to `event`: members and rapporteurs (P11)."""
    check(user, Action.CONTRIBUTE, event)
    if not is_elector(user, space_of(event)):
        raise PermissionDenied(_("Only the group's members and rapporteurs ask for an expert."))


# --- Questionnaires -----------------------------------------------------------------------------


class QuestionnaireAction(StrEnum):
    RESPOND = "respond"  # see the questionnaire and answer it
    MANAGE = "manage"  # build, open, close, analyse and export it


def _entering(**filters):
    return Membership.objects.filter(state__in=Membership.ENTERING_STATES, space__status=Space.Status.ACTIVE, **filters)


def questionnaire_audience(questionnaire) -> QuerySet:
    """The users a questionnaire is addressed to: every participant (active, not staff), the members
    of a space, or the holders of one role (in the questionnaire's space, its audience space, or any
    active space)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    Audience = type(questionnaire).Audience
    space_id = questionnaire.space_id or (
        questionnaire.audience_space_id if questionnaire.audience in (Audience.SPACE, Audience.ROLE) else None
    )
    memberships = _entering(user=OuterRef("pk"))
    if space_id:
        memberships = memberships.filter(space_id=space_id)
    elif questionnaire.audience == Audience.ALL:
        return users.filter(is_staff=False)
    if questionnaire.audience == Audience.ROLE:
        memberships = memberships.filter(role=questionnaire.audience_role)
    return users.filter(Exists(memberships))


def questionnaire_audience_condition(user):
    """A Q on Questionnaire: those whose audience includes `user` (the set-based `questionnaire_audience`)."""
    from django.db.models import Q

    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    mine = _entering(user=user)
    in_own_space = Exists(mine.filter(space_id=OuterRef("space_id")))
    in_own_space_role = Exists(mine.filter(space_id=OuterRef("space_id"), role=OuterRef("audience_role")))
    in_audience_space = Exists(mine.filter(space_id=OuterRef("audience_space_id")))
    in_audience_space_role = Exists(mine.filter(space_id=OuterRef("audience_space_id"), role=OuterRef("audience_role")))
    holds_role = Exists(mine.filter(role=OuterRef("audience_role")))
    space_wide = Q(space__isnull=False) & (
        (~Q(audience="role") & in_own_space) | (Q(audience="role") & in_own_space_role)
    )
    everyone = Q(audience="all") if not user.is_staff else Q(pk__in=[])  # staff are not participants
    platform = Q(space__isnull=True) & (
        everyone
        | (Q(audience="space") & in_audience_space)
        | (Q(audience="role", audience_space__isnull=False) & in_audience_space_role)
        | (Q(audience="role", audience_space__isnull=True) & holds_role)
    )
    return space_wide | platform


def is_questionnaire_audience(user, questionnaire):
    """True if the questionnaire is addressed to `user` (cached on the user for the request)."""
    if not (user.is_authenticated and user.is_active):
        return False
    cache = user.__dict__.setdefault("_cssr_questionnaire_audience", {})
    if questionnaire.pk not in cache:
        cache[questionnaire.pk] = questionnaire_audience(questionnaire).filter(pk=user.pk).exists()
    return cache[questionnaire.pk]


def may_manage_questionnaire(user, questionnaire=None, *, space=None):
    """Staff build and analyse platform-wide questionnaires; a space's rapporteurs build and analyse
    the space's (`space` for one not created yet)."""
    space = questionnaire.space if questionnaire is not None else space
    if space is None:
        return is_staff(user)
    return can(user, Action.MANAGE_OUTPUTS, space)


def check_questionnaire(user, action, questionnaire):
    """Raise unless `user` may do `action` on the questionnaire.

    A space's questionnaire first passes the space's check (404 for outsiders, the lock page for a
    locked member). Who is neither addressed nor an author gets 404; a respondent who asks to manage
    gets 403. A draft is seen by its authors only.
    """
    action = QuestionnaireAction(action)
    if questionnaire.space_id:
        check(user, Action.VIEW, questionnaire.space)
    if may_manage_questionnaire(user, questionnaire):
        return
    published = questionnaire.status != type(questionnaire).Status.DRAFT
    if not (published and is_questionnaire_audience(user, questionnaire)):
        raise Http404
    if action == QuestionnaireAction.MANAGE:
        raise PermissionDenied(_("Only the questionnaire's authors can do this."))


def check_questionnaire_create(user, space=None):
    """Staff create platform-wide questionnaires; rapporteurs create their space's (404/403 as `check`)."""
    if space is None:
        check_staff(user)
        return
    check_active_space(user, space)
    if not may_manage_questionnaire(user, space=space):
        raise PermissionDenied(_("Only the space's rapporteurs can create questionnaires."))
