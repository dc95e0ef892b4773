"""Every read of the workgroups app that other modules use, one module per feature."""

from .discussions import (
    agenda_current,
    concern_summary,
    post_list,
    post_page,
    recent_threads,
    thread_list,
)
from .elections import (
    election_current,
    election_my_votes,
    election_pending_nominations,
    election_results,
    electors,
)
from .notifications import (
    notification_list,
    notification_unread_count,
)
from .reports import (
    SMALL_COUNT,
    balance_report,
)
from .spaces import (
    ROLE_ORDER,
    locked_membership_list,
    membership_list_for_space,
    recent_membership_activity,
    space_list_for_user,
)

__all__ = [
    "ROLE_ORDER",
    "SMALL_COUNT",
    "agenda_current",
    "balance_report",
    "concern_summary",
    "election_current",
    "election_my_votes",
    "election_pending_nominations",
    "election_results",
    "electors",
    "locked_membership_list",
    "membership_list_for_space",
    "notification_list",
    "notification_unread_count",
    "post_list",
    "post_page",
    "recent_membership_activity",
    "recent_threads",
    "space_list_for_user",
    "thread_list",
]
