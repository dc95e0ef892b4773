"""Search everything a user may see, on one page grouped by kind.

Each capability registers a search source (`register`, from an app's `ready()`, as digest sources
and space-home panels are): what rows of its kind the user may see, filtered through the permission
core, and how a row is shown. This module registers discussions, posts, concerns, agenda items and
questionnaires; documents, drafts and the archive, events and chat register their own.

Matching, ranking and highlighting are those of `cssr.search` (Arabic spelling variants and light
stems meet, every term must match; on PostgreSQL results are ranked by full-text rank plus trigram
similarity, elsewhere by recency). Every group costs two queries (its count and its first rows),
whatever the data: sources select what they show with their rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from cssr import text
from cssr.search import QUERY_MAX_LENGTH, highlight, query_terms, rank, search_filter
from workgroups import access
from workgroups.models import AgendaItem, Concern, Post, Question, Questionnaire, Thread

PER_KIND = 20

__all__ = ["PER_KIND", "QUERY_MAX_LENGTH", "Group", "Result", "Scope", "SearchSource", "register", "search"]


@dataclass
class Result:
    kind: str
    kind_label: str
    title: str
    excerpt: str
    url: str
    space_name: str
    created_at: datetime
    score: float = 1.0


@dataclass
class Group:
    key: str
    label: str
    count: int
    results: list[Result] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """What a source is asked for: the user, the spaces they may view (a subquery of their pks),
    the query as typed and its normalised terms."""

    user: object
    spaces: QuerySet
    query: str
    terms: list[str]


@dataclass(frozen=True, eq=False)
class SearchSource:
    key: str
    # plural, shown as the group's heading
    label: object
    # where the group comes on the page (smaller first)
    position: int
    # the rows of the kind that the scope's user may see, not yet matched
    rows: Callable[[Scope], QuerySet]
    # how one matched row is shown (its `score` annotated)
    show: Callable[[Scope, object], Result]
    # newest first when the database does not rank
    order: tuple = ("-pk",)


SOURCES: list[SearchSource] = []


def register(source):
    """Add a source (called from an app's `ready()`); registering the same key twice replaces it."""
    SOURCES[:] = sorted(
        [known for known in SOURCES if known.key != source.key] + [source], key=lambda known: known.position
    )
    return source


def search(*, user, query) -> list[Group]:
    """The groups of results for `query` among what `user` may see (only groups with results), each
    with its count and its best `PER_KIND` rows. Raises nothing: an empty, too long or meaningless
    query gives no groups (the view tells the user why)."""
    query = (query or "")[:QUERY_MAX_LENGTH]
    terms = query_terms(query)
    if not terms or not access.is_signed_in(user):
        return []
    scope = Scope(user=user, spaces=access.filter_spaces(user).values("pk"), query=query, terms=terms)
    groups = []
    for source in SOURCES:
        matched = search_filter(source.rows(scope), terms)
        count = matched.count()
        if not count:
            continue
        rows = rank(matched, terms, order=source.order)[:PER_KIND]
        groups.append(Group(source.key, source.label, count, [source.show(scope, row) for row in rows]))
    return groups


# --- The sources of the workgroups app ------------------------------------------------------------


def _threads(scope):
    return Thread.objects.filter(space__in=scope.spaces, concern__isnull=True).select_related("space")


def _show_thread(scope, thread):
    return Result(
        "thread",
        _("Discussion"),
        thread.title,
        highlight(thread.title, scope.query),
        thread.get_absolute_url(),
        thread.space.name,
        thread.created_at,
        thread.score,
    )


def _posts(scope):
    return Post.objects.filter(
        thread__space__in=scope.spaces, deleted_at__isnull=True, hidden_at__isnull=True
    ).select_related("thread__space")


def _show_post(scope, post):
    return Result(
        "post",
        _("Post"),
        post.thread.title,
        highlight(text.plain_text(post.body), scope.query),
        post.get_absolute_url(),
        post.thread.space.name,
        post.created_at,
        post.score,
    )


def _concerns(scope):
    return Concern.objects.filter(space__in=scope.spaces).select_related("space")


def _show_concern(scope, concern):
    return Result(
        "concern",
        _("Concern"),
        concern.title,
        highlight(f"{concern.title} — {text.plain_text(concern.description)}", scope.query),
        concern.get_absolute_url(),
        concern.space.name,
        concern.created_at,
        concern.score,
    )


def _agenda_items(scope):
    return AgendaItem.objects.filter(space__in=scope.spaces).select_related("space")


def _show_agenda_item(scope, item):
    return Result(
        "agenda",
        _("Agenda item"),
        item.title,
        highlight(f"{item.title} — {item.description}", scope.query),
        item.get_absolute_url(),
        item.space.name,
        item.created_at,
        item.score,
    )


def _questionnaires(scope):
    published = (
        Questionnaire.objects.exclude(status=Questionnaire.Status.DRAFT)
        .select_related("space")
        .prefetch_related(  # the excerpt shows the question a match was found in
            Prefetch(
                "questions",
                queryset=Question.objects.only(
                    "questionnaire_id",
                    "position",
                    "text",
                    "text_ar",
                    "text_en",
                    "help_text",
                    "help_text_ar",
                    "help_text_en",
                ).order_by("position", "pk"),
            )
        )
    )
    return access.filter_questionnaires(scope.user, published)


def _show_questionnaire(scope, questionnaire):
    questions = " — ".join(
        " ".join(filter(None, (question.text, question.help_text)))
        for question in questionnaire.questions.all()
    )
    return Result(
        "questionnaire",
        _("Questionnaire"),
        questionnaire.title,
        highlight(
            " — ".join(filter(None, (questionnaire.title, questionnaire.intro, questions))), scope.query
        ),
        questionnaire.get_absolute_url(),
        questionnaire.space.name if questionnaire.space_id else "",
        questionnaire.published_at or questionnaire.created_at,
        questionnaire.score,
    )


register(SearchSource("thread", _("Discussions"), 10, _threads, _show_thread))
register(SearchSource("post", _("Posts"), 20, _posts, _show_post))
register(SearchSource("concern", _("Concerns"), 30, _concerns, _show_concern))
register(SearchSource("agenda", _("Agenda items"), 40, _agenda_items, _show_agenda_item))
register(SearchSource("questionnaire", _("Questionnaires"), 80, _questionnaires, _show_questionnaire))
