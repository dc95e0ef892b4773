from django.conf import settings
from django.utils.functional import SimpleLazyObject

from workgroups import access
from workgroups.selectors import notification_unread_count


def shell(request):
    """What the base layout needs on every page: languages for the switcher, the current path, and
    the unread notification count (counted only when the navigation shows it), and whether the
    operations pages belong in the navigation (the permission core decides)."""

    def unread():
        return notification_unread_count(user=request.user) if request.user.is_authenticated else 0

    return {
        "may_receive_outputs": SimpleLazyObject(lambda: access.shows_outputs_inbox(request.user)),
        "may_operate": SimpleLazyObject(lambda: access.is_operations(request.user)),
        "available_languages": settings.LANGUAGES,
        "current_path": request.get_full_path(),
        "unread_notifications": SimpleLazyObject(unread),
    }
