"""Every write about questionnaires: building them, publishing, answering, sorting answers into themes.

Each service runs in one transaction and raises ValidationError (with a message for the user) when
the change is refused; a refused change writes nothing. Trusts its caller: the views ask
`access.check_questionnaire` and `access.check_create_questionnaire`; the services hold the rules
that do not depend on who asks (`access.is_accepting_answers`, an audience large enough for
anonymity).
"""

import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cssr.search import index_text
from workgroups import access
from workgroups.models import (
    Answer,
    AnswerChoice,
    AnswerTheme,
    Contribution,
    Membership,
    Notification,
    Option,
    Question,
    Questionnaire,
    Receipt,
    Role,
    Submission,
)
from workgroups.models.questionnaires import region_choices
from workgroups.selectors import questionnaires as analysis
from workgroups.services.contributions import contribution_record
from workgroups.services.discussions import concern_propose
from workgroups.services.notifications import notify
from workgroups.services.spaces import interest_submit

# The questions the expression-of-interest flow reads: they cannot be removed, made optional or retyped.
DECLARATION_KEYS = ("declares_syrian", "declares_civic_work", "declares_no_affiliation")
INTEREST_TEXT_KEYS = ("expertise", "motivation", "civic_activity")
SMALL_AUDIENCE = 3  # an anonymous questionnaire needs at least this many people to be anonymous


def text_limit(kind):
    """The longest answer a text question accepts (settings CSSR_QUESTIONNAIRE_*_TEXT_LIMIT)."""
    if kind == Question.Kind.SHORT_TEXT:
        return settings.CSSR_QUESTIONNAIRE_SHORT_TEXT_LIMIT
    return settings.CSSR_QUESTIONNAIRE_LONG_TEXT_LIMIT


def _has_submissions(questionnaire):
    return Submission.objects.filter(questionnaire=questionnaire).exists()


