"""Expressions of interest, group proposals, the balance report and the admin."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from accounts.models import ExpertiseArea
from workgroups import services
from workgroups.models import ExpressionOfInterest, GroupProposal, Membership, MembershipEvent, Space, Theme

from . import factories
from .conftest import client_for

pytestmark = pytest.mark.django_db

ANSWERS = {
    "expertise": "خبرة في القانون الدستوري",
    "motivation": "المساهمة في الحل السياسي",
    "civic_activity": "منظمة حقوقية",
}


def _client(user):
    return client_for(user)  # staff sessions have used their second factor, as after a real sign-in


def test_expression_of_interest_needs_the_three_declarations(world):
    outsider = world["users"]["outsider"]
    theme = world["space"].theme
    client = _client(outsider)
    data = {"theme": theme.pk, **ANSWERS, "declares_syrian": "on", "declares_civic_work": "on"}
    response = client.post(reverse("workgroups:interest-list"), data)
    assert response.status_code == 200
    assert "declares_no_affiliation" in response.context["form"].errors
    assert not ExpressionOfInterest.objects.exists()
    response = client.post(reverse("workgroups:interest-list"), {**data, "declares_no_affiliation": "on"})
    assert response.status_code == 302
    interest = ExpressionOfInterest.objects.get()
    assert interest.user == outsider and interest.status == "pending"
    # A second one for the same theme while the first is under review is refused.
    response = client.post(reverse("workgroups:interest-list"), {**data, "declares_no_affiliation": "on"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert ExpressionOfInterest.objects.count() == 1


def test_oversized_and_hostile_answers_are_refused_or_escaped(world):
    client = _client(world["users"]["outsider"])
    data = {
        "theme": world["space"].theme.pk,
        "expertise": "x" * 2001,
        "motivation": "<script>alert(1)</script>",
        "civic_activity": "ok",
        "declares_syrian": "on",
        "declares_civic_work": "on",
        "declares_no_affiliation": "on",
    }
    response = client.post(reverse("workgroups:interest-list"), data)
    assert response.status_code == 200 and "expertise" in response.context["form"].errors
    data["expertise"] = "عادي"
    client.post(reverse("workgroups:interest-list"), data)
    page = client.get(reverse("workgroups:interest-list")).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_staff_accept_creates_the_membership_and_decline_needs_a_reason(world):
    staff, outsider = world["users"]["staff"], world["users"]["outsider"]
    interest = services.interest_submit(
        actor=outsider,
        theme=world["space"].theme,
        declares_syrian=True,
        declares_civic_work=True,
        declares_no_affiliation=True,
        **ANSWERS,
    )
    with pytest.raises(ValidationError):
        services.interest_decline(actor=staff, interest=interest, reason="  ")
    services.interest_accept(actor=staff, interest=interest, space=world["space"])
    assert Membership.objects.filter(space=world["space"], user=outsider, role="member").exists()
    page = _client(outsider).get(reverse("workgroups:interest-list"))
    assert page.context["interests"][0].status == "accepted"
    with pytest.raises(ValidationError):
        services.interest_decline(actor=staff, interest=interest, reason="late")


def test_staff_review_interest_in_admin(world):
    staff, outsider = world["users"]["staff"], world["users"]["outsider"]
    interest = services.interest_submit(
        actor=outsider,
        theme=world["space"].theme,
        declares_syrian=True,
        declares_civic_work=True,
        declares_no_affiliation=True,
        **ANSWERS,
    )
    client = _client(staff)
    url = reverse("admin:workgroups_expressionofinterest_change", args=[interest.pk])
    response = client.post(url, {"decision": "decline", "decision_reason": ""})
    assert response.status_code == 200  # the form asks for a reason
    interest.refresh_from_db()
    assert interest.status == "pending"
    response = client.post(url, {"decision": "decline", "decision_reason": "المجموعة مكتملة لهذه الدورة."})
    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.status == "declined" and interest.decided_by == staff


def test_group_proposal_is_submitted_and_answered(world):
    outsider, staff = world["users"]["outsider"], world["users"]["staff"]
    client = _client(outsider)
    assert client.post(reverse("workgroups:proposal-list"), {"title": "", "rationale": ""}).status_code == 200
    assert not GroupProposal.objects.exists()
    client.post(
        reverse("workgroups:proposal-list"), {"title": "السكن والأراضي والممتلكات", "rationale": "حاجة ملحة"}
    )
    proposal = GroupProposal.objects.get()
    services.proposal_decide(actor=staff, proposal=proposal, accept=False, reason="سيُدرس في الدورة القادمة")
    page = client.get(reverse("workgroups:proposal-list")).content.decode()
    assert "سيُدرس في الدورة القادمة" in page


def _make_participants(space, specs):
    area = ExpertiseArea.objects.get(slug="law")
    for gender, age, region in specs:
        user = factories.add_member(space, gender=gender, age_band=age, region=region)
        user.expertise_areas.add(area)


def test_balance_report_counts_shares_and_suppresses_small_counts(world, clients):
    space = world["space"]
    _make_participants(space, [("woman", "25_34", "idlib")] * 4 + [("man", "35_44", "aleppo")] * 2)
    response = clients["staff"].get(reverse("workgroups:balance-report"), {"space": space.pk})
    report = response.context["report"]
    # 6 new participants + member + rapporteur of the world (officers and the locked member are not counted)
    assert report["total"] == 8
    woman, man = report["dimensions"][0]["rows"][:2]  # in the order of accounts.choices.Gender
    assert woman["display"] == "4" and woman["percent"] == 50
    assert man["display"] == "<3" and man["percent"] is None
    body = response.content.decode()
    assert "<svg" in body and "<script" not in body.split("</header>")[-1]


def test_balance_csv_export_hides_small_counts_and_names_nobody(world, clients):
    space = world["space"]
    _make_participants(space, [("woman", "25_34", "idlib")] * 3)
    response = clients["staff"].get(reverse("workgroups:balance-export"), {"space": space.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    text = response.content.decode("utf-8-sig")
    assert any(row[2] == "<3" for row in rows[1:])
    assert world["users"]["member"].display_name not in text and "member" not in text.split("\n", 1)[1]


def test_balance_report_is_404_for_participants(world, clients):
    for role in ("member", "rapporteur", "technical_officer", "political_officer"):
        assert clients[role].get(reverse("workgroups:balance-report")).status_code == 404


def test_admin_bulk_add_reports_added_duplicates_and_unknowns(world):
    staff, space = world["users"]["staff"], world["space"]
    newcomer = factories.UserFactory(username="newcomer", email="new@example.org")
    client = _client(staff)
    response = client.post(
        reverse("admin:workgroups_space_add_members", args=[space.pk]),
        {"people": "new@example.org\nmember\nnobody-here", "role": "member"},
        follow=True,
    )
    assert response.status_code == 200
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "nobody-here" in messages
    assert Membership.objects.filter(space=space, user=newcomer).exists()
    assert Membership.objects.filter(space=space, user__username="member").count() == 1
    assert MembershipEvent.objects.filter(membership__user=newcomer, actor=staff, action="added").exists()


def test_admin_lock_action_goes_through_the_service_and_is_recorded(world):
    staff, space = world["users"]["staff"], world["space"]
    membership = Membership.objects.get(space=space, user=world["users"]["member"])
    client = _client(staff)
    response = client.post(
        reverse("admin:workgroups_membership_changelist"),
        {"action": "lock", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == "locked"
    assert MembershipEvent.objects.filter(membership=membership, action="locked", actor=staff).exists()
    member_client = _client(world["users"]["member"])
    assert member_client.get(reverse("workgroups:space-detail", args=[space.pk])).status_code == 403


def test_admin_refuses_a_duplicate_membership_and_a_third_rapporteur_with_a_message(world):
    staff, space = world["users"]["staff"], world["space"]
    client = _client(staff)
    before = Membership.objects.count()
    response = client.post(
        reverse("admin:workgroups_membership_add"),
        {"space": space.pk, "user": world["users"]["member"].pk, "role": "member"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    factories.add_member(space, role="rapporteur")
    third = factories.add_member(space)
    membership = Membership.objects.get(space=space, user=third)
    response = client.post(
        reverse("admin:workgroups_membership_changelist"),
        {"action": "make_rapporteur", "_selected_action": [membership.pk]},
        follow=True,
    )
    with translation.override("ar"):
        expected = translation.gettext("This space already has two rapporteurs.")
    assert any(expected in str(m) for m in response.context["messages"])
    membership.refresh_from_db()
    assert membership.role == "member"
    assert Membership.objects.count() == before + 2


def test_admin_starts_the_next_cohort(world):
    staff, space = world["users"]["staff"], world["space"]
    client = _client(staff)
    url = reverse("admin:workgroups_space_changelist")
    start = timezone.localdate() + timedelta(days=120)
    page = client.post(url, {"action": "start_next_cohort", "_selected_action": [space.pk]})
    assert page.status_code == 200 and "continuity" in page.content.decode()
    response = client.post(
        url,
        {
            "action": "start_next_cohort",
            "_selected_action": [space.pk],
            "apply": "1",
            "name_ar": "الدورة الثالثة",
            "name_en": "Third cohort",
            "cycle_start": start.isoformat(),
            "cycle_end": (start + timedelta(days=100)).isoformat(),
            "continuity": [world["users"]["member"].pk],
        },
    )
    assert response.status_code == 302
    successor = Space.objects.get(name_ar="الدورة الثالثة")
    assert successor.predecessor == space
    assert list(successor.memberships.values_list("user__username", flat=True)) == ["member"]


@pytest.mark.parametrize(
    "model",
    [
        "space",
        "membership",
        "membershipevent",
        "theme",
        "expressionofinterest",
        "groupproposal",
        "election",
        "postreport",
        "moderationaction",
        "thread",
        "concern",
        "agendaitem",
        "contribution",
    ],
)
def test_admin_changelists_open_for_staff(world, model):
    client = _client(world["users"]["staff"])
    assert client.get(reverse(f"admin:workgroups_{model}_changelist")).status_code == 200


def test_admin_space_change_page_shows_members_and_grants_no_object_permissions(world):
    client = _client(world["users"]["staff"])
    page = client.get(reverse("admin:workgroups_space_change", args=[world["space"].pk])).content.decode()
    assert "عمر الخطيب" in page
    # Permissions come only from memberships: no page grants object permissions by hand.
    with pytest.raises(NoReverseMatch):
        reverse("admin:workgroups_space_permissions", args=[world["space"].pk])
    assert "/permissions/" not in page


def test_themes_are_seeded_bilingually():
    assert Theme.objects.count() == 7
    theme = Theme.objects.get(slug="electoral")
    assert theme.name_ar == "القضايا الانتخابية" and theme.name_en == "Electoral issues"
