"""Non-attribution: finding the names of a space's people in a text meant to name nobody.

The final note reports what the group said, never who said it. Before it is submitted (and in its
PDF and DOCX exports) the rapporteurs are warned of every member's name the text holds. Arabic
attaches particles to the word they govern and writers disagree on spelling, so a name is found:

- with attached particles: و ف (and, so) and ب ل ك (by, for, as), alone or combined («وعمر»,
  «فلعمر», «والخطيب», «بالخطيب»), including «لل» where ل meets a name's article («للخطيب»);
- whatever the spelling: hamza seats, ta marbuta and ha, alef maqsura and ya, diacritics, tatweel,
  invisible characters, Arabic-Indic digits (the search normaliser, `cssr.arabic`);
- first and family name in either order («الخطيب عمر», «الخطيب، عمر»), across line breaks and any
  spacing; in English, whatever the case, also with a possessive ("Layla's");
- by the username too (as typed in an @mention).

A name is matched word by word, never inside another word: «عمران» does not name «عمر».
"""

import re
from dataclasses import dataclass

from cssr import arabic

# Particles that attach to the front of a word, in the order they can combine: a conjunction, then
# a preposition. (The article is part of a family name as written, «الخطيب», and is not added to a
# name written without it: «الحسن» is a word, not only a name.)
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
PREFIXES = frozenset(c + p for c in _CONJUNCTIONS for p in _PREPOSITIONS)
_WORD = re.compile(r"\w+")
# Words that make one name with the word after them (normalised: «أبو» is «ابو»).
_BOUND = frozenset({"عبد", "ابو", "ابن", "بن"})
# Shorter names than this are too common as parts of other words to be told apart.
MIN_NAME_LENGTH = 3


@dataclass(frozen=True)
class Person:
    """A name to look for: `shown` is what the warning says; `names` the forms of the name (the
    display name and the username)."""

    shown: str
    names: tuple


def _words(text):
    return _WORD.findall(arabic.normalize(text))


def _forms(word):
    """The ways `word` (a normalised word of a name) can be written with particles attached."""
    forms = {prefix + word for prefix in PREFIXES}
    if word.startswith("ال") and len(word) > 2:
        # ل before the article drops its alef: ل + الخطيب is written «للخطيب».
        forms |= {conjunction + "ل" + word[1:] for conjunction in _CONJUNCTIONS}
    return forms


def _units(words):
    """The parts of a name: words, with «عبد», «أبو» and «ابن» kept with the word they govern
    («عبد الله» is one part of «فاطمة عبد الله»)."""
    units, pending = [], ()
    for word in words:
        if word in _BOUND and not pending:
            pending = (word,)
            continue
        units.append((*pending, word))
        pending = ()
    if pending:
        units.append(pending)
    return units


def _sequences(name):
    """The word sequences that name someone: the name as written and, for a name of two parts or
    more, first and family name in either order."""
    words = _words(name)
    if not words or len("".join(words)) < MIN_NAME_LENGTH:
        return []
    units = _units(words)
    sequences = [tuple(words)]
    if len(units) >= 2:
        sequences.append((*units[-1], *units[0]))
        if len(units) > 2:
            sequences.append((*units[0], *units[-1]))
    return sequences


def _matches(sequence, text_words, index):
    """Whether `sequence` starts at `text_words[index]`: the first word may carry particles, the
    others may too (the family name after «و» in a list of names)."""
    if index + len(sequence) > len(text_words):
        return False
    return all(text_words[index + offset] in _forms(word) for offset, word in enumerate(sequence))


def names_in(text, people):
    """The `shown` names of the `people` whose name appears in `text`, in the order of `people`."""
    text_words = _words(text)
    if not text_words:
        return []
    positions = {}
    for index, word in enumerate(text_words):
        positions.setdefault(word, []).append(index)
    found = []
    for person in people:
        if person.shown in found:
            continue
        for name in person.names:
            if any(_found(sequence, text_words, positions) for sequence in _sequences(name)):
                found.append(person.shown)
                break
    return found


def _found(sequence, text_words, positions):
    starts = set()
    for form in _forms(sequence[0]):
        starts.update(positions.get(form, ()))
    return any(_matches(sequence, text_words, index) for index in sorted(starts))
