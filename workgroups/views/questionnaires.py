"""Questionnaire pages: the lists, the builder, answering, the author's analysis and exports."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit
from cssr import exports
from cssr.forms import add_errors, flash_errors
from cssr.params import int_param, parse_id
from workgroups import access, services
from workgroups.forms.questionnaires import (
    OptionForm,
    QuestionForm,
    QuestionnaireSettingsForm,
    SubmissionForm,
    ThemeTagForm,
)
from workgroups.models import Questionnaire
from workgroups.selectors import questionnaires as selectors
from workgroups.services.questionnaires import DECLARATION_KEYS, submission_get_draft


@require_GET
def questionnaire_list(request):
    """The questionnaires addressed to me (open ones first), and those I build."""
    user = request.user
    addressed = selectors.questionnaire_addressed_list(user=user)
    now = timezone.now()
    open_now = [q for q in addressed if access.is_accepting_answers(q)]
    past = [q for q in addressed if q not in open_now and q.opens_at <= now][:20]
    managed = selectors.questionnaire_managed_list(user=user)
    return render(
        request,
        "workgroups/questionnaire_list.html",
        {
            "open_now": open_now,
            "past": past,
            "managed": managed,
            "may_create": access.is_operations(user),
        },
    )


@require_GET
def space_questionnaire_list(request, space_id):
    """A space's questionnaires: those addressed to me, and all of them for the rapporteurs."""
    space = access.access_space(request.user, space_id)
    may_analyse = access.can_analyse_questionnaire(request.user, space=space)
    questionnaires = selectors.questionnaire_list_for_space(
        space=space, user=request.user, as_manager=may_analyse
    )
    return render(
        request,
        "workgroups/questionnaire_space_list.html",
        {
            "space": space,
            "questionnaires": questionnaires,
            "may_manage": access.can_manage_questionnaire(request.user, space=space),
            "may_analyse": may_analyse,
        },
    )


