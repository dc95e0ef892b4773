"""Questionnaires and needs data: building, answering, anonymity, analysis, exports, the EOI."""

import csv
import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests import factories
from workgroups import access, services
from workgroups.models import (
    Answer,
    AnswerChoice,
    Concern,
    Contribution,
    ExpressionOfInterest,
    Notification,
    Option,
    Question,
    Questionnaire,
    Receipt,
    Role,
    Submission,
)
from workgroups.selectors import questionnaires as analysis

pytestmark = pytest.mark.django_db

Q = Question.Kind


@contextmanager
def refused(code):
    """The block raises ValidationError with this code (messages are in the user's language)."""
    with pytest.raises(ValidationError) as caught:
        yield
    assert caught.value.code == code, caught.value


def _build(world, *, anonymous=False, allow_changes=False, space=True, publish=True, **fields):
    """A questionnaire of the space (by its rapporteur) with a single choice, a multiple choice, a
    scale, a region, a ranking, a short and a long text question."""
    author = world["users"]["rapporteur"] if space else world["users"]["staff"]
    questionnaire = services.questionnaire_create(
        actor=author,
        space=world["space"] if space else None,
        title_ar="احتياجات المجتمع المحلي",
        title_en="Local needs",
        audience=Questionnaire.Audience.ALL,
        is_anonymous=anonymous,
        allow_changes=allow_changes,
        **fields,
    )
    add = lambda **kw: services.question_add(actor=author, questionnaire=questionnaire, **kw)  # noqa: E731
    add(
        text_ar="ما أولويتك الأولى؟",
        kind=Q.SINGLE,
        options=[("التعليم", "Education"), ("الصحة", "Health"), ("السكن", "Housing")],
    )
    add(
        text_ar="ما الخدمات الناقصة؟",
        kind=Q.MULTIPLE,
        is_required=False,
        options=[("الكهرباء", "Power"), ("المياه", "Water"), ("النقل", "Transport")],
    )
    add(text_ar="ما مدى رضاك؟", kind=Q.SCALE, scale_min=1, scale_max=5)
    add(text_ar="أين تقيم؟", kind=Q.REGION, is_required=False)
    add(
        text_ar="رتّب الأولويات",
        kind=Q.RANKING,
        is_required=False,
        options=[("أ", "A"), ("ب", "B"), ("ج", "C")],
    )
    add(text_ar="اسم مبادرتك", kind=Q.SHORT_TEXT, is_required=False)
    add(text_ar="ما الذي تحتاجه منطقتك؟", kind=Q.LONG_TEXT, is_required=False)
    if publish:
        services.questionnaire_publish(actor=author, questionnaire=questionnaire)
    return Questionnaire.objects.get(pk=questionnaire.pk)


def _questions(questionnaire):
    return {question.kind: question for question in questionnaire.questions.prefetch_related("options")}


def _post_data(
    questionnaire, *, single=0, multiple=(0,), scale=4, region="homs", text="نحتاج إلى مدارس", action="submit"
):
    q = _questions(questionnaire)
    data = {"action": action}
    data[f"q{q[Q.SINGLE].pk}"] = list(q[Q.SINGLE].options.all())[single].pk
    data[f"q{q[Q.MULTIPLE].pk}"] = [list(q[Q.MULTIPLE].options.all())[i].pk for i in multiple]
    data[f"q{q[Q.SCALE].pk}"] = scale
    if region:
        data[f"q{q[Q.REGION].pk}"] = q[Q.REGION].options.get(code=region).pk
    for rank, option in enumerate(q[Q.RANKING].options.all(), start=1):
        data[f"q{q[Q.RANKING].pk}_r{option.pk}"] = rank
    data[f"q{q[Q.LONG_TEXT].pk}"] = text
    return data


def _respond_url(questionnaire):
    return reverse("workgroups:questionnaire-respond", args=[questionnaire.pk])


def _values(questionnaire, *, single=0, region="homs", text="نحتاج إلى مدارس", scale=4):
    q = _questions(questionnaire)
    return {
        q[Q.SINGLE]: list(q[Q.SINGLE].options.all())[single],
        q[Q.SCALE]: scale,
        q[Q.REGION]: q[Q.REGION].options.get(code=region) if region else None,
        q[Q.LONG_TEXT]: text,
    }


def _answer(questionnaire, user, **kwargs):
    return services.submission_save(
        actor=user, questionnaire=questionnaire, values=_values(questionnaire, **kwargs), submit=True
    )


# --- Building -----------------------------------------------------------------------------------


