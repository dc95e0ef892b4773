from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages without gettext's fuzzy guesses: a new string starts untranslated
    (and is caught by the catalog test) instead of borrowing a wrong translation from a similar one."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
