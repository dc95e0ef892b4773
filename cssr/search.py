"""Search in Arabic and English: what is stored, how a query matches, how results are ranked and shown.

Every searchable object keeps a `search_text` column written by its service with `index_text`: the
text folded by the one normaliser (`cssr.arabic.normalize`), so spelling variants of an Arabic word
meet ("الإنتخابات" finds "الانتخابات"). A query is cut into normalised `terms`; `search_filter`
keeps the rows where every term occurs; `rank` orders them by full-text rank plus trigram
similarity on PostgreSQL, and by the given order elsewhere; `highlight` shows where the terms
occur in the original text.
"""

import itertools
import unicodedata
from bisect import bisect_left
from functools import lru_cache

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import FloatField, Q, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .arabic import REMOVED, fold, normalize

QUERY_MAX_LENGTH = 200
MAX_TERMS = 20
MAX_TERM_LENGTH = 64
ELLIPSIS = "…"


def index_text(*parts: str) -> str:
    """What to store in an object's `search_text`: its searchable texts, joined and normalised."""
    return normalize(" ".join(part or "" for part in parts))


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


def query_terms(query: str) -> list[str]:
    """The terms of what was typed in a search box (its first 200 characters)."""
    return terms((query or "")[:QUERY_MAX_LENGTH])


def search_filter(queryset, query_terms, *, field="search_text"):
    """The rows of `queryset` whose `field` (a normalised column) holds every one of `query_terms`."""
    condition = Q()
    for term in query_terms:
        condition &= Q(**{f"{field}__contains": term})
    return queryset.filter(condition)


def rank(queryset, query_terms, *, order=("-pk",), field="search_text"):
    """`queryset` annotated with `score` and sorted best first: on PostgreSQL by full-text rank plus
    trigram word similarity of `field` to the terms, then by `order`; elsewhere every score is 1 and
    `order` alone sorts."""
    if connection.vendor == "postgresql":
        normalized = " ".join(query_terms)
        return queryset.annotate(
            score=SearchRank(
                SearchVector(field, config="simple"),
                SearchQuery(normalized, config="simple", search_type="plain"),
            )
            + TrigramWordSimilarity(normalized, field)
        ).order_by("-score", *order)
    return queryset.annotate(score=Value(1.0, output_field=FloatField())).order_by(*order)


# --- Highlighting ---------------------------------------------------------------------------------


def _continues_cluster(character):
    """Whether `character` belongs with the one before it: a combining mark, or something folding
    removes (so that folding a cluster alone gives what folding the whole text gives)."""
    return unicodedata.category(character).startswith("M") or ord(character) in REMOVED


@lru_cache(maxsize=4096)
def _fold_cluster(cluster):
    return fold(cluster)


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
        space = next(
            (index for index in range(start, min(start + nearby, match_start)) if text[index].isspace()), None
        )
        start = space + 1 if space is not None else starts[bisect_left(starts, start)]
    if end < len(text):
        keep = max(start, min(match_end, end))  # the first match, if it fits
        space = next(
            (index for index in range(end - 1, max(end - nearby, keep), -1) if text[index].isspace()), None
        )
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
        parts += [
            escape(text[position:match_start]),
            "<mark>",
            escape(text[match_start:match_end]),
            "</mark>",
        ]
        position = match_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above