def test_rapporteur_builds_and_publishes_in_the_builder(world, clients, django_capture_on_commit_callbacks):
    client, space = clients["rapporteur"], world["space"]
    response = client.post(
        reverse("workgroups:space-questionnaire-create", args=[space.pk]),
        {
            "title_ar": "استبيان الأولويات",
            "title_en": "Priorities",
            "audience": "all",
            "opens_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    questionnaire = Questionnaire.objects.get(title_ar="استبيان الأولويات")
    build = reverse("workgroups:questionnaire-build", args=[questionnaire.pk])
    assert response.status_code == 302 and response["Location"] == build
    client.post(
        build,
        {
            "action": "add_question",
            "text_ar": "ما الأولوية؟",
            "kind": "single",
            "is_required": "on",
            "options": "التعليم | Education\nالصحة | Health",
        },
    )
    client.post(build, {"action": "add_question", "text_ar": "ملاحظاتك", "kind": "long_text"})
    first, second = questionnaire.questions.all()
    assert [o.text_en for o in first.options.all()] == ["Education", "Health"]
    client.post(
        build, {"action": "add_option", "question": first.pk, "text_ar": "السكن", "text_en": "Housing"}
    )
    assert first.options.count() == 3
    client.post(build, {"action": "up", "question": second.pk})
    assert list(questionnaire.questions.values_list("pk", flat=True)) == [second.pk, first.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(build, {"action": "publish"})
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.OPEN
    # The audience is told (not the author); the notification links to the form.
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.QUESTIONNAIRE).values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"member", "tech", "political"}
    assert client.get(build).status_code == 200


def test_region_question_offers_the_governorates_and_the_diaspora_bilingually(world):
    questionnaire = _build(world, publish=False)
    region = _questions(questionnaire)[Q.REGION]
    codes = list(region.options.values_list("code", flat=True))
    assert len(codes) == 14 + 13 and "deir_ez_zor" in codes and "TR" in codes and "abroad" not in codes
    homs = region.options.get(code="homs")
    turkiye = region.options.get(code="TR")
    assert homs.text_ar == "حمص" and homs.text_en == "Homs"
    assert turkiye.text_en == "Türkiye" and turkiye.text_ar


def test_publishing_without_questions_or_options_is_refused(world):
    rapporteur = world["users"]["rapporteur"]
    empty = services.questionnaire_create(
        actor=rapporteur, space=world["space"], title_ar="فارغ", audience="all"
    )
    with refused("empty"):
        services.questionnaire_publish(actor=rapporteur, questionnaire=empty)
    services.question_add(
        actor=rapporteur, questionnaire=empty, text_ar="سؤال", kind=Q.SINGLE, options=[("وحيد", "")]
    )
    with refused("options"):
        services.questionnaire_publish(actor=rapporteur, questionnaire=empty)
    assert Questionnaire.objects.get(pk=empty.pk).status == Questionnaire.Status.DRAFT


def test_anonymous_questionnaire_with_an_audience_under_three_is_refused_when_publishing(world, clients):
    staff = world["users"]["staff"]
    # Addressed to the space's political officers: one person.
    questionnaire = services.questionnaire_create(
        actor=staff,
        title_ar="سري",
        audience=Questionnaire.Audience.ROLE,
        audience_space=world["space"],
        audience_role=Role.POLITICAL_OFFICER,
        is_anonymous=True,
    )
    services.question_add(actor=staff, questionnaire=questionnaire, text_ar="رأيك", kind=Q.LONG_TEXT)
    build = reverse("workgroups:questionnaire-build", args=[questionnaire.pk])
    response = clients["staff"].post(build, {"action": "publish"}, follow=True)
    assert "at least three people" in response.content.decode() or "ثلاثة أشخاص" in response.content.decode()
    assert Questionnaire.objects.get(pk=questionnaire.pk).status == Questionnaire.Status.DRAFT


def test_anonymous_questionnaire_cannot_allow_changes(world):
    with refused("anonymous_changes"):
        services.questionnaire_create(
            actor=world["users"]["rapporteur"],
            space=world["space"],
            title_ar="س",
            audience="all",
            is_anonymous=True,
            allow_changes=True,
        )
    assert not Questionnaire.objects.filter(title_ar="س").exists()


def test_closing_before_opening_is_refused(world):
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.questionnaire_create(
            actor=world["users"]["rapporteur"],
            space=world["space"],
            title_ar="نافذة",
            audience="all",
            opens_at=now,
            closes_at=now - timedelta(days=1),
        )


def test_anonymity_cannot_be_toggled_after_publishing(world, clients):
    questionnaire = _build(world)
    build = reverse("workgroups:questionnaire-build", args=[questionnaire.pk])
    data = {
        "action": "settings",
        "title_ar": "احتياجات المجتمع المحلي",
        "audience": "all",
        "is_anonymous": "on",
        "opens_at": timezone.localtime(questionnaire.opens_at).strftime("%Y-%m-%dT%H:%M"),
    }
    page = clients["rapporteur"].post(build, data, follow=True).content.decode()
    assert "إخفاء الهوية" in page
    assert not Questionnaire.objects.get(pk=questionnaire.pk).is_anonymous


def test_removing_an_option_in_use_is_refused_with_a_reason(world, clients):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"], single=1)
    used = list(_questions(questionnaire)[Q.SINGLE].options.all())[1]
    build = reverse("workgroups:questionnaire-build", args=[questionnaire.pk])
    page = clients["rapporteur"].post(build, {"action": "delete_option", "option": used.pk}, follow=True)
    assert "اختير هذا الخيار" in page.content.decode()
    assert Option.objects.filter(pk=used.pk).exists()
    unused = list(_questions(questionnaire)[Q.SINGLE].options.all())[2]
    clients["rapporteur"].post(build, {"action": "delete_option", "option": unused.pk})
    assert not Option.objects.filter(pk=unused.pk).exists()


def test_changing_the_type_of_an_answered_question_is_refused(world):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"])
    single = _questions(questionnaire)[Q.SINGLE]
    with refused("answered"):
        services.question_update(
            actor=world["users"]["rapporteur"], question=single, text_ar=single.text_ar, kind=Q.MULTIPLE
        )
    assert Question.objects.get(pk=single.pk).kind == Q.SINGLE


def test_removing_an_answered_question_or_narrowing_its_scale_is_refused(world):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"], scale=5)
    q = _questions(questionnaire)
    with refused("answered"):
        services.question_delete(actor=world["users"]["rapporteur"], question=q[Q.SCALE])
    with refused("answered"):
        services.question_update(
            actor=world["users"]["rapporteur"], question=q[Q.SCALE], text_ar="مقياس", scale_min=1, scale_max=4
        )
    assert Question.objects.get(pk=q[Q.SCALE].pk).scale_max == 5


# --- Answering ----------------------------------------------------------------------------------


def test_member_saves_a_draft_then_submits_once(world, clients):
    questionnaire = _build(world)
    client, url = clients["member"], _respond_url(questionnaire)
    assert client.post(url, _post_data(questionnaire, action="draft")).status_code == 302
    draft = Submission.objects.get(questionnaire=questionnaire)
    assert not draft.is_submitted and draft.respondent == world["users"]["member"]
    page = client.get(url)
    assert page.context["has_draft"] and "نحتاج إلى مدارس" in page.content.decode()
    assert client.post(url, _post_data(questionnaire)).status_code == 302
    response = Submission.objects.get(questionnaire=questionnaire)
    assert response.is_submitted and response.region == "homs" and response.role == Role.MEMBER
    assert Receipt.objects.filter(questionnaire=questionnaire, user=world["users"]["member"]).exists()
    ranking = _questions(questionnaire)[Q.RANKING]
    assert list(
        AnswerChoice.objects.filter(option__question=ranking)
        .order_by("rank")
        .values_list("option__text", flat=True)
    ) == ["أ", "ب", "ج"]


def test_second_submission_is_refused_and_changes_nothing(world, clients):
    questionnaire = _build(world)
    client, url = clients["member"], _respond_url(questionnaire)
    client.post(url, _post_data(questionnaire))
    before = list(Answer.objects.values_list("pk", "text"))
    page = client.post(url, _post_data(questionnaire, text="نص آخر"))
    assert page.status_code == 200
    assert "لقد أرسلت إجاباتك" in page.content.decode()
    assert list(Answer.objects.values_list("pk", "text")) == before
    with pytest.raises(ValidationError):
        _answer(Questionnaire.objects.get(pk=questionnaire.pk), world["users"]["member"])


def test_answer_may_be_changed_while_open_when_the_author_allows(world, clients):
    questionnaire = _build(world, allow_changes=True)
    client, url = clients["member"], _respond_url(questionnaire)
    client.post(url, _post_data(questionnaire, single=0))
    assert client.post(url, _post_data(questionnaire, single=2, text="تغيّر رأيي")).status_code == 302
    response = Submission.objects.get(questionnaire=questionnaire)
    assert response.answers.get(question__kind=Q.LONG_TEXT).text == "تغيّر رأيي"
    assert Submission.objects.filter(questionnaire=questionnaire).count() == 1


def test_answer_outside_the_options_is_refused(world, clients):
    questionnaire = _build(world)
    foreign = _questions(_build(world))[Q.SINGLE].options.first()
    data = _post_data(questionnaire)
    data[f"q{_questions(questionnaire)[Q.SINGLE].pk}"] = foreign.pk
    page = clients["member"].post(_respond_url(questionnaire), data)
    assert page.status_code == 200 and page.context["form"].errors
    assert not Submission.objects.filter(questionnaire=questionnaire).exists()
    # The service refuses it too, whoever calls it.
    values = _values(questionnaire)
    values[_questions(questionnaire)[Q.SINGLE]] = foreign
    with pytest.raises(ValidationError):
        services.submission_save(
            actor=world["users"]["member"], questionnaire=questionnaire, values=values, submit=True
        )
    assert not Submission.objects.filter(questionnaire=questionnaire).exists()


def test_scale_value_outside_the_scale_is_refused(world, clients):
    questionnaire = _build(world)
    page = clients["member"].post(_respond_url(questionnaire), _post_data(questionnaire, scale=9))
    assert page.status_code == 200 and page.context["form"].errors
    assert not Submission.objects.exists()


def test_missing_required_answer_is_refused_on_submit_but_a_draft_may_be_partial(world, clients):
    questionnaire = _build(world)
    data = _post_data(questionnaire)
    del data[f"q{_questions(questionnaire)[Q.SINGLE].pk}"]
    page = clients["member"].post(_respond_url(questionnaire), data)
    assert page.status_code == 200 and page.context["form"].errors
    assert not Submission.objects.exists()
    assert clients["member"].post(_respond_url(questionnaire), {**data, "action": "draft"}).status_code == 302
    assert not Submission.objects.get().is_submitted


def test_ranking_with_repeated_ranks_is_refused(world, clients):
    questionnaire = _build(world)
    data = _post_data(questionnaire)
    ranking = _questions(questionnaire)[Q.RANKING]
    for option in ranking.options.all():
        data[f"q{ranking.pk}_r{option.pk}"] = 1
    page = clients["member"].post(_respond_url(questionnaire), data)
    assert page.status_code == 200 and page.context["form"].non_field_errors()
    assert not Submission.objects.exists()


def test_oversized_text_is_refused(world, clients, settings):
    questionnaire = _build(world)
    settings.CSSR_QUESTIONNAIRE_LONG_TEXT_LIMIT = 100
    page = clients["member"].post(_respond_url(questionnaire), _post_data(questionnaire, text="ن" * 101))
    assert page.status_code == 200 and page.context["form"].errors
    assert not Submission.objects.exists()
    with pytest.raises(ValidationError):
        _answer(questionnaire, world["users"]["member"], text="ن" * 101)
    assert not Submission.objects.exists()


def test_response_after_closing_is_refused(world, clients):
    questionnaire = _build(world)
    clients["rapporteur"].post(
        reverse("workgroups:questionnaire-build", args=[questionnaire.pk]), {"action": "close"}
    )
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.CLOSED
    page = clients["member"].post(_respond_url(questionnaire), _post_data(questionnaire))
    assert page.status_code == 200
    assert "لا يستقبل هذا الاستبيان إجابات" in page.content.decode()
    assert not Submission.objects.exists()
    with refused("closed"):
        _answer(questionnaire, world["users"]["member"])


def test_response_after_the_closing_date_is_refused(world):
    questionnaire = _build(world)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1), opens_at=timezone.now() - timedelta(days=2)
    )
    with refused("closed"):
        _answer(Questionnaire.objects.get(pk=questionnaire.pk), world["users"]["member"])
    assert not Submission.objects.exists()


