"""Arabic-aware text normalisation: one normaliser for the indexed text and the query.

Spelling variants of the same Arabic word must meet ("الإنتخابات" and "الانتخابات", "مسؤولية" and
"مسئولية", "مدرسة" and "مدرسه"), so `normalize` folds them to one form. Search itself (terms,
filters, ranking, highlighting) is in `cssr.search`.
"""

import unicodedata

# Marks that change how a word is pronounced but not which word it is, and tatweel (a stretch).
_DIACRITICS = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640]
# Characters that take no room on screen: zero-width spaces and joiners, direction marks and
# embeddings, the byte order mark, the soft hyphen. Phones and copied text scatter them in words.
_INVISIBLE = [
    *range(0x200B, 0x2010),
    0x061C,
    0xFEFF,
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
    0x00AD,
]
_LETTERS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    # The seat of a hamza is a spelling convention that writers disagree on ("مسؤولية" and
    # "مسئولية"): keep the hamza, drop the seat, so both spellings become "مسءولية".
    "ؤ": "ء",
    "ئ": "ء",
    "ة": "ه",
    "ى": "ي",
    # Persian and Kurdish keyboards type these for Arabic yeh and kaf.
    "ی": "ي",
    "ک": "ك",
}
_DIGITS = {
    **{0x0660 + value: str(value) for value in range(10)},
    **{0x06F0 + value: str(value) for value in range(10)},
}
# The code points folding removes.
REMOVED = frozenset(_DIACRITICS + _INVISIBLE)
_TRANSLATION = str.maketrans(
    {**dict.fromkeys(REMOVED), **{ord(letter): base for letter, base in _LETTERS.items()}, **_DIGITS}
)
# NFKC after case folding can compose a character that case folding would change again, so folding
# repeats until nothing changes: one more pass is then a no-op, which makes `normalize` idempotent.
# (One pass suffices for every single code point and every base-plus-mark pair tried; the limit
# only bounds the work.)
_MAX_PASSES = 4


def _fold_once(text):
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_TRANSLATION).casefold()
    return unicodedata.normalize("NFKC", text)


def fold(text):
    """Fold every character of `text` (whitespace is left as it is)."""
    for _ in range(_MAX_PASSES):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


def normalize(text: str) -> str:
    """The search form of `text`: compatibility forms unfolded, diacritics, tatweel and invisible
    characters removed, letter variants unified, digits made Western, lower case, single spaces."""
    return " ".join(fold(text or "").split())


def western_digits(text: str) -> str:
    """`text` with Arabic-Indic and Eastern Arabic-Indic digits (and full-width or other compatibility
    forms of digits) written as 0-9, and invisible characters removed: what a phone keyboard set to
    Arabic types into a code field, as the code it means."""
    return unicodedata.normalize("NFKC", text or "").translate(_DIGITS_ONLY)


_DIGITS_ONLY = str.maketrans({**dict.fromkeys(_INVISIBLE), **_DIGITS})


# --- Light stemming ----------------------------------------------------------------------------------
#
# Applied to words already normalised (so ة is ه, ى is ي, أ إ آ are ا). Light stemming removes what is
# attached to a word, not its pattern: «والانتخابات», «بالانتخابات» and «انتخابات» all become «انتخاب».
# It is conservative: a stem keeps at least `_MIN_STEM` letters, so short words stay whole.

# The article with the particles that attach before it, longest first.
_ARTICLES = ("وبال", "وكال", "وفال", "فبال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال")
# Conjunctions, prepositions and particles that attach to any word («وانتخابات», «بانتخابات»): too
# often the first letter of a word of its own («وزارة», «بلدية»), so a word that starts with one has
# a second reading without it (`attached_stems`), offered only when what is left is long enough.
_PARTICLES = ("ب", "ك", "ل", "ف", "و")
# Plural, dual, relative and pronoun endings (ة is ه after normalisation), each tried once, in this
# order, as in the light10 stemmer.
_SUFFIXES = ("ها", "هم", "هن", "كم", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_MIN_STEM = 3
_MIN_ATTACHED = 4


def _is_arabic(word):
    return any("\u0620" <= character <= "\u064a" for character in word)


def _strip_suffixes(word):
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
    return word


def _english_stem(word):
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stem(word: str) -> str:
    """The light stem of one normalised word: an attached article (with its particles) removed, then common
    suffixes; English words lose a plural -s. Words too short to strip are returned whole."""
    if not _is_arabic(word):
        return _english_stem(word) if word.isalpha() else word
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            word = word[len(article) :]
            break
    return _strip_suffixes(word)


def attached_stems(word: str) -> list[str]:
    """The other readings of a normalised word that may start with an attached preposition or
    particle («بانتخابات» is «ب» + «انتخابات»): the stems of the word without it, when it is long."""
    if not _is_arabic(word):
        return []
    readings = []
    for particle in _PARTICLES:
        rest = word[len(particle) :]
        if word.startswith(particle) and len(rest) >= _MIN_ATTACHED:
            reading = stem(rest)
            if reading != stem(word) and reading not in readings:
                readings.append(reading)
    return readings
