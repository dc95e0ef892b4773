"""Display names people can trust: the name co-members see beside every post, message and vote.

`display_name_clean(name, *, user)` gives the name as it is saved, one line without direction
controls or invisible characters (`cssr.text.clean_single_line`), or raises ValidationError when the
name is empty, is a reserved name (`CSSR_RESERVED_DISPLAY_NAMES`: the platform, its team and roles;
operations staff may use them), or is the name of someone the user's co-members could take it for:
another member of a space the user has a membership in (in any state: the names of locked and
departed members still stand beside their posts), or an operations staff account (everyone may write
to them). Names are compared by `name_key`: Arabic spelling variants folded as search folds them
(`cssr.arabic.normalize`: hamza seats, ta marbuta, alef maqsura, diacritics, tatweel, digits), case
folded, spaces and punctuation ignored, and letters of other scripts drawn like Latin or Arabic ones
(Cyrillic «а», Greek «ο», a capital «I» beside «l», Urdu and Kurdish forms of «ه») read as those.

Only a change is checked: a name the user already has is kept even when it collides with another
(names chosen before this rule are not changed for anyone).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from cssr import arabic
from cssr.text import clean_single_line

# Letters drawn like a Latin or Arabic letter, read as that letter (after Unicode's confusables,
# limited to the scripts a name here is written in). After case folding, "i" and "l" are one letter:
# a capital I is drawn as a small l.
_LOOKALIKES = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁԛԝһӏкмнтвг", "aeopcyxijsdqwhlkmhtbr", strict=True)),
        **dict(zip("АВЕКМНОРСТУХІЈЅ", "abekmhopctyxijs", strict=True)),
        **dict(zip("αοριυνκτεχ", "aopluvktex", strict=True)),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "abezhikmnoptyx", strict=True)),
        "\u06c1": "\u0647",  # ہ Urdu heh goal
        "\u06d5": "\u0647",  # ە Kurdish ae
        "\u06be": "\u0647",  # ھ heh doachashmee
        "\u06c0": "\u0647",  # ۀ heh with yeh above
        "\u06c2": "\u0647",  # ۂ heh goal with hamza
    }
)


def name_key(name: str) -> str:
    """What two names that read alike have in common ("أحمد  الخطيب." and "احمد الخطيب" give the same,
    and "Layla" with a Cyrillic «а» gives what "Layla" gives)."""
    lookalike = arabic.normalize(clean_single_line(name).translate(_LOOKALIKES)).replace("l", "i")
    return "".join(character for character in lookalike if character.isalnum())


def _reserved_keys():
    return {name_key(name) for name in settings.CSSR_RESERVED_DISPLAY_NAMES} - {""}


def _names_seen_beside(user):
    """The names that appear where `user`'s name would: co-members of every space they have a
    membership in, and operations staff. One query."""
    User = get_user_model()
    shown = User.objects.filter(anonymised_at__isnull=True).exclude(pk=user.pk)
    if user.pk is not None:
        shown = shown.filter(Q(memberships__space__memberships__user=user) | Q(is_staff=True, is_active=True))
    else:
        shown = shown.filter(is_staff=True, is_active=True)
    return {
        display_name or username for display_name, username in shown.values_list("display_name", "username")
    }


def display_name_clean(name, *, user, previous=""):
    """`name` cleaned for `user` (whose saved name is `previous`). Raises ValidationError (code "empty",
    "reserved" or "taken") with a message for the user."""
    name = clean_single_line(name)
    key = name_key(name)
    if not key:
        raise ValidationError(_("Enter the name your co-members will see."), code="empty")
    if key == name_key(previous):
        return name
    if key in _reserved_keys() and not user.is_staff:
        raise ValidationError(
            _("This name is reserved for the platform and its team. Choose the name you are known by."),
            code="reserved",
        )
    if any(name_key(other) == key for other in _names_seen_beside(user)):
        raise ValidationError(
            _(
                "Someone your co-members know already uses this name. Add something that tells you apart, "
                "for example your family name or your town."
            ),
            code="taken",
        )
    return name