def test_response_records_a_contribution_in_the_space(world):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"])
    assert (
        Contribution.objects.filter(
            user=world["users"]["member"], space=world["space"], kind=Contribution.Kind.RESPONSE
        ).count()
        == 1
    )


def test_platform_questionnaire_records_no_contribution(world):
    questionnaire = _build(world, space=False)
    _answer(questionnaire, world["users"]["outsider"])
    assert not Contribution.objects.filter(kind=Contribution.Kind.RESPONSE).exists()
    assert Submission.objects.get().role == ""


def test_list_shows_questionnaires_open_to_me_only(world, clients):
    questionnaire = _build(world)

    def listed(role):
        page = clients[role].get(reverse("workgroups:questionnaire-list"))
        return [q.pk for q in page.context["open_now"]]

    assert listed("member") == [questionnaire.pk]
    assert listed("outsider") == [] and listed("other_member") == [] and listed("locked_member") == []


def test_role_audience_reaches_only_that_role(world, clients):
    staff = world["users"]["staff"]
    questionnaire = services.questionnaire_create(
        actor=staff, title_ar="للمقررين", audience=Questionnaire.Audience.ROLE, audience_role=Role.RAPPORTEUR
    )
    services.question_add(
        actor=staff, questionnaire=questionnaire, text_ar="ما الدعم المطلوب؟", kind=Q.LONG_TEXT
    )
    services.questionnaire_publish(actor=staff, questionnaire=questionnaire)
    url = _respond_url(questionnaire)
    assert clients["rapporteur"].get(url).status_code == 200
    assert clients["member"].get(url).status_code == 404
    assert clients["outsider"].get(url).status_code == 404


