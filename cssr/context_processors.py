from django.conf import settings
from django.utils.functional import SimpleLazyObject

from workgroups import access
from workgroups.selectors import notification_unread_count


def shell(request):
    """What the base layout needs on every page: languages for the switcher, the current path, and
    the unread notification count (counted only when the navigation shows it)."""

    def unread():
        return notification_unread_count(user=request.user) if request.user.is_authenticated else 0

    return {
        "may_receive_outputs": SimpleLazyObject(lambda: access.shows_outputs_inbox(request.user)),
        "available_languages": settings.LANGUAGES,
        "current_path": request.get_full_path(),
        "unread_notifications": SimpleLazyObject(unread),
    }
