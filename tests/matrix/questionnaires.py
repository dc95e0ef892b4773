"""Access-matrix rows and fixture content of the questionnaires capability (joined in
tests/matrix/__init__.py).

`space_questionnaire` is a published, named questionnaire of the space, built by its rapporteur and
addressed to all its members (every role of the space, not staff). `platform_questionnaire` is a
platform-wide one built by staff and addressed to the members of the space only: the outsider and the
other group's member are outside its audience (404), and so is the locked member.
"""

from .core import LOGIN, Row, expect, space_action, space_view

SPACE_AUDIENCE = ["member", "rapporteur", "technical_officer", "political_officer"]


def _space(world):
    return [world["space"].pk]


def _space_questionnaire(world):
    return [world["space_questionnaire"].pk]


def _platform_questionnaire(world):
    return [world["platform_questionnaire"].pk]


# Authors (the space's rapporteur) manage; the rest of the audience sees it exists (403); staff are
# neither addressed nor authors of a space's questionnaire (404).
SPACE_MANAGE = {**space_action(200, allowed=["rapporteur"]), "staff": 404}
SPACE_MANAGE_POST = {**space_action(302, allowed=["rapporteur"]), "staff": 404}
PLATFORM_MANAGE = expect(
    404,
    anonymous=LOGIN,
    staff=200,
    **dict.fromkeys(["member", "rapporteur", "technical_officer", "political_officer"], 403),
)

ROWS = [
    Row("workgroups:questionnaire-list", expect(200, anonymous=LOGIN)),
    Row("workgroups:questionnaire-create", expect(404, anonymous=LOGIN, staff=200)),
    Row(
        "workgroups:questionnaire-create",
        expect(404, anonymous=LOGIN, staff=200),
        method="post",
        data=lambda w: {"title_ar": ""},
        note="invalid form",
    ),
    Row("workgroups:space-questionnaire-list", space_view(200), args=_space),
    Row("workgroups:space-questionnaire-create", space_action(200, allowed=["rapporteur"]), args=_space),
    Row(
        "workgroups:space-questionnaire-create",
        space_action(302, allowed=["rapporteur"]),
        method="post",
        args=_space,
        data=lambda w: {"title_ar": "استبيان", "audience": "all", "opens_at": "2030-01-01T10:00"},
    ),
    Row("workgroups:questionnaire-respond", {**space_view(200), "staff": 404}, args=_space_questionnaire),
    Row(
        "workgroups:questionnaire-respond",
        {**space_view(302), "staff": 404},
        method="post",
        args=_space_questionnaire,
        data=lambda w: {"action": "draft"},
        note="save a draft",
    ),
    Row(
        "workgroups:questionnaire-respond",
        expect(404, anonymous=LOGIN, staff=200, **dict.fromkeys(SPACE_AUDIENCE, 200)),
        args=_platform_questionnaire,
        note="platform-wide, addressed to one space",
    ),
    Row("workgroups:questionnaire-build", SPACE_MANAGE, args=_space_questionnaire),
    Row(
        "workgroups:questionnaire-build",
        SPACE_MANAGE_POST,
        method="post",
        args=_space_questionnaire,
        data=lambda w: {"action": "down", "question": w["space_questionnaire"].questions.first().pk},
    ),
    Row(
        "workgroups:questionnaire-build", PLATFORM_MANAGE, args=_platform_questionnaire, note="platform-wide"
    ),
    Row("workgroups:questionnaire-results", SPACE_MANAGE, args=_space_questionnaire),
    Row(
        "workgroups:questionnaire-results",
        PLATFORM_MANAGE,
        args=_platform_questionnaire,
        note="platform-wide",
    ),
    Row(
        "workgroups:questionnaire-themes",
        SPACE_MANAGE_POST,
        method="post",
        args=_space_questionnaire,
        data=lambda w: {"action": "tag", "name": "سكن"},
        note="no answer chosen",
    ),
    Row("workgroups:questionnaire-export-csv", SPACE_MANAGE, args=_space_questionnaire),
    Row("workgroups:questionnaire-export-xlsx", SPACE_MANAGE, args=_space_questionnaire),
]


def content(world):
    """A published questionnaire of the space and a platform-wide one addressed to the space."""
    from workgroups import services
    from workgroups.models import Question, Questionnaire

    space, rapporteur, staff = world["space"], world["users"]["rapporteur"], world["users"]["staff"]
    questionnaire = services.questionnaire_create(
        actor=rapporteur, space=space, title_ar="احتياجات المجموعة", audience=Questionnaire.Audience.ALL
    )
    services.question_add(
        actor=rapporteur,
        questionnaire=questionnaire,
        text_ar="ما الأولوية؟",
        kind=Question.Kind.SINGLE,
        options=[("التعليم", "Education"), ("الصحة", "Health")],
    )
    services.question_add(
        actor=rapporteur,
        questionnaire=questionnaire,
        text_ar="ملاحظات",
        kind=Question.Kind.LONG_TEXT,
        is_required=False,
    )
    services.questionnaire_publish(actor=rapporteur, questionnaire=questionnaire)
    platform = services.questionnaire_create(
        actor=staff, title_ar="استبيان عام", audience=Questionnaire.Audience.SPACE, audience_space=space
    )
    services.question_add(actor=staff, questionnaire=platform, text_ar="منطقتك", kind=Question.Kind.REGION)
    services.questionnaire_publish(actor=staff, questionnaire=platform)
    return {"space_questionnaire": questionnaire, "platform_questionnaire": platform}
