"""Reads of questionnaires: the lists and lookups of the pages, then the results (counts and shares,
cross-tabulations, free-text answers, exports).

Every aggregate is built in a fixed number of queries whatever the number of responses (the
analysis page asserts it). In an anonymous questionnaire every count from 1 to 2 is shown as "<3"
in every breakdown, so that no one can be singled out; the data holds no respondent to show anyway.
"""

from collections import defaultdict

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Country, Region
from cssr import disclosure
from cssr.params import parse_id
from cssr.search import query_terms, search_filter
from workgroups import access
from workgroups.models import (
    Answer,
    AnswerChoice,
    AnswerTheme,
    Option,
    Question,
    Questionnaire,
    Receipt,
    Role,
    Submission,
)

SMALL_COUNT = disclosure.SMALL_COUNT
TEXT_PAGE_SIZE = 50


# --- Lists and lookups of the pages -------------------------------------------------------------


def _with_status(queryset, user):
    """Each questionnaire with `answered` (sent by `user`) and `drafted` (a draft of theirs waits)."""
    return queryset.annotate(
        answered=Exists(Receipt.objects.filter(questionnaire=OuterRef("pk"), user=user)),
        drafted=Exists(
            Submission.objects.filter(questionnaire=OuterRef("pk"), respondent=user, is_submitted=False)
        ),
    )


def questionnaire_addressed_list(*, user):
    """The published questionnaires addressed to `user` (not the expression-of-interest one), with
    their space and the user's answer status."""
    return _with_status(
        access.filter_questionnaires(user, Questionnaire.objects.all())
        .exclude(status=Questionnaire.Status.DRAFT)
        .exclude(purpose=Questionnaire.Purpose.INTEREST)
        .select_related("space"),
        user,
    )


def questionnaire_managed_list(*, user):
    """The questionnaires `user` builds: the platform-wide ones for operations staff, then those of
    the spaces whose outputs they manage. A list."""
    managed = []
    if access.is_operations(user):
        managed = list(Questionnaire.objects.filter(space__isnull=True).select_related("space"))
    spaces = access.filter_spaces(user, access.Action.MANAGE_OUTPUTS)
    managed += list(Questionnaire.objects.filter(space__in=spaces).select_related("space"))
    return managed


def questionnaire_list_for_space(*, space, user, as_manager):
    """A space's questionnaires with `user`'s answer status: all of them `as_manager`, otherwise the
    published ones addressed to `user`."""
    questionnaires = Questionnaire.objects.filter(space=space)
    if not as_manager:
        questionnaires = access.filter_questionnaires(user, questionnaires).exclude(
            status=Questionnaire.Status.DRAFT
        )
    return _with_status(questionnaires, user)


def question_list(*, questionnaire):
    """The questionnaire's questions, in order, with their options (lazy)."""
    return questionnaire.questions.prefetch_related("options")


def question_get(*, questionnaire, question_id):
    """A question of the questionnaire, or None."""
    return Question.objects.filter(pk=question_id, questionnaire=questionnaire).first()


def option_get(*, questionnaire, option_id):
    """An option of one of the questionnaire's questions, with its question, or None."""
    return (
        Option.objects.filter(pk=option_id, question__questionnaire=questionnaire)
        .select_related("question")
        .first()
    )