# --- Anonymity ----------------------------------------------------------------------------------


def test_anonymous_response_holds_no_link_to_its_respondent(world):
    questionnaire = _build(world, anonymous=True)
    member = world["users"]["member"]
    services.submission_save(
        actor=member, questionnaire=questionnaire, values=_values(questionnaire), submit=False
    )
    assert Submission.objects.get().respondent == member  # a draft is the member's own, to come back to
    _answer(questionnaire, member)
    response = Submission.objects.get()
    assert response.respondent is None and response.is_submitted
    assert response.submitted_at == response.submitted_at.replace(hour=0, minute=0, second=0, microsecond=0)
    assert [f.name for f in Receipt._meta.get_fields() if f.is_relation] == ["questionnaire", "user"]
    with pytest.raises(ValidationError):
        _answer(Questionnaire.objects.get(pk=questionnaire.pk), member)
    assert Submission.objects.count() == 1


def _anonymous_with_answers(world):
    questionnaire = _build(world, anonymous=True)
    users = world["users"]
    _answer(questionnaire, users["member"], text="صوت العضو السري")
    _answer(questionnaire, users["political_officer"], single=1)
    _answer(questionnaire, users["technical_officer"], single=1)
    return questionnaire


def test_author_cannot_reach_an_anonymous_respondent_through_pages(world, clients, settings):
    settings.CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS = 1  # the one free-text answer is shown: its author is not
    questionnaire = _anonymous_with_answers(world)
    page = (
        clients["rapporteur"]
        .get(reverse("workgroups:questionnaire-results", args=[questionnaire.pk]))
        .content.decode()
    )
    assert "صوت العضو السري" in page
    for name in ("عمر الخطيب", "نادية", "طارق"):
        assert name not in page.split('id="main"', 1)[1]