def _clean(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ValidationError(
            _("Some fields are missing or invalid: %(fields)s.")
            % {
                "fields": ", ".join(
                    str(instance._meta.get_field(name).verbose_name)
                    for name in error.message_dict
                    if name != "__all__"
                )
                or _("dates"),
            },
            code="invalid",
        ) from error


def _validate_settings(questionnaire):
    if questionnaire.closes_at and questionnaire.closes_at <= questionnaire.opens_at:
        raise ValidationError(_("The questionnaire must close after it opens."), code="window")
    if questionnaire.is_anonymous and questionnaire.allow_changes:
        raise ValidationError(
            _("Anonymous answers cannot be changed after they are sent: nothing links them to their author."),
            code="anonymous_changes",
        )
    Audience = Questionnaire.Audience
    if questionnaire.audience == Audience.ROLE and not questionnaire.audience_role:
        raise ValidationError(_("Choose the role the questionnaire is addressed to."), code="audience_role")
    if (
        questionnaire.space_id is None
        and questionnaire.audience == Audience.SPACE
        and not questionnaire.audience_space_id
    ):
        raise ValidationError(_("Choose the space the questionnaire is addressed to."), code="audience_space")
    if questionnaire.space_id is not None:
        questionnaire.audience_space = None
        if questionnaire.audience == Audience.SPACE:
            questionnaire.audience = Audience.ALL
    if questionnaire.audience != Audience.ROLE:
        questionnaire.audience_role = ""


def questionnaire_search_text(questionnaire):
    """What search finds a questionnaire by: its title and introduction, and the text and explanation
    of each of its questions, in both languages (not the options: every questionnaire that asks for a
    region would be found by the name of each governorate)."""
    questions = (
        questionnaire.questions.order_by("position", "pk").values_list(
            "text_ar", "text_en", "help_text_ar", "help_text_en"
        )
        if questionnaire.pk
        else ()
    )
    return index_text(
        questionnaire.title_ar,
        questionnaire.title_en,
        questionnaire.intro_ar,
        questionnaire.intro_en,
        *itertools.chain.from_iterable(questions),
    )


def questionnaire_reindex(*, questionnaire):
    """Write the questionnaire's search text again, after its questions changed (here, or in the admin)."""
    questionnaire.search_text = questionnaire_search_text(questionnaire)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(search_text=questionnaire.search_text)


def questionnaire_create(*, actor, space=None, **fields):
    """Create a questionnaire (being prepared) on the platform (`space` None) or in a space."""
    questionnaire = Questionnaire(space=space, created_by=actor, **fields)
    questionnaire.title = questionnaire.title_ar = (fields.get("title_ar") or "").strip()
    _validate_settings(questionnaire)
    _clean(questionnaire)
    questionnaire.search_text = questionnaire_search_text(questionnaire)
    questionnaire.save()
    return questionnaire


SETTINGS_FIELDS = (
    "title_ar",
    "title_en",
    "intro_ar",
    "intro_en",
    "audience",
    "audience_space",
    "audience_role",
    "is_anonymous",
    "allow_changes",
    "opens_at",
    "closes_at",
)


def questionnaire_update(*, actor, questionnaire, **fields):
    """Change a questionnaire's settings. Anonymity and audience are fixed once it is published."""
    with transaction.atomic():
        current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        published = current.status != Questionnaire.Status.DRAFT
        if (
            "is_anonymous" in fields
            and fields["is_anonymous"] != current.is_anonymous
            and (published or _has_submissions(current))
        ):
            raise ValidationError(
                _("Anonymity is fixed once the questionnaire is published: respondents answered under it."),
                code="anonymity_fixed",
            )
        if published and any(
            name in fields
            and getattr(current, name + ("_id" if name == "audience_space" else ""))
            != (getattr(fields[name], "pk", fields[name]))
            for name in ("audience", "audience_space", "audience_role")
        ):
            raise ValidationError(
                _("The audience is fixed once the questionnaire is published."), code="audience_fixed"
            )
        for name, value in fields.items():
            if name not in SETTINGS_FIELDS:
                raise ValueError(name)
            setattr(current, name, value)
        current.title = current.title_ar
        current.intro = current.intro_ar
        _validate_settings(current)
        _clean(current)
        current.search_text = questionnaire_search_text(current)
        current.save()
    return current


def _protected(question):
    return (
        question.questionnaire.purpose == Questionnaire.Purpose.INTEREST and question.key in DECLARATION_KEYS
    )


def _next_position(queryset):
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def question_add(
    *,
    actor,
    questionnaire,
    text_ar,
    kind,
    text_en="",
    help_text_ar="",
    help_text_en="",
    is_required=True,
    scale_min=1,
    scale_max=5,
    options=(),
):
    """Add a question at the end. A region question gets the governorates and countries as options;
    `options` are (Arabic, English) pairs for the other choice questions."""
    if questionnaire.status == Questionnaire.Status.CLOSED:
        raise ValidationError(_("This questionnaire is closed: it can no longer be changed."), code="closed")
    with transaction.atomic():
        question = Question(
            questionnaire=questionnaire,
            kind=kind,
            is_required=is_required,
            text=text_ar.strip(),
            text_ar=text_ar.strip(),
            text_en=text_en.strip(),
            help_text=help_text_ar.strip(),
            help_text_ar=help_text_ar.strip(),
            help_text_en=help_text_en.strip(),
            scale_min=scale_min,
            scale_max=scale_max,
            position=_next_position(questionnaire.questions.all()),
        )
        if kind == Question.Kind.SCALE and scale_max <= scale_min:
            raise ValidationError(_("The scale must end above where it starts."), code="scale")
        _clean(question)
        question.save()
        if kind == Question.Kind.REGION:
            _add_region_options(question)
        elif kind in Question.CHOICE_KINDS:
            for position, (option_ar, option_en) in enumerate(
                (pair for pair in options if pair[0].strip()), start=1
            ):
                Option.objects.create(
                    question=question,
                    position=position,
                    text=option_ar.strip(),
                    text_ar=option_ar.strip(),
                    text_en=(option_en or "").strip(),
                )
        questionnaire_reindex(questionnaire=questionnaire)
    return question


def _add_region_options(question):
    labels = {}
    for language in ("ar", "en"):
        with translation.override(language):
            labels[language] = [(value, str(label)) for value, label in region_choices()]
    Option.objects.bulk_create(
        Option(
            question=question,
            code=value,
            position=position,
            text=label_ar,
            text_ar=label_ar,
            text_en=label_en,
        )
        for position, ((value, label_ar), (_value, label_en)) in enumerate(
            zip(labels["ar"], labels["en"], strict=True), start=1
        )
    )


def question_update(
    *,
    actor,
    question,
    text_ar,
    text_en="",
    help_text_ar="",
    help_text_en="",
    is_required=True,
    kind=None,
    scale_min=None,
    scale_max=None,
):
    """Change a question. Refused with a reason when it would break answers already given: a new
    type, a scale that no longer holds an answer; and for the eligibility declarations, made optional."""
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("questionnaire").get(pk=question.pk)
        kind = kind or question.kind
        answered = question.answers.exists()
        if kind != question.kind:
            if _protected(question):
                raise ValidationError(
                    _("The eligibility declarations must stay declarations."), code="protected"
                )
            if answered:
                raise ValidationError(
                    _(
                        "This question already has answers: its type cannot change. "
                        "Add a new question instead."
                    ),
                    code="answered",
                )
            if question.kind in Question.CHOICE_KINDS or kind == Question.Kind.REGION:
                question.options.all().delete()
        if _protected(question) and not is_required:
            raise ValidationError(
                _("The eligibility declarations are mandatory: they cannot be made optional."),
                code="protected",
            )
        if kind == Question.Kind.SCALE and scale_min is not None and scale_max is not None:
            if scale_max <= scale_min:
                raise ValidationError(_("The scale must end above where it starts."), code="scale")
            if (
                answered
                and question.answers.exclude(number__range=(scale_min, scale_max))
                .exclude(number__isnull=True)
                .exists()
            ):
                raise ValidationError(
                    _("Some answers lie outside the new scale: it cannot be narrowed."), code="answered"
                )
            question.scale_min, question.scale_max = scale_min, scale_max
        question.kind = kind
        question.text = question.text_ar = text_ar.strip()
        question.text_en = text_en.strip()
        question.help_text = question.help_text_ar = help_text_ar.strip()
        question.help_text_en = help_text_en.strip()
        question.is_required = is_required
        _clean(question)
        question.save()
        if kind == Question.Kind.REGION and not question.options.exists():
            _add_region_options(question)
        questionnaire_reindex(questionnaire=question.questionnaire)
    return question


def question_delete(*, actor, question):
    """Remove a question that has no answers (never an eligibility declaration)."""
    if _protected(question):
        raise ValidationError(
            _("The eligibility declarations are mandatory questions: they cannot be removed."),
            code="protected",
        )
    if question.answers.exists():
        raise ValidationError(_("This question already has answers: it cannot be removed."), code="answered")
    with transaction.atomic():
        question.delete()
        questionnaire_reindex(questionnaire=question.questionnaire)


def question_move(*, actor, question, offset):
    """Move a question up (offset -1) or down (+1) in its questionnaire."""
    with transaction.atomic():
        questions = list(
            Question.objects.select_for_update()
            .filter(questionnaire_id=question.questionnaire_id)
            .order_by("position", "pk")
        )
        index = next(i for i, item in enumerate(questions) if item.pk == question.pk)
        target = index + offset
        if 0 <= target < len(questions):
            questions[index], questions[target] = questions[target], questions[index]
        for position, item in enumerate(questions, start=1):
            if item.position != position:
                Question.objects.filter(pk=item.pk).update(position=position)


def option_add(*, actor, question, text_ar, text_en=""):
    if not question.has_options or question.kind == Question.Kind.REGION:
        raise ValidationError(_("Only choice and ranking questions take options."), code="kind")
    if not text_ar.strip():
        raise ValidationError(_("Write the option."), code="empty")
    option = Option(
        question=question,
        text=text_ar.strip(),
        text_ar=text_ar.strip(),
        text_en=text_en.strip(),
        position=_next_position(question.options.all()),
    )
    _clean(option)
    option.save()
    return option


def option_delete(*, actor, option):
    """Remove an option nobody chose."""
    if option.question.kind == Question.Kind.REGION:
        raise ValidationError(_("The regions of a region question are fixed."), code="kind")
    if option.choices.exists():
        raise ValidationError(
            _("This option was chosen in answers already: it cannot be removed."), code="answered"
        )
    option.delete()


def questionnaire_publish(*, actor, questionnaire):
    """Publish a questionnaire: its audience can answer from its opening date and is notified.

    Refused without questions, with a choice question lacking options, with a closing date already
    past, or when anonymous and addressed to fewer than three people (they could be recognised)."""
    with transaction.atomic():
        current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if current.status == Questionnaire.Status.OPEN:
            raise ValidationError(_("This questionnaire is already published."), code="published")
        questions = list(current.questions.all().prefetch_related("options"))
        if not questions:
            raise ValidationError(_("Add at least one question before publishing."), code="empty")
        for question in questions:
            if question.has_options and len(question.options.all()) < 2:
                raise ValidationError(
                    _("The question “%(question)s” needs at least two options.")
                    % {"question": question.text},
                    code="options",
                )
        if current.closes_at and current.closes_at <= timezone.now():
            raise ValidationError(_("The closing date has passed: choose a later one first."), code="window")
        if current.space_id and not current.space.is_active:
            raise ValidationError(access.INACTIVE_SPACE, code="inactive")
        if current.is_anonymous and access.questionnaire_audience(current).count() < SMALL_AUDIENCE:
            raise ValidationError(
                _(
                    "An anonymous questionnaire needs an audience of at least three people, or its answers "
                    "could be traced to them."
                ),
                code="small_audience",
            )
        current.status = Questionnaire.Status.OPEN
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at"])
        space = current.space or current.audience_space
        if space is not None:
            notify(
                recipients=access.questionnaire_audience(current),
                space=space,
                kind=Notification.Kind.QUESTIONNAIRE,
                actor=actor,
                title=current.title_ar,
                url=current.get_absolute_url(),
            )
    return current


def questionnaire_close(*, actor, questionnaire):
    """Close a questionnaire now: no more answers (the expression-of-interest one stays open)."""
    if questionnaire.purpose == Questionnaire.Purpose.INTEREST:
        raise ValidationError(
            _("The expression-of-interest questionnaire stays open: edit its questions instead."),
            code="interest",
        )
    with transaction.atomic():
        current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if current.status != Questionnaire.Status.OPEN:
            raise ValidationError(_("Only a published questionnaire can be closed."), code="not_open")
        now = timezone.now()
        current.status = Questionnaire.Status.CLOSED
        current.closes_at = (
            now if (current.closes_at is None or current.closes_at > now) else current.closes_at
        )
        if current.closes_at <= current.opens_at:
            current.opens_at = current.closes_at - timezone.timedelta(seconds=1)
        current.save(update_fields=["status", "closes_at", "opens_at"])
    return current


# --- Answering ----------------------------------------------------------------------------------


def _ensure_open(questionnaire):
    if not access.is_accepting_answers(questionnaire):
        if questionnaire.status == Questionnaire.Status.OPEN and timezone.now() < questionnaire.opens_at:
            raise ValidationError(_("This questionnaire is not open yet."), code="not_yet")
        raise ValidationError(
            _("This questionnaire is closed: answers are no longer accepted."), code="closed"
        )


ROLE_RANK = [Role.RAPPORTEUR, Role.MEMBER, Role.POLITICAL_OFFICER, Role.TECHNICAL_OFFICER]


def _role_of(user, questionnaire):
    space_id = questionnaire.space_id or questionnaire.audience_space_id
    roles = Membership.objects.filter(user=user, state__in=Membership.ENTERING_STATES)
    if space_id:
        roles = roles.filter(space_id=space_id)
    held = set(roles.values_list("role", flat=True))
    return next((role for role in ROLE_RANK if role in held), "")


def _region_of(user, values):
    for question, value in values.items():
        if question.kind == Question.Kind.REGION and value:
            return value.code
    if user.region and user.region != "abroad":
        return user.region
    return user.country_of_residence or ""


def _store_answers(submission, values):
    Answer.objects.filter(submission=submission).delete()
    for question, value in values.items():
        if value in (None, "", [], False):
            continue
        answer = Answer(submission=submission, question=question)
        if question.is_text:
            answer.text = value
            answer.search_text = index_text(value)
        elif question.kind == Question.Kind.SCALE:
            answer.number = int(value)
        elif question.kind == Question.Kind.DECLARATION:
            answer.number = 1
        answer.save()
        if question.kind in (Question.Kind.SINGLE, Question.Kind.REGION):
            AnswerChoice.objects.create(answer=answer, option=value)
        elif question.kind == Question.Kind.MULTIPLE:
            AnswerChoice.objects.bulk_create(AnswerChoice(answer=answer, option=option) for option in value)
        elif question.kind == Question.Kind.RANKING:
            AnswerChoice.objects.bulk_create(
                AnswerChoice(answer=answer, option=option, rank=rank)
                for rank, option in enumerate(value, start=1)
            )


def _validate_values(questionnaire, values, submit):
    """The rules a form also checks, held here too so no caller can store a broken answer."""
    errors = {}
    for question, value in values.items():
        if question.questionnaire_id != questionnaire.pk:
            raise ValidationError(_("This answer does not belong to this questionnaire."), code="foreign")
        empty = value in (None, "", [], False)
        if empty:
            if submit and question.is_required:
                errors[question.pk] = _("This question needs an answer.")
            continue
        if question.is_text and len(value) > text_limit(question.kind):
            errors[question.pk] = _("This answer is too long.")
        elif question.kind in (Question.Kind.SINGLE, Question.Kind.REGION):
            if value.question_id != question.pk:
                errors[question.pk] = _("Choose one of the options offered.")
        elif question.kind in (Question.Kind.MULTIPLE, Question.Kind.RANKING):
            if any(option.question_id != question.pk for option in value) or len(set(value)) != len(value):
                errors[question.pk] = _("Choose among the options offered.")
        elif (
            question.kind == Question.Kind.SCALE
            and not question.scale_min <= int(value) <= question.scale_max
        ):
            errors[question.pk] = _("Choose a point of the scale.")
    if submit:
        for question in questionnaire.questions.all():
            if question.is_required and question not in values:
                errors[question.pk] = _("This question needs an answer.")
    if errors:
        raise ValidationError(errors)


def submission_get_draft(*, user, questionnaire):
    """The user's submission to continue: their draft, or (when changes are allowed) their sent submission."""
    if not user.is_authenticated:
        return None
    submissions = Submission.objects.filter(questionnaire=questionnaire, respondent=user).order_by(
        "is_submitted"
    )
    return submissions.prefetch_related("answers__choices").first()


def submission_sent(*, user, questionnaire):
    return Receipt.objects.filter(questionnaire=questionnaire, user=user).exists()


def submission_save(*, actor, questionnaire, values, submit):
    """Save the actor's answers as a draft, or send them (`submit`).

    `values` maps each Question to its answer (an Option, a list of Options in order, a number, a
    text, True for a declaration). Refused when closed, when already sent (unless the author allows
    changes), or when an answer breaks the questionnaire's rules. Sending an anonymous submission
    clears its link to the respondent; a separate receipt remembers only that they answered.
    """
    with transaction.atomic():
        questionnaire = (
            Questionnaire.objects.select_for_update(of=("self",))
            .select_related("space")
            .get(pk=questionnaire.pk)
        )
        _ensure_open(questionnaire)
        _validate_values(questionnaire, values, submit)
        already_sent = Receipt.objects.filter(questionnaire=questionnaire, user=actor).exists()
        if already_sent and not (questionnaire.allow_changes and not questionnaire.is_anonymous):
            raise ValidationError(_("You have already sent your answers to this questionnaire."), code="sent")
        submission = (
            Submission.objects.filter(questionnaire=questionnaire, respondent=actor)
            .order_by("is_submitted")
            .first()
        )
        if already_sent and not submit:
            raise ValidationError(
                _("Your answers are already sent: send them again to change them."), code="sent"
            )
        if submission is None:
            submission = Submission.objects.create(questionnaire=questionnaire, respondent=actor)
        _store_answers(submission, values)
        submission.updated_at = timezone.now()
        if submit:
            _submit(submission, actor, questionnaire, values, first_time=not already_sent)
        submission.save()
    return submission


def _submit(submission, actor, questionnaire, values, *, first_time):
    now = timezone.now()
    submission.is_submitted = True
    submission.region = _region_of(actor, values)[:16]
    submission.role = _role_of(actor, questionnaire)
    if questionnaire.is_anonymous:
        # No link and no precise time: a time could be matched with the receipt's contribution.
        submission.respondent = None
        submission.submitted_at = now.replace(hour=0, minute=0, second=0, microsecond=0)
        submission.updated_at = submission.submitted_at
    else:
        submission.submitted_at = now
    if first_time and questionnaire.purpose != Questionnaire.Purpose.INTEREST:
        try:
            with transaction.atomic():
                Receipt.objects.create(questionnaire=questionnaire, user=actor)
        except IntegrityError as error:
            raise ValidationError(
                _("You have already sent your answers to this questionnaire."), code="sent"
            ) from error
    if questionnaire.space_id:
        contribution_record(user=actor, space=questionnaire.space, kind=Contribution.Kind.RESPONSE)


def interest_questionnaire():
    """The expression-of-interest questionnaire (created by migration 0011), or None."""
    return Questionnaire.objects.filter(purpose=Questionnaire.Purpose.INTEREST).first()


def interest_submit_answers(*, actor, theme, values):
    """A participant expresses interest in a theme by answering the expression-of-interest
    questionnaire. The declarations must be confirmed; the answers stay linked to the expression
    of interest for the staff's review. Raises ValidationError."""
    by_key = {question.key: value for question, value in values.items() if question.key}
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(purpose=Questionnaire.Purpose.INTEREST)
        _validate_values(questionnaire, values, submit=True)
        submission = Submission.objects.create(questionnaire=questionnaire, respondent=actor)
        _store_answers(submission, values)
        _submit(submission, actor, questionnaire, values, first_time=True)
        submission.save()
        interest = interest_submit(
            actor=actor,
            theme=theme,
            submission=submission,
            **{key: by_key.get(key) or "" for key in INTEREST_TEXT_KEYS},
            **{key: bool(by_key.get(key)) for key in DECLARATION_KEYS},
        )
    return interest


# --- Sorting answers ----------------------------------------------------------------------------


def answer_theme_tag(*, actor, questionnaire, answer_ids, name):
    """Put the chosen free-text answers of `questionnaire` under a theme (created if new)."""
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError(_("Name the theme."), code="empty")
    answers = list(
        Answer.objects.filter(
            pk__in=answer_ids,
            submission__questionnaire=questionnaire,
            submission__is_submitted=True,
            question__kind__in=Question.TEXT_KINDS,
        )
    )
    if not answers:
        raise ValidationError(_("Choose at least one answer."), code="none")
    with transaction.atomic():
        theme, _created = AnswerTheme.objects.get_or_create(questionnaire=questionnaire, name=name)
        theme.answers.add(*answers)
    return theme


def answer_theme_untag(*, actor, theme, answer_ids):
    theme.answers.remove(
        *Answer.objects.filter(pk__in=answer_ids, submission__questionnaire=theme.questionnaire_id)
    )


def questionnaire_citation(questionnaire, question=None):
    """A stable citation of a questionnaire's results (for a draft or a concern): text and URL."""
    return analysis.citation(questionnaire, question)


def answer_theme_to_concern(*, actor, theme):
    """Turn an answer theme into a concern of the questionnaire's space, citing the results.

    Only a space's questionnaire has a space to put the concern in. A theme becomes one concern."""
    questionnaire = theme.questionnaire
    if questionnaire.space_id is None:
        raise ValidationError(
            _("Only a space's questionnaire can feed the space's concerns."), code="no_space"
        )
    with transaction.atomic():
        theme = AnswerTheme.objects.select_for_update().get(pk=theme.pk)
        if theme.concern_id:
            raise ValidationError(_("This theme is already a concern."), code="done")
        count = theme.answers.count()
        citation = questionnaire_citation(questionnaire)
        description = _(
            "%(count)s answers to the questionnaire “%(title)s” raise this theme.\n\nSource: %(citation)s"
        ) % {
            "count": count
            if not questionnaire.is_anonymous or count >= SMALL_AUDIENCE
            else f"<{SMALL_AUDIENCE}",
            "title": questionnaire.title_ar,
            "citation": citation["text"],
        }
        concern = concern_propose(
            actor=actor,
            space=questionnaire.space,
            title=theme.name,
            description=description,
            tags=[_("questionnaire")],
        )
        AnswerTheme.objects.filter(pk=theme.pk).update(concern=concern)
        theme.concern = concern
    return theme
