"""Accounts: sign-in, closed sign-up, invitations, two-factor, the code-of-conduct gate."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext, override

from accounts import services
from accounts.models import CodeOfConduct, ConductAcceptance, Invitation, User

from . import factories
from .conftest import client_for, frozen_totp, totp_code

pytestmark = pytest.mark.django_db


def test_login_by_username_and_by_email_then_logout():
    user = factories.UserFactory(username="layla", email="layla@example.org")
    for login in ("layla", "LAYLA@example.org"):
        client = Client()
        response = client.post(reverse("account_login"), {"login": login, "password": factories.PASSWORD})
        assert response.status_code == 302, login
        assert response["Location"] == reverse("workgroups:space-list")
        assert client.get(reverse("workgroups:space-list")).status_code == 200
        response = client.post(reverse("account_logout"))
        assert response.status_code == 302
        assert client.get(reverse("workgroups:space-list")).status_code == 302
    assert user.pk


def test_wrong_password_is_refused_in_arabic_and_signs_nobody_in():
    factories.UserFactory(username="omar")
    client = Client()
    response = client.post(reverse("account_login"), {"login": "omar", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert 'dir="rtl"' in body
    assert "غير صحيح" in body or "غير صحيحة" in body  # allauth's Arabic message


def test_login_is_rate_limited_after_repeated_failures():
    factories.UserFactory(username="target")
    client = Client()
    for attempt in range(5):
        client.post(reverse("account_login"), {"login": "target", "password": f"bad-{attempt}"})
    # Past the limit even the right password is refused, with a message in the user's language.
    response = client.post(reverse("account_login"), {"login": "target", "password": factories.PASSWORD})
    assert "_auth_user_id" not in client.session
    with override("ar"):
        expected = ngettext(
            "Too many failed sign-in attempts for this account. Please try again in %(count)d second.",
            "Too many failed sign-in attempts for this account. Please try again in %(count)d seconds.",
            15,
        ) % {"count": 15}
    assert expected in response.content.decode()


def test_signup_is_closed_and_creates_nobody():
    before = User.objects.count()
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(
            reverse("account_signup"),
            {"username": "intruder", "email": "i@example.org", "password1": "x-very-long-password-1"},
        )
        assert response.status_code == 200
        assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert User.objects.count() == before


def test_invitation_flow_end_to_end(django_capture_on_commit_callbacks):
    staff = factories.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _token = services.invitation_create(
            actor=staff,
            email="huda@example.org",
            username="huda",
            display_name="هدى السيد",
            preferred_language="ar",
        )
    user = invitation.user
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["huda@example.org"]
    assert "هدى السيد" in message.body
    link = re.search(r"https?://\S+/accounts/invitation/(\S+)/", message.body)
    assert link, message.body
    path = "/accounts/invitation/" + link.group(1) + "/"

    client = Client()
    assert client.get(path).status_code == 200
    response = client.post(path, {"password1": "Syria-future-2254", "password2": "Syria-future-2254"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Syria-future-2254")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # The link is spent: a second use is refused and changes nothing.
    again = Client().post(path, {"password1": "Another-pass-9876", "password2": "Another-pass-9876"})
    assert again.status_code == 410
    user.refresh_from_db()
    assert user.check_password("Syria-future-2254")
    # The invited person can now sign in.
    assert Client().login(username="huda", password="Syria-future-2254")


def test_expired_invitation_is_refused_and_changes_nothing():
    staff = factories.StaffFactory()
    invitation, token = services.invitation_create(
        actor=staff, email="late@example.org", username="late", display_name="متأخر"
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().post(
        reverse("accounts:invitation-accept", args=[token]),
        {"password1": "Syria-future-2254", "password2": "Syria-future-2254"},
    )
    assert response.status_code == 410
    assert "accounts/invitation_invalid.html" in [t.name for t in response.templates]
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()


def test_invitation_with_mismatched_or_weak_password_changes_nothing():
    staff = factories.StaffFactory()
    invitation, token = services.invitation_create(
        actor=staff, email="w@example.org", username="weak", display_name="ضعيف"
    )
    url = reverse("accounts:invitation-accept", args=[token])
    for data in (
        {"password1": "Syria-future-2254", "password2": "different-2254"},
        {"password1": "123", "password2": "123"},
    ):
        response = Client().post(url, data)
        assert response.status_code == 200
        assert response.context["form"].errors
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()


def test_invitation_for_a_taken_email_is_refused():
    staff = factories.StaffFactory()
    factories.UserFactory(email="taken@example.org")
    with pytest.raises(ValidationError) as error:
        services.invitation_create(
            actor=staff, email="TAKEN@example.org", username="new", display_name="جديد"
        )
    assert error.value.code == "email_taken"
    assert not User.objects.filter(username="new").exists()


def test_staff_invite_from_admin_sends_the_email(django_capture_on_commit_callbacks):
    staff = factories.StaffFactory()
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_invitation_add"),
            {
                "email": "new@example.org",
                "username": "newbie",
                "display_name": "وافد جديد",
                "title": "",
                "preferred_language": "en",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newbie")
    assert user.invitations.count() == 1
    assert len(mail.outbox) == 1
    assert "invited" in mail.outbox[0].body  # English, the invitee's language


@frozen_totp()
def test_mfa_enrolment_and_login_with_a_totp_code():
    user = factories.UserFactory(username="secure")
    client = Client()
    client.post(reverse("account_login"), {"login": "secure", "password": factories.PASSWORD})
    # Turning two-factor on is a sensitive change: allauth asks for the password again first.
    assert client.get(reverse("mfa_activate_totp")).status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": "secure", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in fresh.session
    assert fresh.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in fresh.session
    response = fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert fresh.session["_auth_user_id"] == str(user.pk)


def test_staff_without_two_factor_are_sent_to_set_it_up():
    staff = factories.StaffFactory(totp=False)
    client = Client()
    client.force_login(staff)
    for url in (reverse("admin:index"), reverse("workgroups:space-list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_index")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    # An authenticator this session has not used: it is asked for, then admin opens.
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    with frozen_totp():
        response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_is_for_staff_only(world, clients):
    for role, client in clients.items():
        response = client.get(reverse("admin:index"))
        if role == "staff":
            assert response.status_code == 200
        else:
            assert response.status_code == 302, role
            assert "/admin/login/" in response["Location"] or "/accounts/login/" in response["Location"]


class TestCodeOfConductGate:
    def test_participant_must_accept_before_any_group_page(self, world):
        user = factories.UserFactory(accepted_conduct=False)
        factories.add_member(world["space"], user=user)
        client = Client()
        client.force_login(user)
        for url in (
            reverse("workgroups:space-list"),
            reverse("workgroups:space-detail", args=[world["space"].pk]),
        ):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:conduct"))

    def test_accepting_records_the_time_and_lets_the_participant_in(self, world):
        user = factories.UserFactory(accepted_conduct=False)
        client = Client()
        client.force_login(user)
        response = client.post(reverse("accounts:conduct"), {"next": reverse("workgroups:space-list")})
        assert response.status_code == 200  # box not ticked: an error, nothing recorded
        assert not ConductAcceptance.objects.filter(user=user).exists()
        before = timezone.now()
        response = client.post(
            reverse("accounts:conduct"), {"agree": "on", "next": reverse("workgroups:space-list")}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("workgroups:space-list")
        acceptance = ConductAcceptance.objects.get(user=user)
        assert acceptance.accepted_at >= before
        assert client.get(reverse("workgroups:space-list")).status_code == 200

    def test_a_new_version_asks_again(self, world, clients):
        client = clients["member"]
        assert client.get(reverse("workgroups:space-list")).status_code == 200
        version = CodeOfConduct.objects.create(
            version=services.conduct_next_version(),
            title="v2",
            title_ar="الإصدار الثاني",
            body="نص",
            body_ar="نص",
        )
        assert client.get(reverse("workgroups:space-list")).status_code == 200  # not yet published
        services.conduct_publish(conduct=version)
        response = client.get(reverse("workgroups:space-list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:conduct"))
        client.post(reverse("accounts:conduct"), {"agree": "on"})
        assert client.get(reverse("workgroups:space-list")).status_code == 200

    def test_next_cannot_send_the_user_to_another_host(self, world):
        user = factories.UserFactory(accepted_conduct=False)
        client = Client()
        client.force_login(user)
        response = client.post(
            reverse("accounts:conduct"), {"agree": "on", "next": "https://evil.example.com/"}
        )
        assert response["Location"] == reverse("workgroups:space-list")


def test_profile_shows_and_saves_only_public_fields():
    user = factories.UserFactory(gender="woman", region="idlib")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "ليلى",
            "title": "محامية",
            "preferred_language": "en",
            "time_zone": "Europe/Istanbul",
            "gender": "man",
            "region": "homs",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language, user.time_zone) == ("ليلى", "en", "Europe/Istanbul")
    assert (user.gender, user.region) == (
        "woman",
        "idlib",
    )  # private fields are not the user's to change here


def test_profile_rejects_an_unknown_time_zone_and_changes_nothing():
    user = factories.UserFactory(time_zone="Asia/Damascus")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "x", "title": "", "preferred_language": "ar", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    user.refresh_from_db()
    assert user.time_zone == "Asia/Damascus"
    assert user.display_name != "x"


def test_post_without_csrf_token_gets_a_clear_page_and_changes_nothing():
    user = factories.UserFactory(display_name="قبل")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "بعد", "title": "", "preferred_language": "ar", "time_zone": "Asia/Damascus"},
    )
    assert response.status_code == 403
    assert "errors/csrf.html" in [t.name for t in response.templates]
    assert 'dir="rtl"' in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "قبل"


def test_time_zone_of_the_user_is_active_on_their_pages():
    user = factories.UserFactory(time_zone="Europe/Berlin")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("accounts:profile"))
    assert response.context["TIME_ZONE"] == "Europe/Berlin"


def test_password_reset_by_email_sets_a_new_password(django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="reset@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends once the request commits
        response = Client().post(reverse("account_reset_password"), {"email": "reset@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "New-secret-2254!", "password2": "New-secret-2254!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-secret-2254!")


def test_password_reset_for_an_unknown_address_reveals_nothing():
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer as for a known address


def test_a_recovery_code_signs_in_once_when_the_phone_is_lost():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = factories.UserFactory(username="traveller")
    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user).get_unused_codes()
    assert len(codes) >= 8
    client = Client()
    client.post(reverse("account_login"), {"login": "traveller", "password": factories.PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    again = Client()
    again.post(reverse("account_login"), {"login": "traveller", "password": factories.PASSWORD})
    again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert "_auth_user_id" not in again.session  # a recovery code works once
