"""The forms of the workgroups app, one module per feature (questionnaires apart: `forms.questionnaires`)."""

from .discussions import (
    BODY_WIDGET,
    AgendaItemForm,
    AgendaUpdateForm,
    ConcernFilterForm,
    ConcernForm,
    ConcernStatusForm,
    ModerationForm,
    PostEditForm,
    PostForm,
    ReasonForm,
    ThreadForm,
)
from .elections import (
    ChoiceOfNominationForm,
    ConfirmElectionForm,
    NominateForm,
)
from .notifications import (
    DigestSettingsForm,
    NotificationSettingsForm,
)
from .participation import (
    ProposalForm,
)
from .search import (
    SearchForm,
)

__all__ = [
    "AgendaItemForm",
    "AgendaUpdateForm",
    "BODY_WIDGET",
    "ChoiceOfNominationForm",
    "ConcernFilterForm",
    "ConcernForm",
    "ConcernStatusForm",
    "ConfirmElectionForm",
    "DigestSettingsForm",
    "ModerationForm",
    "NominateForm",
    "NotificationSettingsForm",
    "PostEditForm",
    "PostForm",
    "ProposalForm",
    "ReasonForm",
    "SearchForm",
    "ThreadForm",
]