def test_author_cannot_reach_an_anonymous_respondent_through_exports(world, clients):
    questionnaire = _anonymous_with_answers(world)
    content = (
        clients["rapporteur"]
        .get(reverse("workgroups:questionnaire-export-csv", args=[questionnaire.pk]))
        .content
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 4 and "المجيب" not in rows[0] and "Respondent" not in rows[0]
    assert not any(name in cell for row in rows for cell in row for name in ("عمر الخطيب", "member", "نادية"))
    from openpyxl import load_workbook

    content = (
        clients["rapporteur"]
        .get(reverse("workgroups:questionnaire-export-xlsx", args=[questionnaire.pk]))
        .content
    )
    sheet = load_workbook(io.BytesIO(content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 4
    assert not any(
        name in str(cell) for row in values for cell in row for name in ("عمر الخطيب", "member", "نادية")
    )


def test_admin_hides_the_respondent_of_anonymous_responses(world, clients):
    questionnaire = _build(world, anonymous=True)
    member = world["users"]["member"]
    services.submission_save(
        actor=member, questionnaire=questionnaire, values=_values(questionnaire), submit=False
    )
    draft = Submission.objects.get()
    client = clients["staff"]
    changelist = client.get(reverse("admin:workgroups_submission_changelist")).content.decode()
    assert "عمر الخطيب" not in changelist and ">member<" not in changelist
    change = client.get(reverse("admin:workgroups_submission_change", args=[draft.pk])).content.decode()
    assert "عمر الخطيب" not in change and "member" not in change.split('id="content"', 1)[1]
    search = client.get(reverse("admin:workgroups_submission_changelist"), {"q": "member"})
    assert search.status_code == 200 and draft not in search.context["cl"].result_list
    # Named ones show who answered.
    named = _build(world)
    _answer(named, member)
    changelist = client.get(reverse("admin:workgroups_submission_changelist")).content.decode()
    assert "عمر الخطيب" in changelist


def test_named_export_lists_names_and_neutralises_formulas(world, clients):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"], text='=HYPERLINK("http://evil")')
    content = (
        clients["rapporteur"]
        .get(reverse("workgroups:questionnaire-export-csv", args=[questionnaire.pk]))
        .content
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][0] == "عمر الخطيب"
    assert '\'=HYPERLINK("http://evil")' in rows[1]
    from openpyxl import load_workbook

    content = (
        clients["rapporteur"]
        .get(reverse("workgroups:questionnaire-export-xlsx", args=[questionnaire.pk]))
        .content
    )
    workbook = load_workbook(io.BytesIO(content))
    row = [cell.value for cell in workbook.active[2]]
    assert row[0] == "عمر الخطيب" and '\'=HYPERLINK("http://evil")' in row
    assert all(cell.data_type != "f" for cell in workbook.active[2])


# --- Analysis -----------------------------------------------------------------------------------


def test_results_count_and_share_each_option_with_bars(world, clients):
    questionnaire = _build(world)
    users = world["users"]
    _answer(questionnaire, users["member"], single=0)
    _answer(questionnaire, users["political_officer"], single=0)
    _answer(questionnaire, users["technical_officer"], single=1)
    page = clients["rapporteur"].get(reverse("workgroups:questionnaire-results", args=[questionnaire.pk]))
    single = page.context["results"]["sections"][0]
    assert [(row["label"], row["count"], row["percent"]) for row in single["rows"]] == [
        ("التعليم", 2, 67),
        ("الصحة", 1, 33),
        ("السكن", 0, 0),
    ]
    assert '<svg class="bar"' in page.content.decode()


def test_small_counts_are_suppressed_in_every_breakdown_of_an_anonymous_questionnaire(world, clients):
    questionnaire = _anonymous_with_answers(world)
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    results = clients["rapporteur"].get(url).context["results"]
    single = results["sections"][0]
    assert [row["display"] for row in single["rows"]] == ["<3", "<3", "0"]
    assert all(row["percent"] is None for row in single["rows"][:2])
    for by in ("region", "role", f"q{single['question'].pk}"):
        crossed = clients["rapporteur"].get(url, {"by": by}).context["results"]
        cells = [
            cell["display"]
            for section in crossed["sections"]
            for row in section["rows"]
            for cell in row["columns"]
        ]
        assert cells and not {"1", "2"} & set(cells), by


def test_cross_tabulation_by_region_role_and_single_choice_question(world, clients):
    questionnaire = _build(world)
    users = world["users"]
    _answer(questionnaire, users["member"], single=0, region="homs")
    _answer(questionnaire, users["political_officer"], single=1, region="aleppo")
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    by_region = clients["rapporteur"].get(url, {"by": "region"}).context["results"]
    assert [column["label"] for column in by_region["columns"]] == ["Aleppo", "Homs"] or {
        str(c["label"]) for c in by_region["columns"]
    } == {"حلب", "حمص"}
    single = by_region["sections"][0]
    assert [[cell["count"] for cell in row["columns"]] for row in single["rows"]][:2] in (
        [[0, 1], [1, 0]],
        [[1, 0], [0, 1]],
    )
    by_role = clients["rapporteur"].get(url, {"by": "role"}).context["results"]
    assert {column["key"] for column in by_role["columns"]} == {"member", "political_officer"}
    single_question = _questions(questionnaire)[Q.SINGLE]
    by_question = clients["rapporteur"].get(url, {"by": f"q{single_question.pk}"}).context["results"]
    assert by_question["by_question"] == single_question
    scale = by_question["sections"][2]
    assert sum(cell["count"] for row in scale["rows"] for cell in row["columns"]) == 2


def _results_queries(client, url):
    client.get(url)  # the first request of a session does its own one-off work
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _bulk_responses(questionnaire, count, start=0):
    """`count` submitted responses written in bulk (the speed of the service is not under test)."""
    q = _questions(questionnaire)
    singles, multiples = list(q[Q.SINGLE].options.all()), list(q[Q.MULTIPLE].options.all())
    regions = list(q[Q.REGION].options.all()[:5])
    submissions = Submission.objects.bulk_create(
        Submission(
            questionnaire=questionnaire,
            is_submitted=True,
            submitted_at=timezone.now(),
            region=regions[i % 5].code,
            role=Role.MEMBER,
        )
        for i in range(start, start + count)
    )
    answers = []
    for index, submission in enumerate(submissions):
        answers += [
            Answer(submission=submission, question=q[Q.SINGLE]),
            Answer(submission=submission, question=q[Q.MULTIPLE]),
            Answer(submission=submission, question=q[Q.SCALE], number=1 + index % 5),
            Answer(submission=submission, question=q[Q.REGION]),
            Answer(
                submission=submission,
                question=q[Q.LONG_TEXT],
                text=f"حاجة رقم {index}",
                search_text=f"حاجه رقم {index}",
            ),
        ]
    answers = Answer.objects.bulk_create(answers)
    choices = []
    for index in range(len(submissions)):
        single, multiple, _scale, region, _text = answers[index * 5 : index * 5 + 5]
        choices += [
            AnswerChoice(answer=single, option=singles[index % 3]),
            AnswerChoice(answer=multiple, option=multiples[index % 3]),
            AnswerChoice(answer=region, option=regions[index % 5]),
        ]
    AnswerChoice.objects.bulk_create(choices)


@pytest.mark.parametrize("by", ["", "region", "role", "single"])
def test_results_page_queries_do_not_grow_with_responses(world, clients, by, django_assert_num_queries):
    questionnaire = _build(world, anonymous=True)
    if by == "single":
        by = f"q{_questions(questionnaire)[Q.SINGLE].pk}"
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk]) + (f"?by={by}" if by else "")
    _bulk_responses(questionnaire, 10)
    few = _results_queries(clients["rapporteur"], url)
    _bulk_responses(questionnaire, 990, start=10)
    assert Submission.objects.filter(questionnaire=questionnaire, is_submitted=True).count() == 1000
    with django_assert_num_queries(few):
        page = clients["rapporteur"].get(url)
    assert page.context["results"]["total"]["count"] == 1000


def test_export_queries_do_not_grow_with_responses(world):
    questionnaire = _build(world)
    _bulk_responses(questionnaire, 10)
    with CaptureQueriesContext(connection) as few:
        analysis.export_rows(questionnaire=questionnaire)
    _bulk_responses(questionnaire, 200, start=10)
    with CaptureQueriesContext(connection) as many:
        header, rows = analysis.export_rows(questionnaire=questionnaire)
    assert len(few) == len(many) and len(rows) == 210


def test_free_text_answers_are_searched_with_the_arabic_normaliser(world, clients):
    questionnaire = _build(world)
    users = world["users"]
    _answer(questionnaire, users["member"], text="نحتاج إلى مدرسة في الحيّ")
    _answer(questionnaire, users["political_officer"], text="الكهرباء مقطوعة")
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    found = clients["rapporteur"].get(url, {"q": "مدرسه"}).context["page"]
    assert [answer.text for answer in found] == ["نحتاج إلى مدرسة في الحيّ"]


def test_answers_are_sorted_into_themes_and_a_theme_becomes_a_concern(world, clients):
    questionnaire = _build(world)
    users = world["users"]
    for user in (users["member"], users["political_officer"], users["technical_officer"]):
        _answer(questionnaire, user, text="نقص في المدارس")
    answer_ids = list(Answer.objects.filter(question__kind=Q.LONG_TEXT).values_list("pk", flat=True))
    themes_url = reverse("workgroups:questionnaire-themes", args=[questionnaire.pk])
    clients["rapporteur"].post(themes_url, {"action": "tag", "name": "التعليم", "answers": answer_ids})
    results = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    themes = clients["rapporteur"].get(results).context["themes"]
    assert [(theme.name, theme.n) for theme in themes] == [("التعليم", 3)]
    filtered = clients["rapporteur"].get(results, {"theme": themes[0].pk}).context["page"]
    assert len(filtered) == 3
    response = clients["rapporteur"].post(themes_url, {"action": "concern", "theme": themes[0].pk})
    concern = Concern.objects.get(title="التعليم")
    assert response.status_code == 302 and concern.space == world["space"]
    assert reverse("workgroups:questionnaire-results", args=[questionnaire.pk]) in concern.description
    # Twice is refused, with a message, and nothing changes.
    clients["rapporteur"].post(themes_url, {"action": "concern", "theme": themes[0].pk})
    assert Concern.objects.filter(title="التعليم").count() == 1


def test_tagging_without_a_name_or_answers_is_refused(world, clients):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"])
    themes_url = reverse("workgroups:questionnaire-themes", args=[questionnaire.pk])
    answer = Answer.objects.get(question__kind=Q.LONG_TEXT)
    clients["rapporteur"].post(themes_url, {"action": "tag", "name": "", "answers": [answer.pk]})
    clients["rapporteur"].post(themes_url, {"action": "tag", "name": "موضوع"})
    foreign = _build(world)
    _answer(foreign, world["users"]["political_officer"])
    other_answer = Answer.objects.get(submission__questionnaire=foreign, question__kind=Q.LONG_TEXT)
    clients["rapporteur"].post(themes_url, {"action": "tag", "name": "موضوع", "answers": [other_answer.pk]})
    assert not answer.themes.exists() and not other_answer.themes.exists()


def test_citation_is_stable_text_with_the_results_url(world):
    questionnaire = _build(world)
    _answer(questionnaire, world["users"]["member"])
    question = _questions(questionnaire)[Q.SINGLE]
    cited = analysis.citation(questionnaire, question)
    assert cited["url"].endswith(
        reverse("workgroups:questionnaire-results", args=[questionnaire.pk]) + f"#question-{question.pk}"
    )
    assert "احتياجات المجتمع المحلي" in cited["text"] and cited["url"] in cited["text"]
    assert analysis.citation(questionnaire, question) == cited


# --- The expression-of-interest questionnaire ---------------------------------------------------


def _interest_questions():
    return {
        question.key: question
        for question in services.questionnaires.interest_questionnaire().questions.all()
    }


def test_default_interest_questionnaire_holds_the_three_declarations():
    questions = _interest_questions()
    for key in ("declares_syrian", "declares_civic_work", "declares_no_affiliation"):
        assert questions[key].kind == Q.DECLARATION and questions[key].is_required
    assert questions["expertise"].text_en == "Your expertise relevant to this theme"


def test_eligibility_declarations_cannot_be_removed_or_made_optional(world, clients):
    declaration = _interest_questions()["declares_syrian"]
    staff = world["users"]["staff"]
    with refused("protected"):
        services.question_delete(actor=staff, question=declaration)
    with refused("protected"):
        services.question_update(
            actor=staff, question=declaration, text_ar=declaration.text_ar, is_required=False
        )
    with refused("protected"):
        services.question_update(
            actor=staff, question=declaration, text_ar=declaration.text_ar, kind=Q.SHORT_TEXT
        )
    build = reverse("workgroups:questionnaire-build", args=[declaration.questionnaire_id])
    page = clients["staff"].post(
        build, {"action": "delete_question", "question": declaration.pk}, follow=True
    )
    assert "إقرارات الأهلية" in page.content.decode()
    declaration.refresh_from_db()
    assert declaration.is_required and declaration.kind == Q.DECLARATION


def test_staff_add_an_interest_question_without_a_code_change(world, clients):
    questionnaire = services.questionnaires.interest_questionnaire()
    build = reverse("workgroups:questionnaire-build", args=[questionnaire.pk])
    clients["staff"].post(build, {"action": "add_question", "text_ar": "لغات العمل", "kind": "short_text"})
    question = questionnaire.questions.get(text_ar="لغات العمل")
    page = clients["outsider"].get(reverse("workgroups:interest-list"))
    assert "لغات العمل" in page.content.decode()
    data = {
        "theme": world["space"].theme.pk,
        "expertise": "قانون",
        "motivation": "المساهمة",
        "civic_activity": "منظمة",
        "declares_syrian": "on",
        "declares_civic_work": "on",
        "declares_no_affiliation": "on",
        f"q{question.pk}": "العربية والإنجليزية",
    }
    assert clients["outsider"].post(reverse("workgroups:interest-list"), data).status_code == 302
    interest = ExpressionOfInterest.objects.get()
    assert (
        interest.expertise == "قانون"
        and interest.submission.answers.get(question=question).text == "العربية والإنجليزية"
    )
    # The staff's review in admin shows the new answer beside the former fields.
    page = clients["staff"].get(reverse("admin:workgroups_expressionofinterest_change", args=[interest.pk]))
    assert "العربية والإنجليزية" in page.content.decode()


def test_interest_questionnaire_cannot_be_closed(world):
    with refused("interest"):
        services.questionnaire_close(
            actor=world["users"]["staff"], questionnaire=services.questionnaires.interest_questionnaire()
        )


def test_staff_cannot_author_a_space_questionnaire_and_participants_cannot_author_platform_ones(world):
    questionnaire = _build(world, publish=False)
    assert not access.can_manage_questionnaire(world["users"]["staff"], questionnaire)
    assert access.can_manage_questionnaire(world["users"]["rapporteur"], questionnaire)
    assert not access.can_manage_questionnaire(world["users"]["member"], questionnaire)
    assert not access.can_manage_questionnaire(world["users"]["rapporteur"], space=None)


def test_draft_questionnaire_is_hidden_from_its_audience(world, clients):
    questionnaire = _build(world, publish=False)
    assert clients["member"].get(_respond_url(questionnaire)).status_code == 404
    assert clients["rapporteur"].get(_respond_url(questionnaire)).status_code == 200


def test_hostile_text_is_escaped_on_the_results_page(world, clients):
    from .hostile_corpus import HOSTILE_MARKDOWN

    questionnaire = _build(world, allow_changes=True)
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    payloads = [p for p in HOSTILE_MARKDOWN if "<" in p and len(p) < 2000][:10]
    assert len(payloads) == 10
    for payload in payloads:
        _answer(Questionnaire.objects.get(pk=questionnaire.pk), world["users"]["member"], text=payload)
        page = clients["rapporteur"].get(url).content.decode().split('id="main"', 1)[1]
        assert escape(payload) in page, payload  # the answer is on the page, as text
        assert payload not in page and "<script" not in page.lower()


def _respondents(world, count):
    return [factories.add_member(world["space"], username=f"respondent{index}") for index in range(count)]


def test_a_hidden_count_cannot_be_worked_out_from_the_total_and_the_cells_beside_it(world, clients):
    questionnaire = _build(world, anonymous=True)
    people = _respondents(world, 7)
    for person in people[:5]:
        _answer(questionnaire, person, single=0, text="")
    for person in people[5:]:
        _answer(questionnaire, person, single=1, text="")
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    response = clients["rapporteur"].get(url)
    single = response.context["results"]["sections"][0]
    assert single["answered"]["display"] == "7"
    assert [row["display"] for row in single["rows"]] == ["5", "<3", "—"]  # 7 - 5 - 0 would give 2
    assert [row["percent"] for row in single["rows"]] == [71, None, None]
    assert (
        "(0%)" not in response.content.decode().split(str(single["question"].text), 1)[1].split("</table>")[0]
    )
    crossed = clients["rapporteur"].get(url, {"by": "role"}).context["results"]["sections"][0]
    for row in crossed["rows"]:
        hidden = [cell for cell in row["columns"] if cell["suppressed"]]
        assert len(hidden) != 1 or len(row["columns"]) == 1, row  # never one hidden beside shown cells


def test_free_text_answers_of_an_anonymous_questionnaire_wait_for_enough_people(world, clients, settings):
    assert settings.CSSR_ANONYMOUS_TEXT_MIN_RESPONDENTS == 5
    questionnaire = _build(world, anonymous=True)
    people = _respondents(world, 5)
    for index, person in enumerate(people[:4]):
        _answer(questionnaire, person, text=f"جواب حر رقم {index}")
    url = reverse("workgroups:questionnaire-results", args=[questionnaire.pk])
    export = reverse("workgroups:questionnaire-export-csv", args=[questionnaire.pk])
    page = clients["rapporteur"].get(url)
    assert page.context["texts_withheld"] and list(page.context["page"]) == []
    assert (
        "جواب حر" not in page.content.decode()
        and 'class="alert alert-secondary small texts-withheld"' in (page.content.decode())
    )
    assert "جواب حر" not in clients["rapporteur"].get(export).content.decode("utf-8-sig")
    _answer(questionnaire, people[4], text="جواب حر رقم 4")
    page = clients["rapporteur"].get(url)
    assert not page.context["texts_withheld"] and len(page.context["page"].object_list) == 5
    assert "جواب حر رقم 4" in clients["rapporteur"].get(export).content.decode("utf-8-sig")


def test_named_questionnaires_show_every_free_text_answer(world, clients):
    questionnaire = _build(world, anonymous=False)
    _answer(questionnaire, world["users"]["member"], text="جواب مسمى")
    page = clients["rapporteur"].get(reverse("workgroups:questionnaire-results", args=[questionnaire.pk]))
    assert not page.context["texts_withheld"] and "جواب مسمى" in page.content.decode()
