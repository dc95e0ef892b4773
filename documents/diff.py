"""A word-level comparison of two texts that reads right in Arabic (right to left) and in English.

Texts are cut into words, runs of white space and single punctuation marks. Arabic diacritics
(harakat, shadda, superscript alef) belong to the word they sit on, so adding a vowel mark changes
one word, not the text around it. difflib lines the tokens up; the result is HTML with <del> for
what the newer text removed and <ins> for what it added, each with dir="auto" so a changed Arabic
word keeps its direction inside an English paragraph and the other way round.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Letters, digits and the underscore (\w), plus Arabic combining marks that \w leaves out.
_ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
_TOKEN = re.compile(rf"[\w{_ARABIC_MARKS}]+|\s+|[^\w\s{_ARABIC_MARKS}]")


def tokens(text: str) -> list[str]:
    """`text` as words, white-space runs and punctuation marks (joined again they give `text`)."""
    return _TOKEN.findall(text or "")


@dataclass(frozen=True)
class Change:
    kind: str  # "equal", "insert" or "delete"
    text: str


def changes(old: str, new: str) -> list[Change]:
    """What turns `old` into `new`, word by word: a list of equal, deleted and inserted runs."""
    before, after = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    result = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            result.append(Change("equal", "".join(before[a_start:a_end])))
            continue
        if operation in ("delete", "replace"):
            result.append(Change("delete", "".join(before[a_start:a_end])))
        if operation in ("insert", "replace"):
            result.append(Change("insert", "".join(after[b_start:b_end])))
    return result


def diff_html(old: str, new: str) -> SafeString:
    """The comparison as HTML: escaped text with <del dir="auto"> and <ins dir="auto"> runs."""
    parts = []
    for change in changes(old, new):
        text = escape(change.text)
        if change.kind == "equal":
            parts.append(text)
        elif change.kind == "delete":
            parts.append(f'<del dir="auto">{text}</del>')
        else:
            parts.append(f'<ins dir="auto">{text}</ins>')
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
