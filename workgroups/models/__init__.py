from .contributions import Contribution
from .digests import DigestMute, DigestSubscription
from .discussions import (
    AgendaItem,
    Concern,
    ConcernRegion,
    Endorsement,
    ModerationAction,
    Post,
    PostReport,
    PostRevision,
    Tag,
    Thread,
    ThreadFollow,
    ThreadRead,
)
from .inactivity import ReinstatementRequest
from .notifications import Notification, NotificationSetting
from .outbox import OutgoingEmail
from .participation import Election, ExpressionOfInterest, GroupProposal, Nomination, Vote
from .questionnaires import (
    Answer,
    AnswerChoice,
    AnswerTheme,
    Option,
    Question,
    Questionnaire,
    Receipt,
    Submission,
)
from .spaces import Membership, MembershipEvent, Role, Space, Theme

__all__ = [
    "Answer",
    "AnswerChoice",
    "AnswerTheme",
    "Option",
    "Question",
    "Questionnaire",
    "Receipt",
    "Submission",
    "AgendaItem",
    "Concern",
    "ConcernRegion",
    "Contribution",
    "DigestMute",
    "DigestSubscription",
    "Election",
    "Endorsement",
    "ExpressionOfInterest",
    "GroupProposal",
    "Membership",
    "MembershipEvent",
    "ModerationAction",
    "Nomination",
    "Notification",
    "NotificationSetting",
    "OutgoingEmail",
    "Post",
    "PostReport",
    "PostRevision",
    "ReinstatementRequest",
    "Role",
    "Space",
    "Tag",
    "Theme",
    "Thread",
    "ThreadFollow",
    "ThreadRead",
    "Vote",
]