def answered_question_ids(*, questionnaire):
    """The ids of the questionnaire's questions that hold at least one answer (a set)."""
    return set(
        Question.objects.filter(questionnaire=questionnaire, answers__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )


def submission_count(*, questionnaire):
    """How many responses were sent."""
    return Submission.objects.filter(questionnaire=questionnaire, is_submitted=True).count()


def audience_count(*, questionnaire):
    """How many people the questionnaire is addressed to."""
    return access.questionnaire_audience(questionnaire).count()


def receipt_exists(*, questionnaire, user):
    """Whether `user` has sent the questionnaire."""
    return Receipt.objects.filter(questionnaire=questionnaire, user=user).exists()


def theme_get(*, questionnaire, theme_id):
    """An answer theme of the questionnaire, or None."""
    return AnswerTheme.objects.filter(pk=theme_id, questionnaire=questionnaire).first()


def theme_get_by_name(*, questionnaire, name):
    """The questionnaire's answer theme called `name`, or None."""
    return AnswerTheme.objects.filter(questionnaire=questionnaire, name=name).first()


# --- Results ------------------------------------------------------------------------------------


def _cell(count, total, anonymous):
    """One count with its share; hidden as "<3" in an anonymous questionnaire (`cssr.disclosure`)."""
    return disclosure.cell(count, total, protect=anonymous)


def _region_labels():
    labels = dict(Region.choices)
    labels.update(dict(Country.choices))
    return labels


def dimensions(questionnaire, questions):
    """What the results may be broken down by: region, role, and each single-choice question."""
    options = [("region", _("Region")), ("role", _("Role"))]
    options += [
        (f"q{question.pk}", question.text)
        for question in questions
        if question.kind in Question.CATEGORICAL_KINDS
    ]
    return options


def _dimension(by, questions):
    """(ORM expression on a Submission path, label function, the question used) for `by`."""
    if by == "region":
        labels = _region_labels()
        return "region", lambda value: labels.get(value) or _("Not recorded"), None
    if by == "role":
        labels = dict(Role.choices)
        return "role", lambda value: labels.get(value) or _("In no group"), None
    question_id = parse_id(by[1:]) if by and by.startswith("q") else None
    if question_id is not None:
        question = next(
            (q for q in questions if q.pk == question_id and q.kind in Question.CATEGORICAL_KINDS), None
        )
        if question is not None:
            labels = {option.pk: option.text for option in question.options.all()}
            return question, lambda value: labels.get(value) or _("No answer"), question
    return None, None, None


def questionnaire_results(*, questionnaire, by=None):
    """Per question: answer counts, and per option (or scale point) count and share, drawn as bars;
    with `by` ("region", "role" or "q<id>" of a single-choice question) each row is also split into
    columns. Five queries whatever the number of responses."""
    anonymous = questionnaire.is_anonymous
    submitted = Submission.objects.filter(questionnaire=questionnaire, is_submitted=True)
    total = submitted.count()
    questions = list(questionnaire.questions.prefetch_related("options"))
    dimension, label_of, by_question = _dimension(by, questions)

    def split(queryset, submission_path):
        if dimension is None:
            return queryset, None
        if isinstance(dimension, Question):
            chosen = AnswerChoice.objects.filter(
                answer__submission=OuterRef(submission_path), option__question=dimension
            ).values("option_id")[:1]
            return queryset.annotate(column=Subquery(chosen, output_field=IntegerField())), "column"
        return queryset, f"{submission_path}__{dimension}"

    choices = AnswerChoice.objects.filter(answer__submission__in=submitted)
    choices, column = split(choices, "answer__submission")
    group = ["option_id", *([column] if column else [])]
    choice_rows = list(
        choices.values(*group)
        .annotate(n=Count("pk"), firsts=Count("pk", filter=Q(rank=1)), mean_rank=Avg("rank"))
        .order_by()
    )

    answers = Answer.objects.filter(submission__in=submitted)
    answers, answer_column = split(answers, "submission")
    group = ["question_id", "number", *([answer_column] if answer_column else [])]
    answer_rows = list(answers.values(*group).annotate(n=Count("pk")).order_by())

    by_option, option_columns, ranks = defaultdict(int), defaultdict(lambda: defaultdict(int)), {}
    for row in choice_rows:
        by_option[row["option_id"]] += row["n"]
        if column:
            option_columns[row["option_id"]][row[column]] += row["n"]
        first, mean = ranks.get(row["option_id"], (0, []))
        ranks[row["option_id"]] = (first + row["firsts"], mean + [(row["mean_rank"], row["n"])])
    answered, by_value, value_columns = (
        defaultdict(int),
        defaultdict(int),
        defaultdict(lambda: defaultdict(int)),
    )
    for row in answer_rows:
        answered[row["question_id"]] += row["n"]
        key = (row["question_id"], row["number"])
        by_value[key] += row["n"]
        if answer_column:
            value_columns[key][row[answer_column]] += row["n"]

    column_keys = (
        sorted(
            {key for columns in [*option_columns.values(), *value_columns.values()] for key in columns},
            key=lambda value: str(label_of(value)),
        )
        if label_of
        else []
    )
    columns = [{"key": key, "label": label_of(key)} for key in column_keys]

    def row(label, count, base, split_counts=None):
        result = {"label": label, **_cell(count, base, anonymous)}
        if columns:
            result["columns"] = [
                _cell((split_counts or {}).get(key["key"], 0), base, anonymous) for key in columns
            ]
        return result

    sections = []
    for question in questions:
        base = answered.get(question.pk, 0)
        section = {"question": question, "answered": _cell(base, total, anonymous), "rows": [], "ranking": []}
        if question.kind == Question.Kind.SCALE:
            section["rows"] = [
                row(
                    str(value),
                    by_value.get((question.pk, value), 0),
                    base,
                    value_columns.get((question.pk, value)),
                )
                for value in question.scale_values
            ]
            weighted = sum(value * by_value.get((question.pk, value), 0) for value in question.scale_values)
            section["mean"] = (
                round(weighted / base, 1) if base and (not anonymous or base >= SMALL_COUNT) else None
            )
        elif question.kind == Question.Kind.DECLARATION:
            section["rows"] = [
                row(
                    _("Confirmed"),
                    by_value.get((question.pk, 1), 0),
                    base,
                    value_columns.get((question.pk, 1)),
                )
            ]
        elif question.has_options:
            options = question.options.all()
            if question.kind == Question.Kind.REGION:
                options = [option for option in options if by_option.get(option.pk)]
            section["rows"] = [
                row(option.text, by_option.get(option.pk, 0), base, option_columns.get(option.pk))
                for option in options
            ]
            if question.kind == Question.Kind.RANKING:
                for option in question.options.all():
                    first, means = ranks.get(option.pk, (0, []))
                    weight = sum(n for _mean, n in means)
                    mean = sum(m * n for m, n in means) / weight if weight else None
                    hidden = anonymous and 0 < weight < SMALL_COUNT
                    section["ranking"].append(
                        {
                            "label": option.text,
                            "first": _cell(first, base, anonymous),
                            "mean_rank": None if mean is None or hidden else round(mean, 1),
                        }
                    )
                section["ranking"].sort(key=lambda item: (item["mean_rank"] is None, item["mean_rank"] or 0))
        if anonymous:
            disclosure.protect_group(section["rows"])
            disclosure.protect_group([item["first"] for item in section["ranking"]])
            for each in section["rows"]:
                disclosure.protect_group(each.get("columns", []))
        sections.append(section)
    return {
        "total": _cell(total, total, anonymous),
        "sections": sections,
        "columns": columns,
        "by": by if dimension is not None else "",
        "by_question": by_question,
        "dimensions": dimensions(questionnaire, questions),
    }


def text_respondent_count(*, questionnaire, question=None):
    """How many people wrote a free-text answer (to `question`, or to any free-text question)."""
    answers = Answer.objects.filter(
        submission__questionnaire=questionnaire,
        submission__is_submitted=True,
        question__kind__in=Question.TEXT_KINDS,
    ).exclude(text="")
    if question is not None:
        answers = answers.filter(question=question)
    return answers.values("submission_id").distinct().count()


def text_answers_withheld(*, questionnaire, question=None):
    """Whether the free-text answers of an anonymous questionnaire are withheld: fewer than
    CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS people wrote one, so a reader who knows who answered could
    tell whose words they are."""
    if not questionnaire.is_anonymous:
        return False
    minimum = settings.CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS
    return text_respondent_count(questionnaire=questionnaire, question=question) < minimum


def text_answers(*, questionnaire, question=None, query="", theme=None, page=1):
    """The free-text answers of `questionnaire` (one question, or all), newest first, searched with
    the Arabic normaliser (every term must match) and filtered by theme; a page of them. Named
    questionnaires give the respondent's public name; anonymous ones have none to give."""
    answers = Answer.objects.filter(
        submission__questionnaire=questionnaire,
        submission__is_submitted=True,
        question__kind__in=Question.TEXT_KINDS,
    )
    if question is not None:
        answers = answers.filter(question=question)
    if text_answers_withheld(questionnaire=questionnaire, question=question):
        answers = answers.none()
    answers = search_filter(answers, query_terms(query))
    if theme is not None:
        answers = answers.filter(themes=theme)
    answers = answers.select_related("question").prefetch_related("themes")
    if questionnaire.is_anonymous:
        answers = answers.order_by("question__position", "search_text", "pk")  # no order of arrival to read
    else:
        answers = answers.select_related("submission__respondent").order_by(
            "-submission__submitted_at", "-pk"
        )
    return Paginator(answers, TEXT_PAGE_SIZE).get_page(page)


def theme_list(*, questionnaire):
    """The questionnaire's answer themes with how many answers each holds (one query)."""
    anonymous = questionnaire.is_anonymous
    themes = list(AnswerTheme.objects.filter(questionnaire=questionnaire).annotate(n=Count("answers")))
    for theme in themes:
        theme.size = _cell(theme.n, 0, anonymous)
    return themes


def citation(questionnaire, question=None):
    """A stable reference to a questionnaire's results that a draft can quote: text and URL."""
    path = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    url = f"{settings.SITE_URL}{path}" + (f"#question-{question.pk}" if question is not None else "")
    count = Submission.objects.filter(questionnaire=questionnaire, is_submitted=True).count()
    shown = disclosure.small_display(count, protect=questionnaire.is_anonymous)
    date = (
        timezone.localtime(
            questionnaire.closes_at if questionnaire.status == Questionnaire.Status.CLOSED else timezone.now()
        )
        .date()
        .isoformat()
    )
    subject = f"«{questionnaire.title}»" + (f", {question.text}" if question is not None else "")
    text = _("%(subject)s — questionnaire results, %(count)s responses, %(date)s. %(url)s") % {
        "subject": subject,
        "count": shown,
        "date": date,
        "url": url,
    }
    return {"text": text, "url": url}


# --- Exports ------------------------------------------------------------------------------------


def export_rows(*, questionnaire):
    """The header and one row per submission (sent): one column per question. Named
    questionnaires start with the respondent's name; anonymous ones name nobody and their rows are
    in no order of arrival. Three queries whatever the number of responses. The cells are raw:
    `cssr.exports` writes them, with spreadsheet formulas neutralised."""
    questions = list(questionnaire.questions.all())
    anonymous = questionnaire.is_anonymous
    header = ([] if anonymous else [_("Respondent"), _("Submitted")]) + [_("Region"), _("Role")]
    header += [question.text for question in questions]
    submissions = Submission.objects.filter(questionnaire=questionnaire, is_submitted=True)
    submissions = (
        submissions.order_by("region", "role", "pk")
        if anonymous
        else submissions.select_related("respondent").order_by("submitted_at", "pk")
    )
    answers = defaultdict(dict)
    choice_text = defaultdict(list)
    for answer_id, option_text, rank in (
        AnswerChoice.objects.filter(
            answer__submission__questionnaire=questionnaire, answer__submission__is_submitted=True
        )
        .order_by("answer_id", "rank", "option__position")
        .values_list("answer_id", "option__text", "rank")
    ):
        choice_text[answer_id].append(f"{rank}. {option_text}" if rank else option_text)
    for answer in Answer.objects.filter(
        submission__questionnaire=questionnaire, submission__is_submitted=True
    ).only("pk", "submission_id", "question_id", "text", "number"):
        answers[answer.submission_id][answer.question_id] = answer
    regions, roles = _region_labels(), dict(Role.choices)
    withheld = {
        question.pk
        for question in questions
        if question.is_text and text_answers_withheld(questionnaire=questionnaire, question=question)
    }
    rows = []
    for submission in submissions:
        row = (
            []
            if anonymous
            else [
                submission.respondent.public_name if submission.respondent else "",
                timezone.localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M")
                if submission.submitted_at
                else "",
            ]
        )
        row += [
            str(regions.get(submission.region, submission.region)),
            str(roles.get(submission.role, submission.role)),
        ]
        for question in questions:
            answer = answers[submission.pk].get(question.pk)
            if answer is None:
                row.append("")
            elif question.is_text:
                row.append("" if question.pk in withheld else answer.text)
            elif question.has_options:
                row.append("; ".join(choice_text[answer.pk]))
            elif question.kind == Question.Kind.DECLARATION:
                row.append(_("Confirmed"))
            else:
                row.append(answer.number)
        rows.append(row)
    return header, rows
