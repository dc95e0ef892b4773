from django.utils.functional import SimpleLazyObject

from .selectors import unread_total


def chat_unread(request):
    """The number of unread chat messages for the navigation: one query, run only when shown."""

    def count():
        return unread_total(user=request.user) if request.user.is_authenticated else 0

    return {"unread_chat": SimpleLazyObject(count)}
