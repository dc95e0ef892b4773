from .discussions import (
    AgendaItem,
    Concern,
    ConcernRegion,
    Contribution,
    Endorsement,
    ModerationAction,
    Notification,
    NotificationSetting,
    Post,
    PostReport,
    PostRevision,
    Tag,
    Thread,
    ThreadFollow,
)
from .inactivity import DigestMute, DigestSubscription, ReinstatementRequest
from .mail import OutgoingEmail
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
    "Answer", "AnswerChoice", "AnswerTheme", "Option", "Question", "Questionnaire", "Receipt", "Submission",
    "AgendaItem", "Concern", "ConcernRegion", "Contribution", "DigestMute", "DigestSubscription", "Election", "Endorsement", "ExpressionOfInterest",
    "GroupProposal", "Membership", "MembershipEvent", "ModerationAction", "Nomination", "Notification",
    "NotificationSetting", "OutgoingEmail", "Post", "PostReport", "PostRevision", "ReinstatementRequest", "Role", "Space", "Tag", "Theme", "Thread",
    "ThreadFollow", "Vote",
]
