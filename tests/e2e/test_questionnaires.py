"""A participant answers a questionnaire on a 360 px phone in Arabic; the author sees the chart."""

import pytest
from django.urls import reverse

from tests import factories
from workgroups import services
from workgroups.models import Question, Questionnaire, Role, Submission

from .conftest import PHONE, html_lang_dir, login, path_of, sideways_overflow


@pytest.fixture
def survey(conduct):
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    rana = factories.add_member(space, username="rana", display_name="رنا")
    layla = factories.add_member(space, role=Role.RAPPORTEUR, username="layla", display_name="ليلى")
    factories.add_member(space, username="omar", display_name="عمر")
    questionnaire = services.questionnaire_create(
        actor=layla,
        space=space,
        title_ar="احتياجات المجتمع المحلي",
        audience=Questionnaire.Audience.ALL,
        is_anonymous=True,
    )
    add = lambda **kw: services.question_add(actor=layla, questionnaire=questionnaire, **kw)  # noqa: E731
    add(
        text_ar="ما القطاع الأكثر إلحاحًا في منطقتك؟",
        kind=Question.Kind.SINGLE,
        options=[
            ("السكن والأراضي والممتلكات", "Housing"),
            ("الوثائق المدنية", "Civil documents"),
            ("التعليم", "Education"),
        ],
    )
    add(text_ar="إلى أي حد تشعر بأن صوتك مسموع؟", kind=Question.Kind.SCALE)
    add(text_ar="أين تقيم حاليًا؟", kind=Question.Kind.REGION)
    add(text_ar="ما الحاجة الأهم في منطقتك؟", kind=Question.Kind.LONG_TEXT)
    services.questionnaire_publish(actor=layla, questionnaire=questionnaire)
    return {"space": space, "questionnaire": questionnaire, "rana": rana, "layla": layla}


def test_participant_answers_on_a_phone_in_arabic_and_the_author_sees_the_chart(
    new_page, live_server, survey, artifacts_dir
):
    questionnaire = survey["questionnaire"]
    phone = new_page(viewport=PHONE)
    login(phone, live_server, "rana")
    phone.goto(f"{live_server.url}{reverse('workgroups:questionnaire-list')}")
    assert html_lang_dir(phone) == ("ar", "rtl")
    phone.get_by_role("link", name="احتياجات المجتمع المحلي").click()
    assert path_of(phone) == reverse("workgroups:questionnaire-respond", args=[questionnaire.pk])
    assert phone.get_by_text("مجهول الهوية: تُحفظ إجاباتك دون اسمك").count() == 1
    assert not sideways_overflow(phone)
    phone.get_by_label("الوثائق المدنية").check()
    phone.locator(".answer-scale label", has_text="4").click()
    phone.locator(".answer-region select").select_option(label="حمص")
    phone.locator(".answer-long_text textarea").fill(
        "آلاف الأطفال بلا قيود مدنية ولا يستطيعون التسجيل في المدارس."
    )
    phone.screenshot(path=str(artifacts_dir / "questionnaire-phone-ar.png"), full_page=True)
    phone.get_by_role("button", name="حفظ كمسودة").click()
    assert phone.locator(".alert-success").count() == 1
    assert phone.locator(".answer-long_text textarea").input_value().startswith("آلاف الأطفال")
    phone.get_by_role("button", name="إرسال إجاباتي").click()
    assert path_of(phone) == reverse("workgroups:questionnaire-list")
    assert phone.locator(".alert-success").count() == 1
    response = Submission.objects.get(questionnaire=questionnaire)
    assert response.is_submitted and response.respondent is None and response.region == "homs"

    # Two more members answer the same, so the count is no longer suppressed.
    questions = {question.kind: question for question in questionnaire.questions.all()}
    values = {
        questions[Question.Kind.SINGLE]: questions[Question.Kind.SINGLE].options.get(
            text_ar="الوثائق المدنية"
        ),
        questions[Question.Kind.SCALE]: 3,
        questions[Question.Kind.REGION]: questions[Question.Kind.REGION].options.get(code="TR"),
        questions[Question.Kind.LONG_TEXT]: "تجديد جوازات السفر في دول الجوار.",
    }
    for username in ("omar", "layla"):
        services.submission_save(
            actor=factories.User.objects.get(username=username),
            questionnaire=questionnaire,
            values=values,
            submit=True,
        )

    author = new_page(viewport={"width": 1280, "height": 900})
    login(author, live_server, "layla")
    author.goto(f"{live_server.url}{reverse('workgroups:questionnaire-results', args=[questionnaire.pk])}")
    chart = author.locator("#main section.result").first
    assert chart.locator("svg.bar").count() == 3
    assert chart.locator("td", has_text="100").count() == 1
    assert chart.locator("svg.bar rect[width='100'][fill='#0b4f6c']").count() == 1
    assert "رنا" not in author.locator("#main").inner_text()
    # one person wrote a free-text answer in an anonymous questionnaire: it waits for more writers
    assert author.get_by_text("آلاف الأطفال بلا قيود مدنية").count() == 0
    assert author.locator(".texts-withheld").count() == 1
    author.screenshot(path=str(artifacts_dir / "questionnaire-results.png"), full_page=True)
