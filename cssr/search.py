"""Search in Arabic and English: what is stored, how a query matches, how results are ranked and shown.

Every searchable object keeps a `search_text` column written by its service with `index_text`: the
distinct words of its texts, folded by the one normaliser (`cssr.arabic.normalize`) so spelling
variants of an Arabic word meet ("الإنتخابات" finds "الانتخابات"), each followed by its light stem
(`cssr.arabic.stem`) so attached articles, particles and endings do not matter ("بالانتخابات" finds
"الانتخابات", "للمعتقلين" finds "معتقل"). The column is " word stem word stem ... ": every token
between spaces, so a plain LIKE on SQLite and PostgreSQL alike matches from the start of a token.

A query is cut into normalised `terms`; `search_filter` keeps the rows where every term is the start
of an indexed word or has the same stem as one; `rank` orders them by full-text rank plus trigram
similarity on PostgreSQL, and by the given order elsewhere; `highlight` marks the words that matched
in the original text.
"""

import itertools
import operator
import unicodedata
from bisect import bisect_left
from functools import lru_cache, reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import FloatField, Q, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .arabic import REMOVED, attached_stems, fold, normalize, stem

QUERY_MAX_LENGTH = 200
MAX_TERMS = 20
MAX_TERM_LENGTH = 64
ELLIPSIS = "…"


def _is_word_character(character):
    return character.isalnum() or unicodedata.category(character).startswith("M")


def _word_spans(normalized):
    """(start, end) of every run of word characters that holds a letter or digit: a word is a run of
    letters and digits with any combining marks they carry."""
    position = 0
    for is_word, characters in itertools.groupby(normalized, key=_is_word_character):
        start = position
        position += sum(1 for _ in characters)
        if is_word and any(character.isalnum() for character in normalized[start:position]):
            yield start, position


def _words(normalized):
    """The words of normalised text, in order, each cut to 64 characters (with repeats)."""
    for start, end in _word_spans(normalized):
        yield normalized[start : min(end, start + MAX_TERM_LENGTH)]


@lru_cache(maxsize=262144)
def word_tokens(word: str) -> tuple[str, ...]:
    """What a normalised word is indexed as: itself, its stem and its readings without an attached
    particle (distinct, in that order)."""
    return tuple(dict.fromkeys((word, stem(word), *attached_stems(word))))


@lru_cache(maxsize=4096)
def _query_stems(term):
    """The stems a query term meets exactly: its own and its readings without an attached particle."""
    return frozenset((stem(term), *attached_stems(term)))


def index_text(*parts: str) -> str:
    """What to store in an object's `search_text`: the distinct words of its texts, normalised, each
    with its stems, between spaces (empty when there is no word)."""
    tokens = {}
    for part in parts:
        for word in dict.fromkeys(_words(normalize(part or ""))):
            if word not in tokens:
                tokens.update(dict.fromkeys(word_tokens(word)))
    return f" {' '.join(tokens)} " if tokens else ""


def terms(text: str) -> list[str]:
    """The distinct normalised words of `text`, in order: at most 20, each cut to 64 characters.

    A word is a run of letters and digits (with any combining marks they carry)."""
    found = []
    for word in _words(normalize(text)):
        if word not in found:
            found.append(word)
            if len(found) == MAX_TERMS:
                break
    return found


def term_matches(term, tokens):
    """Whether a query term meets a word indexed as `tokens`: the term starts one of them, or one of
    the term's stems is one of them."""
    return any(token.startswith(term) for token in tokens) or not _query_stems(term).isdisjoint(tokens)


def query_terms(query: str) -> list[str]:
    """The terms of what was typed in a search box (its first 200 characters)."""
    return terms((query or "")[:QUERY_MAX_LENGTH])


def search_filter(queryset, query_terms, *, field="search_text"):
    """The rows of `queryset` whose `field` (written by `index_text`) meets every one of `query_terms`
    (`term_matches`): a token starting with the term, or a token equal to one of its stems."""
    condition = Q()
    for term in query_terms:
        term_condition = Q(**{f"{field}__contains": f" {term}"})
        for term_stem in sorted(_query_stems(term) - {term}):
            term_condition |= Q(**{f"{field}__contains": f" {term_stem} "})
        condition &= term_condition
    return queryset.filter(condition)


def rank(queryset, query_terms, *, order=("-pk",), field="search_text"):
    """`queryset` annotated with `score` and sorted best first: on PostgreSQL by full-text rank plus
    trigram word similarity of `field` to the terms, then by `order`; elsewhere every score is 1 and
    `order` alone sorts."""
    if connection.vendor == "postgresql" and query_terms:
        normalized = " ".join(query_terms)
        tokens = dict.fromkeys(
            itertools.chain.from_iterable((term, *sorted(_query_stems(term))) for term in query_terms)
        )
        any_token = reduce(
            operator.or_, (SearchQuery(token, config="simple", search_type="plain") for token in tokens)
        )
        return queryset.annotate(
            score=SearchRank(SearchVector(field, config="simple"), any_token)
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
    """The spans of `text` where a query term matched, sorted and merged: in each word that a term
    meets (`term_matches`), where the term occurs in it, or the whole word when only stems met."""
    folded, origins = _folded_with_origins(text, starts)
    spans = []
    for word_start, position in _word_spans(folded) if query_terms else ():
        word = folded[word_start:position]
        tokens = word_tokens(word[:MAX_TERM_LENGTH])
        for term in query_terms:
            if not term_matches(term, tokens):
                continue
            found = word.find(term)
            if found == -1:
                spans.append((origins[word_start][0], origins[position - 1][1]))
            while found != -1:
                spans.append((origins[word_start + found][0], origins[word_start + found + len(term) - 1][1]))
                found = word.find(term, found + len(term))
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
