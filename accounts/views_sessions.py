"""The sessions page: allauth's (`usersessions_list`, restyled in templates/usersessions/) with a list
read in a fixed number of queries, and the per-row button."""

from allauth.usersessions.views import ListUserSessionsView
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors_sessions, services_sessions
from .decorators import conduct_not_required


@conduct_not_required
@require_POST
def session_end(request, session_id):
    """Sign out one of the user's own sessions; someone else's (or a gone one) is a 404."""
    session = selectors_sessions.user_session_get(user=request.user, session_id=session_id)
    if session is None:
        raise Http404
    current = session.session_key == request.session.session_key
    services_sessions.user_session_end(session=session)
    if current:
        logout(request)
        messages.info(request, _("You signed out on this device."))
        return redirect("account_login")
    messages.success(request, _("That session is signed out."))
    return redirect("usersessions_list")


class SessionListView(ListUserSessionsView):
    """allauth's sessions page and its "sign out all other sessions" form; the list is read set-based
    (`selectors_sessions.user_sessions_live`), not one session-store lookup per row."""

    def get_context_data(self, **kwargs):
        context = super(ListUserSessionsView, self).get_context_data(**kwargs)
        sessions = selectors_sessions.user_sessions_live(user=self.request.user)
        context.update(sessions=sessions, session_count=len(sessions), show_last_seen_at=True)
        return context


session_list = SessionListView.as_view()
