"""Showing a service's refusal to the user: the messages of a ValidationError or PermissionDenied,
on a form or as flashed messages."""

from django.contrib import messages


def messages_of(error):
    """The messages of `error`: a ValidationError's list, or the text of any other exception."""
    return getattr(error, "messages", [str(error)])


def add_errors(form, error):
    """Put the messages of `error` on `form`, above its fields."""
    for message in messages_of(error):
        form.add_error(None, message)


def flash_errors(request, error):
    """Show the messages of `error` on the next page."""
    for message in messages_of(error):
        messages.error(request, message)
