"""Arabic-aware text normalisation for search: one normaliser for the indexed text and the query.

Spelling variants of the same Arabic word must meet ("الإنتخابات" and "الانتخابات", "مسؤولية" and
"مسئولية", "مدرسة" and "مدرسه"), so `normalize` folds them to one form. `terms` splits a query
into normalised words and `highlight` shows where they occur in the original text.
"""

import itertools
import unicodedata
from bisect import bisect_left
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERMS = 20
MAX_TERM_LENGTH = 64
ELLIPSIS = "…"

# Marks that change how a word is pronounced but not which word it is, and tatweel (a stretch).
_DIACRITICS = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640]
# Characters that take no room on screen: zero-width spaces and joiners, direction marks and
# embeddings, the byte order mark, the soft hyphen. Phones and copied text scatter them in words.
_INVISIBLE = [*range(0x200B, 0x2010), 0x061C, 0xFEFF, *range(0x202A, 0x202F), *range(0x2060, 0x2065),
              *range(0x2066, 0x206A), 0x00AD]
_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    # The seat of a hamza is a spelling convention that writers disagree on ("مسؤولية" and
    # "مسئولية"): keep the hamza, drop the seat, so both spellings become "مسءولية".
    "ؤ": "ء", "ئ": "ء",
    "ة": "ه",
    "ى": "ي",
    # Persian and Kurdish keyboards type these for Arabic yeh and kaf.
    "ی": "ي", "ک": "ك",
}
_DIGITS = {**{0x0660 + value: str(value) for value in range(10)}, **{0x06F0 + value: str(value) for value in range(10)}}
_REMOVED = frozenset(_DIACRITICS + _INVISIBLE)
_TRANSLATION = str.maketrans(
    {**dict.fromkeys(_REMOVED), **{ord(letter): base for letter, base in _LETTERS.items()}, **_DIGITS}
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


def _fold(text):
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
    return " ".join(_fold(text or "").split())


def western_digits(text: str) -> str:
    """`text` with Arabic-Indic and Eastern Arabic-Indic digits (and full-width or other compatibility
    forms of digits) written as 0-9, and invisible characters removed: what a phone keyboard set to
    Arabic types into a code field, as the code it means."""
    return unicodedata.normalize("NFKC", text or "").translate(_DIGITS_ONLY)


_DIGITS_ONLY = str.maketrans({**dict.fromkeys(_INVISIBLE), **_DIGITS})


def _is_word_character(character):
    return character.isalnum() or unicodedata.category(character).startswith("M")


def terms(text: str) -> list[str]:
    """The distinct normalised words of `text`, in order: at most 20, each cut to 64 characters.

    A word is a run of letters and digits (with any combining marks they carry)."""
    found = []
    for is_word, characters in itertools.groupby(normalize(text), key=_is_word_character):
        word = "".join(characters)[:MAX_TERM_LENGTH]
        if is_word and any(character.isalnum() for character in word) and word not in found:
            found.append(word)
            if len(found) == MAX_TERMS:
                break
    return found


def _continues_cluster(character):
    """Whether `character` belongs with the one before it: a combining mark, or something folding
    removes (so that folding a cluster alone gives what folding the whole text gives)."""
    return unicodedata.category(character).startswith("M") or ord(character) in _REMOVED


@lru_cache(maxsize=4096)
def _fold_cluster(cluster):
    return _fold(cluster)


def _cluster_starts(text):
    return [index for index, character in enumerate(text) if index == 0 or not _continues_cluster(character)]


def _folded_with_origins(text, starts):
    """`text` folded cluster by cluster, with the span of the original text each folded character
    comes from (folding removes characters and can expand one into several)."""
    folded, origins = [], []
    for start, end in itertools.pairwise([*starts, len(text)]):
        piece = _fold_cluster(text[start:end])
        folded.append(piece)
        origins.extend([(start, end)] * len(piece))
    return "".join(folded), origins


def _matches(text, starts, query_terms):
    """The spans of `text` where a query term occurs, sorted and merged."""
    folded, origins = _folded_with_origins(text, starts)
    spans = []
    for term in query_terms:
        position = folded.find(term)
        while position != -1:
            spans.append((origins[position][0], origins[position + len(term) - 1][1]))
            position = folded.find(term, position + len(term))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window(text, starts, first_match, max_length):
    """The excerpt's span: at most `max_length` characters, the first match near its start, cut
    between words where a space is close by and never inside a cluster."""
    if len(text) <= max_length:
        return 0, len(text)
    match_start, match_end = first_match or (0, 0)
    start = max(0, min(match_start - max_length // 3, len(text) - max_length))
    end = start + max_length
    nearby = max_length // 8
    if start > 0:
        space = next((index for index in range(start, min(start + nearby, match_start)) if text[index].isspace()), None)
        start = space + 1 if space is not None else starts[bisect_left(starts, start)]
    if end < len(text):
        keep = max(start, min(match_end, end))  # the first match, if it fits
        space = next((index for index in range(end - 1, max(end - nearby, keep), -1) if text[index].isspace()), None)
        boundary = starts[bisect_left(starts, end + 1) - 1]
        end = space if space is not None else (boundary if boundary > start else end)
    return start, end


def highlight(text: str, query: str, *, max_length: int = 240) -> SafeString:
    """An HTML-escaped excerpt of `text` around the first match of `query`, every match in it in
    <mark>. Matching uses the normalised forms; the original characters are shown."""
    text = text or ""
    starts = _cluster_starts(text)
    matches = _matches(text, starts, terms(query))
    start, end = _window(text, starts, matches[0] if matches else None, max_length)
    parts = [ELLIPSIS] if start > 0 else []
    position = start
    for match_start, match_end in matches:
        match_start, match_end = max(match_start, start), min(match_end, end)
        if match_start >= match_end:
            continue
        parts += [escape(text[position:match_start]), "<mark>", escape(text[match_start:match_end]), "</mark>"]
        position = match_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above