def _create(request, space):
    form = QuestionnaireSettingsForm(
        request.POST or None,
        space=space,
        initial={"opens_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = services.questionnaire_create(
                actor=request.user, space=space, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The questionnaire is created. Add its questions, then publish it."))
            return redirect("workgroups:questionnaire-build", questionnaire.pk)
    return render(request, "workgroups/questionnaire_form.html", {"form": form, "space": space})


@require_http_methods(["GET", "POST"])
def questionnaire_create(request):
    """Staff create a platform-wide questionnaire."""
    access.check_create_questionnaire(request.user)
    return _create(request, None)


@require_http_methods(["GET", "POST"])
def space_questionnaire_create(request, space_id):
    """A space's rapporteurs create a questionnaire for the space."""
    space = access.access_space(request.user, space_id)
    access.check_create_questionnaire(request.user, space)
    return _create(request, space)


def _settings_initial(questionnaire):
    return {
        "title_ar": questionnaire.title_ar,
        "title_en": questionnaire.title_en,
        "intro_ar": questionnaire.intro_ar,
        "intro_en": questionnaire.intro_en,
        "audience": questionnaire.audience,
        "audience_space": questionnaire.audience_space_id,
        "audience_role": questionnaire.audience_role,
        "is_anonymous": questionnaire.is_anonymous,
        "allow_changes": questionnaire.allow_changes,
        "opens_at": timezone.localtime(questionnaire.opens_at),
        "closes_at": timezone.localtime(questionnaire.closes_at) if questionnaire.closes_at else None,
    }


def _build_action(request, questionnaire, action):
    """Run one builder action; returns the error form to show again, or None."""
    post, user = request.POST, request.user
    question = option = None
    question_id, option_id = int_param(post, "question"), int_param(post, "option")
    if question_id is not None:
        question = selectors.question_get(questionnaire=questionnaire, question_id=question_id)
        if question is None:
            raise Http404
    if option_id is not None:
        option = selectors.option_get(questionnaire=questionnaire, option_id=option_id)
        if option is None:
            raise Http404
    if action == "settings":
        form = QuestionnaireSettingsForm(post, space=questionnaire.space)
        if not form.is_valid():
            return form
        services.questionnaire_update(actor=user, questionnaire=questionnaire, **form.cleaned_data)
        messages.success(request, _("The settings are saved."))
    elif action in ("add_question", "edit_question"):
        form = QuestionForm(post, declaration=question is not None and question.key in DECLARATION_KEYS)
        if not form.is_valid():
            return form
        data = form.cleaned_data
        fields = {
            name: data[name] for name in ("text_ar", "text_en", "help_text_ar", "help_text_en", "is_required")
        }
        scale = {
            "scale_min": data["scale_min"] if data["scale_min"] is not None else 1,
            "scale_max": data["scale_max"] if data["scale_max"] is not None else 5,
        }
        if action == "add_question":
            services.question_add(
                actor=user,
                questionnaire=questionnaire,
                kind=data["kind"],
                options=form.option_pairs(),
                **fields,
                **scale,
            )
            messages.success(request, _("The question is added."))
        else:
            if question is None:
                raise Http404
            services.question_update(actor=user, question=question, kind=data["kind"], **fields, **scale)
            messages.success(request, _("The question is saved."))
    elif action == "delete_question" and question is not None:
        services.question_delete(actor=user, question=question)
        messages.success(request, _("The question is removed."))
    elif action in ("up", "down") and question is not None:
        services.question_move(actor=user, question=question, offset=-1 if action == "up" else 1)
    elif action == "add_option" and question is not None:
        form = OptionForm(post)
        if not form.is_valid():
            return form
        services.option_add(actor=user, question=question, **form.cleaned_data)
        messages.success(request, _("The option is added."))
    elif action == "delete_option" and option is not None:
        services.option_delete(actor=user, option=option)
        messages.success(request, _("The option is removed."))
    elif action == "publish":
        services.questionnaire_publish(actor=user, questionnaire=questionnaire)
        messages.success(request, _("The questionnaire is published."))
    elif action == "close":
        services.questionnaire_close(actor=user, questionnaire=questionnaire)
        messages.success(request, _("The questionnaire is closed."))
    else:
        messages.error(request, _("Unknown action."))
    return None


@require_http_methods(["GET", "POST"])
def questionnaire_build(request, pk):
    """The builder: settings, questions and options, publish and close (authors only)."""
    questionnaire = access.access_questionnaire(request.user, pk, access.QuestionnaireAction.MANAGE)
    error_form = None
    if request.method == "POST":
        if questionnaire.space_id:
            access.check(request.user, access.Action.MANAGE_OUTPUTS, questionnaire.space)
        try:
            error_form = _build_action(request, questionnaire, request.POST.get("action", ""))
        except ValidationError as error:
            flash_errors(request, error)
        if error_form is None:
            return redirect("workgroups:questionnaire-build", questionnaire.pk)
        messages.error(request, _("Correct the fields marked below."))
    questions = list(selectors.question_list(questionnaire=questionnaire))
    answered = selectors.answered_question_ids(questionnaire=questionnaire)
    return render(
        request,
        "workgroups/questionnaire_build.html",
        {
            "questionnaire": questionnaire,
            "space": questionnaire.space,
            "questions": questions,
            "answered": answered,
            "declaration_keys": DECLARATION_KEYS,
            "settings_form": error_form
            if isinstance(error_form, QuestionnaireSettingsForm)
            else QuestionnaireSettingsForm(
                initial=_settings_initial(questionnaire), space=questionnaire.space
            ),
            "question_form": error_form if isinstance(error_form, QuestionForm) else QuestionForm(),
            "option_form": OptionForm(),
            "response_count": selectors.submission_count(questionnaire=questionnaire),
            "audience_count": selectors.audience_count(questionnaire=questionnaire),
        },
    )


@require_http_methods(["GET", "POST"])
def questionnaire_respond(request, pk):
    """Answer a questionnaire: save a draft, send once (or again, if the author allows changes)."""
    questionnaire = access.access_questionnaire(request.user, pk, access.QuestionnaireAction.RESPOND)
    if questionnaire.purpose == Questionnaire.Purpose.INTEREST:
        return redirect("workgroups:interest-list")
    questions = selectors.question_list(questionnaire=questionnaire)
    submission = submission_get_draft(user=request.user, questionnaire=questionnaire)
    sent = selectors.receipt_exists(questionnaire=questionnaire, user=request.user)
    may_change = questionnaire.allow_changes and not questionnaire.is_anonymous
    submit = request.POST.get("action") != "draft"
    form = SubmissionForm(request.POST or None, questions=questions, submit=submit, submission=submission)
    if request.method == "POST":
        if questionnaire.space_id:
            access.require_active(questionnaire.space)
        if not access.is_questionnaire_audience(request.user, questionnaire):
            raise PermissionDenied(_("This questionnaire is not addressed to you: you can preview it only."))
        if form.is_valid():
            try:
                services.submission_save(
                    actor=request.user, questionnaire=questionnaire, values=form.values(), submit=submit
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    by_pk = {question.pk: question for question in form.questions}
                    for key, errors in error.message_dict.items():
                        question = by_pk.get(key)
                        for message in errors:
                            form.add_error(None, f"{question.text}: {message}" if question else message)
                else:
                    add_errors(form, error)
            else:
                if submit:
                    messages.success(request, _("Thank you: your answers are sent."))
                    return redirect("workgroups:questionnaire-list")
                messages.success(
                    request, _("Your draft is saved. You can come back to it until the questionnaire closes.")
                )
                return redirect("workgroups:questionnaire-respond", questionnaire.pk)
    return render(
        request,
        "workgroups/questionnaire_respond.html",
        {
            "questionnaire": questionnaire,
            "space": questionnaire.space,
            "form": form,
            "sent": sent,
            "may_change": may_change,
            "is_addressed": access.is_questionnaire_audience(request.user, questionnaire),
            "may_manage": access.can_manage_questionnaire(request.user, questionnaire),
            "may_analyse": access.can_analyse_questionnaire(request.user, questionnaire),
            "accepting": access.is_accepting_answers(questionnaire),
            "has_draft": submission is not None and not submission.is_submitted,
        },
    )


@require_GET
def questionnaire_results(request, pk):
    """The author's analysis: counts and shares as bars, a breakdown, the free-text answers and themes."""
    questionnaire = access.access_questionnaire(request.user, pk, access.QuestionnaireAction.ANALYSE)
    results = selectors.questionnaire_results(questionnaire=questionnaire, by=request.GET.get("by", ""))
    text_questions = [s["question"] for s in results["sections"] if s["question"].is_text]
    chosen = request.GET.get("text", "")
    text_question = next((q for q in text_questions if str(q.pk) == chosen), None)
    themes = selectors.theme_list(questionnaire=questionnaire)
    theme = next((t for t in themes if str(t.pk) == request.GET.get("theme", "")), None)
    query = request.GET.get("q", "")[:200]
    page = selectors.text_answers(
        questionnaire=questionnaire,
        question=text_question,
        query=query,
        theme=theme,
        page=request.GET.get("page", 1),
    )
    return render(
        request,
        "workgroups/questionnaire_results.html",
        {
            "questionnaire": questionnaire,
            "space": questionnaire.space,
            "results": results,
            "text_questions": text_questions,
            "text_question": text_question,
            "texts_withheld": selectors.text_answers_withheld(
                questionnaire=questionnaire, question=text_question
            ),
            "texts_minimum": settings.CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS,
            "themes": themes,
            "theme": theme,
            "query": query,
            "page": page,
            "citation": selectors.citation(questionnaire),
            "tag_form": ThemeTagForm(),
        },
    )


@require_POST
def questionnaire_themes(request, pk):
    """Sort free-text answers into themes, or turn a theme into a concern of the space."""
    questionnaire = access.access_questionnaire(request.user, pk, access.QuestionnaireAction.MANAGE)
    action = request.POST.get("action", "")
    try:
        if action == "concern":
            if questionnaire.space_id:
                access.check(request.user, access.Action.CONTRIBUTE, questionnaire.space)
            theme = selectors.theme_get(
                questionnaire=questionnaire, theme_id=int_param(request.POST, "theme") or 0
            )
            if theme is None:
                raise Http404
            theme = services.answer_theme_to_concern(actor=request.user, theme=theme)
            messages.success(request, _("The theme is now a concern of the space."))
            return redirect("workgroups:concern-detail", questionnaire.space_id, theme.concern_id)
        answer_ids = [
            number for number in map(parse_id, request.POST.getlist("answers")) if number is not None
        ]
        form = ThemeTagForm(request.POST, answer_ids=answer_ids)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        elif action == "untag":
            theme = selectors.theme_get_by_name(questionnaire=questionnaire, name=form.cleaned_data["name"])
            if theme is not None:
                services.answer_theme_untag(
                    actor=request.user, theme=theme, answer_ids=form.cleaned_data["answers"]
                )
                messages.success(request, _("The answers are taken out of the theme."))
        else:
            services.answer_theme_tag(
                actor=request.user,
                questionnaire=questionnaire,
                answer_ids=form.cleaned_data["answers"],
                name=form.cleaned_data["name"],
            )
            messages.success(request, _("The answers are sorted into the theme."))
    except ValidationError as error:
        flash_errors(request, error)
    results_url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    back = request.POST.get("next", "")
    return redirect(back if back.startswith(results_url + "?") else results_url)


def _export(request, pk, kind):
    questionnaire = access.access_questionnaire(request.user, pk, access.QuestionnaireAction.ANALYSE)
    header, rows = selectors.export_rows(questionnaire=questionnaire)
    name = f"questionnaire-{questionnaire.pk}-{timezone.localdate():%Y%m%d}"
    if kind == "csv":
        response = exports.csv_response(name=name, header=header, rows=rows)
    else:
        response = exports.xlsx_response(name=name, header=header, rows=rows, sheet_title=_("Responses"))
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        target=questionnaire,
        space=questionnaire.space_id,
        request=request,
        export="questionnaire results",
        format=kind,
    )
    return response


@require_GET
def questionnaire_export_csv(request, pk):
    """The responses as CSV (no names when anonymous; spreadsheet formulas neutralised)."""
    return _export(request, pk, "csv")


@require_GET
def questionnaire_export_xlsx(request, pk):
    """The responses as an Excel workbook (no names when anonymous)."""
    return _export(request, pk, "xlsx")
