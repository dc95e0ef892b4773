"""`make run`'s demo data: every role present, every capability shown, loading twice changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS

from .conftest import frozen_totp, totp_code

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for label in ("accounts", "workgroups", "documents", "chat", "events")
        for model in apps.get_app_config(label).get_models()
    }


def test_demo_data_loads_idempotently_and_shows_each_capability(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    assert _counts() == first
    for label in (
        "workgroups.Space",
        "workgroups.Membership",
        "workgroups.Election",
        "workgroups.Thread",
        "workgroups.Post",
        "workgroups.Concern",
        "workgroups.AgendaItem",
        "workgroups.PostReport",
        "workgroups.ExpressionOfInterest",
        "workgroups.GroupProposal",
        "workgroups.Notification",
        "workgroups.ReinstatementRequest",
        "workgroups.OutgoingEmail",
        "workgroups.Questionnaire",
        "workgroups.Submission",
        "workgroups.AnswerTheme",
        "workgroups.Receipt",
    ):
        assert first[label] > 0, label
    client = Client()
    # Layla is a rapporteur: she signs in with her password, then her demo two-factor code (`make totp`).
    response = client.post(reverse("account_login"), {"login": "layla", "password": DEMO_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    with frozen_totp():
        code = totp_code(DEMO_TOTP_SECRETS["layla"])
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    response = client.get(reverse("workgroups:space-list"))
    assert len(response.context["current_spaces"]) == 2
    assert len(response.context["concluded_spaces"]) == 1
    # The lockout at work: a warned member, warned once in-app and by e-mail (in the outbox, sent).
    from workgroups.models import Membership, OutgoingEmail

    warned = Membership.objects.get(user__username="fadi", state=Membership.State.WARNED)
    # The needs survey: thirty anonymous answers from across Syria and the diaspora, sorted into themes.
    from workgroups.models import ExpressionOfInterest, Questionnaire, Submission

    survey = Questionnaire.objects.get(title_ar="أولويات المجتمعات المحلية واحتياجاتها")
    assert (
        survey.is_anonymous
        and Submission.objects.filter(questionnaire=survey, is_submitted=True).count() == 30
    )
    assert not Submission.objects.filter(questionnaire=survey, respondent__isnull=False).exists()
    assert survey.themes.filter(concern__isnull=False).count() == 1
    assert ExpressionOfInterest.objects.get(user__username="nour").submission is not None
    assert OutgoingEmail.objects.filter(recipient=warned.user, kind="inactivity_warning").count() == 1


def test_demo_data_is_refused_in_production(settings):
    settings.DEBUG = False
    settings.CSSR_PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)
