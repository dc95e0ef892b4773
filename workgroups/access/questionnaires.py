"""Questionnaires: who answers them, who builds and analyses them.

A space's questionnaire belongs to the space: its rapporteurs build, open, close, analyse and export
it; it is addressed to the space's members, or the holders of one role. Operations staff build
platform-wide questionnaires, addressed to every participant, the members of a space or the holders
of a role. A draft is seen by its authors only; who is neither addressed nor an author gets 404.

Once a space concludes, its questionnaires stay where they were, read-only: its members still open
them (answers are no longer taken) and its rapporteurs still read and export the results; building,
sorting answers into themes and answering are refused with the space's reason.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ..models import Membership, Questionnaire, Space
from .core import (
    ROLE_ACTIONS,
    Action,
    cache_of,
    can,
    check,
    check_operations,
    check_writable,
    is_operations,
    is_signed_in,
    load,
    require_active,
)


class QuestionnaireAction(StrEnum):
    RESPOND = "respond"  # see the questionnaire and answer it
    ANALYSE = "analyse"  # read its results and export them
    MANAGE = "manage"  # build, open, close it and sort its answers into themes


# The spaces whose members a questionnaire addresses: active ones, and for a space's own
# questionnaire also its space once concluded (read-only: `is_accepting_answers` refuses answers).
ACTIVE = (Space.Status.ACTIVE,)
READABLE = (Space.Status.ACTIVE, Space.Status.CONCLUDED)


def _entering(statuses=ACTIVE, **filters):
    return Membership.objects.filter(
        state__in=Membership.ENTERING_STATES, space__status__in=statuses, **filters
    )


def questionnaire_audience(questionnaire) -> QuerySet:
    """The users a questionnaire is addressed to: every participant (active, not staff), the members
    of a space, or the holders of one role (in the questionnaire's space, its audience space, or any
    active space)."""
    users = get_user_model().objects.filter(is_active=True)
    Audience = type(questionnaire).Audience
    space_id = questionnaire.space_id or (
        questionnaire.audience_space_id if questionnaire.audience in (Audience.SPACE, Audience.ROLE) else None
    )
    memberships = _entering(READABLE if questionnaire.space_id else ACTIVE, user=OuterRef("pk"))
    if space_id:
        memberships = memberships.filter(space_id=space_id)
    elif questionnaire.audience == Audience.ALL:
        return users.filter(is_staff=False)
    if questionnaire.audience == Audience.ROLE:
        memberships = memberships.filter(role=questionnaire.audience_role)
    return users.filter(Exists(memberships))


def filter_questionnaires(user, queryset):
    """Filter questionnaires to those whose audience includes `user`.

    The set-based counterpart of `questionnaire_audience`.
    """
    if not is_signed_in(user):
        return queryset.none()
    mine = _entering(user=user)
    mine_readable = _entering(READABLE, user=user)
    in_own_space = Exists(mine_readable.filter(space_id=OuterRef("space_id")))
    in_own_space_role = Exists(
        mine_readable.filter(space_id=OuterRef("space_id"), role=OuterRef("audience_role"))
    )
    in_audience_space = Exists(mine.filter(space_id=OuterRef("audience_space_id")))
    in_audience_space_role = Exists(
        mine.filter(space_id=OuterRef("audience_space_id"), role=OuterRef("audience_role"))
    )
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
    return queryset.filter(space_wide | platform)


def is_questionnaire_audience(user, questionnaire):
    """True if the questionnaire is addressed to `user` (cached on the user for the request)."""
    if not is_signed_in(user):
        return False
    cached = cache_of(user).questionnaire_audience
    if questionnaire.pk not in cached:
        cached[questionnaire.pk] = questionnaire_audience(questionnaire).filter(pk=user.pk).exists()
    return cached[questionnaire.pk]


def can_manage_questionnaire(user, questionnaire=None, *, space=None):
    """Staff build and analyse platform-wide questionnaires; a space's rapporteurs build and analyse
    the space's (`space` for one not created yet)."""
    space = questionnaire.space if questionnaire is not None else space
    if space is None:
        return is_operations(user)
    return can(user, Action.MANAGE_OUTPUTS, space)


def can_analyse_questionnaire(user, questionnaire=None, *, space=None):
    """Who may manage it, and in a concluded space the rapporteurs who managed it: they still read
    and export the results (`space` for every questionnaire of a space)."""
    if can_manage_questionnaire(user, questionnaire, space=space):
        return True
    space = questionnaire.space if questionnaire is not None else space
    if space is None or space.status != Space.Status.CONCLUDED or not can(user, Action.VIEW, space):
        return False
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.MANAGE_OUTPUTS in actions]
    return _entering(READABLE, user=user, space=space, role__in=roles).exists()


def check_questionnaire(user, action, questionnaire):
    """Raise unless `user` may do `action` on the questionnaire.

    A space's questionnaire first passes the space's check (404 for outsiders, the lock page for a
    locked member). Who is neither addressed nor an author gets 404; a respondent who asks to manage
    gets 403; in a concluded space, building and answering get 403 with the space's reason. A draft
    is seen by its authors only.
    """
    action = QuestionnaireAction(action)
    if questionnaire.space_id:
        check(user, Action.VIEW, questionnaire.space)
    if can_manage_questionnaire(user, questionnaire):
        return
    if can_analyse_questionnaire(user, questionnaire):
        if action == QuestionnaireAction.MANAGE:
            require_active(questionnaire.space)
        return
    published = questionnaire.status != type(questionnaire).Status.DRAFT
    if not (published and is_questionnaire_audience(user, questionnaire)):
        raise Http404
    if action != QuestionnaireAction.RESPOND:
        raise PermissionDenied(_("Only the questionnaire's authors can do this."))


def check_create_questionnaire(user, space=None):
    """Staff create platform-wide questionnaires; rapporteurs create their space's (404/403 as `check`)."""
    if space is None:
        check_operations(user)
        return
    check_writable(user, space)
    if not can_manage_questionnaire(user, space=space):
        raise PermissionDenied(_("Only the space's rapporteurs can create questionnaires."))


def is_accepting_answers(questionnaire):
    """Whether `questionnaire` takes answers now: open, and its space (if it has one) active."""
    return questionnaire.is_open and (
        questionnaire.space_id is None or questionnaire.space.status == Space.Status.ACTIVE
    )


def access_questionnaire(user, questionnaire_id, action=QuestionnaireAction.RESPOND):
    """Load a questionnaire by id and check `action` on it (404 for unknown or hidden)."""
    queryset = Questionnaire.objects.select_related("space", "audience_space")
    questionnaire = load(queryset, pk=questionnaire_id)
    check_questionnaire(user, action, questionnaire)
    return questionnaire
