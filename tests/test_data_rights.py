"""Data rights: a participant downloads their own data; staff anonymise a departed participant."""

import io
import json
import subprocess
import zipfile
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as account_services
from accounts.models import AuditEvent, ExpertiseArea, KnownDevice, User
from chat import services as chat_services
from chat.models import Message
from events import services as event_services
from workgroups import access
from workgroups import services as s
from workgroups.models import (
    Membership,
    MembershipEvent,
    Notification,
    NotificationSetting,
    Post,
    Question,
    Questionnaire,
    ThreadRead,
)

from . import factories

pytestmark = pytest.mark.django_db

DOWNLOAD = "accounts:data-download"
MY_TEXTS = [
    "نص منشوري الأول",
    "ردّي على النقاش",
    "قضيتي المقترحة",
    "بندي على جدول الأعمال",
    "رسالتي في الدردشة",
    "رسالتي الخاصة",
    "جوابي المسمى",
]
OTHER_TEXTS = [
    "سرّ الزميلة في النقاش",
    "وصفها",
    "رسالة الزميلة",
    "ردّ الزميلة الخاص",
    "جواب الزميلة",
    "جوابي المجهول",
]


def _questionnaire(world, *, anonymous):
    author = world["users"]["rapporteur"]
    questionnaire = s.questionnaire_create(
        actor=author,
        space=world["space"],
        title_ar="استبيان مجهول" if anonymous else "استبيان الاحتياجات",
        title_en="Needs",
        audience=Questionnaire.Audience.ALL,
        is_anonymous=anonymous,
    )
    s.question_add(
        actor=author,
        questionnaire=questionnaire,
        text_ar="ما أولويتك؟",
        kind=Question.Kind.SINGLE,
        options=[("التعليم", "Education"), ("الصحة", "Health")],
    )
    s.question_add(
        actor=author, questionnaire=questionnaire, text_ar="ما الذي تحتاجه؟", kind=Question.Kind.LONG_TEXT
    )
    s.questionnaire_publish(actor=author, questionnaire=questionnaire)
    return Questionnaire.objects.get(pk=questionnaire.pk)


def _answer(questionnaire, user, text, option=0):
    single, long_text = list(questionnaire.questions.order_by("position"))
    values = {single: list(single.options.order_by("position"))[option], long_text: text}
    return s.submission_save(actor=user, questionnaire=questionnaire, values=values, submit=True)


@pytest.fixture
def history(world, django_capture_on_commit_callbacks):
    """The member's own contributions of every kind, beside a colleague's (the rapporteur's)."""
    space, member, colleague = world["space"], world["users"]["member"], world["users"]["rapporteur"]
    member.gender, member.age_band, member.region = "woman", "25_34", "idlib"
    member.save()
    area = ExpertiseArea.objects.create(slug="export-test-area", name_ar="حقل الاختبار", name_en="Test field")
    member.expertise_areas.add(area)
    with django_capture_on_commit_callbacks(execute=True):
        thread = s.thread_create(
            actor=colleague, space=space, title="عنوان النقاش", body="سرّ الزميلة في النقاش"
        )
        mine = s.thread_create(actor=member, space=space, title="نقاشي", body="نص منشوري الأول")
        reply = s.post_create(actor=member, thread=thread, body="ردّي على النقاش")
        concern = s.concern_propose(
            actor=member, space=space, title="قضيتي المقترحة", description="وصف", tags=[], regions=[]
        )
        other_concern = s.concern_propose(
            actor=colleague, space=space, title="قضية الزميلة", description="وصفها", tags=[], regions=[]
        )
        s.concern_endorse(actor=member, concern=other_concern)
        s.agenda_item_propose(actor=member, space=space, title="بندي على جدول الأعمال")
        room = chat_services.space_conversation_get_or_create(space=space)
        chat_services.message_send(actor=member, conversation=room, body="رسالتي في الدردشة")
        chat_services.message_send(actor=colleague, conversation=room, body="رسالة الزميلة")
        direct = chat_services.direct_conversation_open(actor=member, other=colleague)
        chat_services.message_send(actor=member, conversation=direct, body="رسالتي الخاصة")
        chat_services.message_send(actor=colleague, conversation=direct, body="ردّ الزميلة الخاص")
        named = _questionnaire(world, anonymous=False)
        _answer(named, member, "جوابي المسمى")
        _answer(named, colleague, "جواب الزميلة", option=1)
        anonymous = _questionnaire(world, anonymous=True)
        _answer(anonymous, member, "جوابي المجهول")
        start = timezone.now() + timedelta(days=3)
        event = event_services.event_create(
            actor=colleague,
            space=space,
            title="اجتماع المجموعة",
            description="",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            time_zone="Asia/Damascus",
        )
        event_services.event_respond(actor=member, event=event, answer="going")
        s.notification_settings_save(
            user=member, enabled_kinds=[k for k in Notification.Kind.values if k != Notification.Kind.MENTION]
        )
    return {
        "thread": thread,
        "mine": mine,
        "reply": reply,
        "concern": concern,
        "direct": direct,
        "named": named,
        "anonymous": anonymous,
        "event": event,
    }


def _download(client):
    response = client.post(reverse(DOWNLOAD))
    assert response.status_code == 200, response.status_code
    return response, zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _json(archive, name):
    return json.loads(archive.read(name).decode("utf-8"))


class _Page(HTMLParser):
    """Parses a page and checks its elements nest and close; collects tags, attributes and text."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "col", "wbr", "source"}

    def __init__(self, text):
        super().__init__()
        self.stack, self.tags, self.text = [], [], []
        self.feed(text)
        self.close()
        assert not self.stack, f"unclosed elements: {self.stack}"

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    def first(self, tag):
        return next(attrs for name, attrs in self.tags if name == tag)


# --- Download my data ---------------------------------------------------------------------------


def test_download_is_a_zip_of_my_own_data_as_json_and_a_page(world, clients, history):
    member = world["users"]["member"]
    response, archive = _download(clients["member"])
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "cssr-my-data-" in response["Content-Disposition"]
        and member.username not in response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]
    names = set(archive.namelist())
    assert {
        "index.html",
        "manifest.json",
        "data/profile.json",
        "data/memberships.json",
        "data/posts.json",
        "data/concerns.json",
        "data/endorsements.json",
        "data/agenda_proposals.json",
        "data/chat_messages.json",
        "data/questionnaire_answers.json",
        "data/anonymous_questionnaires.json",
        "data/event_responses.json",
        "data/conduct_acceptances.json",
        "data/notification_settings.json",
    } <= names

    profile = _json(archive, "data/profile.json")
    assert profile["username"] == "member" and profile["email"] == member.email
    assert (profile["gender"], profile["age_band"], profile["region"]) == ("woman", "25_34", "idlib")
    assert profile["expertise_areas"] == ["حقل الاختبار"]

    posts = _json(archive, "data/posts.json")
    assert [(p["discussion"], p["text"]) for p in posts] == [
        ("نقاشي", "نص منشوري الأول"),
        ("عنوان النقاش", "ردّي على النقاش"),
        ("قضيتي المقترحة", "وصف"),
    ]
    assert {p["space"] for p in posts} == {"مجموعة القضايا الدستورية"}
    assert [c["title"] for c in _json(archive, "data/concerns.json")] == ["قضيتي المقترحة"]
    assert [e["concern"] for e in _json(archive, "data/endorsements.json")] == ["قضية الزميلة"]
    assert [a["title"] for a in _json(archive, "data/agenda_proposals.json")] == ["بندي على جدول الأعمال"]
    messages = _json(archive, "data/chat_messages.json")
    assert [m["text"] for m in messages] == ["رسالتي في الدردشة", "رسالتي الخاصة"]
    assert "مجموعة القضايا الدستورية" in messages[0]["conversation"]
    assert "ليلى حداد" in messages[1]["conversation"]  # the other person of a one-to-one chat: context
    answers = _json(archive, "data/questionnaire_answers.json")
    assert {(a["question"], a["answer"]) for a in answers} == {
        ("ما أولويتك؟", "التعليم"),
        ("ما الذي تحتاجه؟", "جوابي المسمى"),
    }
    assert all(a["sent"] and a["questionnaire"] == "استبيان الاحتياجات" for a in answers)
    assert [r["questionnaire"] for r in _json(archive, "data/anonymous_questionnaires.json")] == [
        "استبيان مجهول"
    ]
    assert (
        "anonymous" in _json(archive, "manifest.json")["notes"]["data/anonymous_questionnaires.json"]
        or "مجهول" in _json(archive, "manifest.json")["notes"]["data/anonymous_questionnaires.json"]
    )
    assert [(r["event"], r["answer"]) for r in _json(archive, "data/event_responses.json")] == [
        ("اجتماع المجموعة", "going")
    ]
    assert [(m["space"], m["role"], m["state"]) for m in _json(archive, "data/memberships.json")] == [
        ("مجموعة القضايا الدستورية", "member", "active")
    ]
    settings_rows = {
        row["setting"]: row["value"] for row in _json(archive, "data/notification_settings.json")
    }
    assert settings_rows["notification:mention"] is False and settings_rows["notification:reply"] is True
    assert settings_rows["digest"] == "weekly"

    everything = b"".join(archive.read(name) for name in names).decode("utf-8")
    for text in MY_TEXTS:
        assert text in everything
    for text in OTHER_TEXTS:
        assert text not in everything, text
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_DOWNLOAD)
    assert (event.actor, event.target_id) == (member, str(member.pk))


def test_the_page_opens_in_arabic_right_to_left_and_loads_nothing(world, clients, history):
    _response, archive = _download(clients["member"])
    page = _Page(archive.read("index.html").decode("utf-8"))
    assert page.first("html") == {"lang": "ar", "dir": "rtl"}
    text = "".join(page.text)
    assert "بياناتي" in text or "بيانات" in text
    assert "رسالتي الخاصة" in text and "نص منشوري الأول" in text
    assert not any(tag in ("script", "link", "img", "iframe") for tag, _attrs in page.tags)
    for _tag, attrs in page.tags:
        assert all(
            not value or value.startswith("#") for name, value in attrs.items() if name in ("href", "src")
        ), attrs


def test_the_page_is_in_english_left_to_right_for_an_english_speaker(world, clients, history):
    member = world["users"]["member"]
    member.preferred_language = "en"
    member.save()
    _response, archive = _download(clients["member"])
    page = _Page(archive.read("index.html").decode("utf-8"))
    assert page.first("html") == {"lang": "en", "dir": "ltr"}
    text = "".join(page.text)
    assert "My data on the CSSR platform" in text and "My posts in discussions" in text
    assert "Anonymous questionnaires I answered" in text
    assert "The members of a space" not in text  # nothing untranslated beyond the user's own content


def test_the_url_names_nobody_so_each_person_gets_only_their_own_data(world, clients, history):
    assert reverse(DOWNLOAD) == "/accounts/profile/my-data/"
    member = world["users"]["member"]
    response = clients["rapporteur"].post(reverse(DOWNLOAD), {"user": member.pk, "user_id": member.pk})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert _json(archive, "data/profile.json")["username"] == "rapporteur"
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    for text in MY_TEXTS:
        assert text not in everything


def test_anonymous_visitors_are_sent_to_sign_in_and_get_is_refused(world, clients, history):
    response = Client().post(reverse(DOWNLOAD))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert clients["member"].get(reverse(DOWNLOAD)).status_code == 405
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_DOWNLOAD).exists()


def test_the_profile_offers_the_download(world, clients):
    body = clients["member"].get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse(DOWNLOAD)}"' in body and 'method="post"' in body


def _grow(world, history, rows):
    """`rows` more of each of the member's contributions (written directly: volume, not behaviour)."""
    member, thread = world["users"]["member"], history["thread"]
    Post.objects.bulk_create(Post(thread=thread, author=member, body=f"رد {n}") for n in range(rows))
    Message.objects.bulk_create(
        Message(conversation=history["direct"], author=member, body=f"رسالة {n}") for n in range(rows)
    )


def _count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        _download(client)
    return len(queries)


def test_queries_do_not_grow_with_the_history(world, clients, history, django_assert_max_num_queries):
    few = _count_queries(clients["member"])
    _grow(world, history, 450)  # more than two chunks of the export's iterator
    with django_assert_max_num_queries(40):
        _response, archive = _download(clients["member"])
    assert (
        len(_json(archive, "data/posts.json")) == 453
        and len(_json(archive, "data/chat_messages.json")) == 452
    )
    assert _count_queries(clients["member"]) == few


# --- Anonymising a departed participant ---------------------------------------------------------


@pytest.fixture
def arabic_former_member(settings, tmp_path):
    """An Arabic catalog entry for the anonymised name, compiled beside the platform's own, so these tests
    prove the label is translated for each reader whatever the state of the shared catalog."""
    folder = tmp_path / "locale" / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : '
        'n%100>=11 && n%100<=99 ? 4 : 5;\\n"\n\nmsgid "Former member"\nmsgstr "عضو سابق"\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")], check=True)
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    return "عضو سابق"


def _sign_in(username, password=factories.PASSWORD):
    client = Client()
    client.post(reverse("account_login"), {"login": username, "password": password})
    return client


def test_anonymised_posts_read_former_member_in_each_readers_language(
    world, clients, history, arabic_former_member
):
    member, staff = world["users"]["member"], world["users"]["staff"]
    url = reverse("workgroups:thread-detail", args=[world["space"].pk, history["thread"].pk])
    assert "عمر الخطيب" in clients["rapporteur"].get(url).content.decode()
    account_services.user_anonymise(actor=staff, user=member)

    arabic = clients["rapporteur"].get(url).content.decode()
    assert "ردّي على النقاش" in arabic  # the contribution stays
    assert arabic_former_member in arabic and "عمر الخطيب" not in arabic
    reader = world["users"]["political_officer"]
    reader.preferred_language = "en"
    reader.save()
    english = clients["political_officer"].get(url).content.decode()
    assert "Former member" in english and "عمر الخطيب" not in english and "ردّي على النقاش" in english
    message = Message.objects.get(body="رسالتي في الدردشة")
    with translation.override("en"):
        assert chat_services.message_payload(message)["author"] == "Former member"
    with translation.override("ar"):
        assert chat_services.message_payload(message)["author"] == arabic_former_member


def test_anonymisation_erases_the_person_and_ends_every_way_in(
    world, history, django_capture_on_commit_callbacks
):
    member, staff, space = world["users"]["member"], world["users"]["staff"], world["space"]
    member.country_of_residence, member.time_zone = "TR", "Europe/Istanbul"
    member.save()
    signed_in = _sign_in("member")
    assert signed_in.get(reverse("accounts:profile")).status_code == 200
    TOTP.activate(member, generate_totp_secret())
    KnownDevice.objects.create(user=member, token_hash="a" * 64, label="Firefox on Android")
    session_key = signed_in.session.session_key
    assert UserSession.objects.filter(user=member).exists()
    read_thread = Post.objects.filter(author=member).first().thread
    assert signed_in.get(read_thread.get_absolute_url()).status_code == 200
    assert ThreadRead.objects.filter(user=member).exists()

    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_anonymise(actor=staff, user=member)

    member.refresh_from_db()
    assert member.username.startswith("former-") and member.anonymised_at is not None
    assert (
        member.email,
        member.display_name,
        member.title,
        member.gender,
        member.age_band,
        member.region,
        member.country_of_residence,
    ) == ("", "", "", "", "", "", "")
    assert member.time_zone == "Asia/Damascus" and not member.expertise_areas.exists()
    assert not member.is_active and not member.has_usable_password()
    assert not Authenticator.objects.filter(user=member).exists()
    assert not KnownDevice.objects.filter(user=member).exists()
    assert not UserSession.objects.filter(user=member).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    response = signed_in.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for login in ("member", member.username, "member@example.org"):
        attempt = Client()
        attempt.post(reverse("account_login"), {"login": login, "password": factories.PASSWORD})
        assert "_auth_user_id" not in attempt.session, login
    membership = Membership.objects.get(user=member, space=space)
    assert membership.state == Membership.State.LEFT
    assert membership.events.filter(action=MembershipEvent.Action.LEFT, actor=staff).exists()
    assert not access.can(member, "view", space)
    assert not member.groups.exists()
    assert Post.objects.filter(author=member).count() == 3  # contributions stay, unattributed
    assert not NotificationSetting.objects.filter(user=member).exists()
    assert not ThreadRead.objects.filter(user=member).exists()
    audit = AuditEvent.objects.get(action=AuditEvent.Action.ANONYMISATION)
    assert (audit.actor, audit.target_id, audit.target_label) == (staff, str(member.pk), member.username)
    assert "عمر الخطيب" not in audit.target_label


def test_anonymising_twice_changes_nothing_more(world, history):
    member, staff = world["users"]["member"], world["users"]["staff"]
    account_services.user_anonymise(actor=staff, user=member)
    member.refresh_from_db()
    before = (
        member.username,
        member.anonymised_at,
        MembershipEvent.objects.count(),
        AuditEvent.objects.count(),
    )
    account_services.user_anonymise(actor=staff, user=member)
    member.refresh_from_db()
    assert (
        member.username,
        member.anonymised_at,
        MembershipEvent.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_anonymisation_blanks_the_audit_labels_that_name_the_person_and_keeps_the_lines(world):
    """The trail still says who did what, when, to which object id; no line names the person any more
    (their account, their memberships, or a label holding their name), on SQLite and on PostgreSQL
    (whose trigger lets only this blanking through)."""
    from accounts.audit import record

    member, staff, space = world["users"]["member"], world["users"]["staff"], world["space"]
    membership = Membership.objects.get(user=member, space=space)
    name = member.display_name
    about = [
        record(actor=staff, action=AuditEvent.Action.PASSWORD_SET_BY_STAFF, target=member),
        record(actor=staff, action=AuditEvent.Action.ROLE_CHANGED, target=membership, space=space),
        record(actor=staff, action=AuditEvent.Action.MODERATION, label=f"منشور كتبه {name}", space=space),
        record(actor=member, action=AuditEvent.Action.DATA_DOWNLOAD, target=member),
    ]
    unrelated = record(actor=staff, action=AuditEvent.Action.EXPORT, label="ملخص المخاوف", space=space)
    assert all(line.target_label for line in about) and any(name in line.target_label for line in about)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    account_services.user_anonymise(actor=staff, user=member)

    assert before < set(AuditEvent.objects.values_list("pk", flat=True))  # every line stays, new ones added
    for line in about:
        kept = AuditEvent.objects.get(pk=line.pk)
        assert kept.target_label == ""
        assert (kept.actor_id, kept.action, kept.target_type, kept.target_id, kept.at) == (
            line.actor_id,
            line.action,
            line.target_type,
            line.target_id,
            line.at,
        )
    assert AuditEvent.objects.get(pk=unrelated.pk).target_label == "ملخص المخاوف"
    assert not AuditEvent.objects.filter(target_label__icontains=name).exists()
    assert (
        not AuditEvent.objects.filter(target_label__icontains="member")
        .exclude(action=AuditEvent.Action.ANONYMISATION)
        .exists()
    )


def test_staff_accounts_oneself_and_non_staff_are_refused(world):
    staff, member, rapporteur = (
        world["users"]["staff"],
        world["users"]["member"],
        world["users"]["rapporteur"],
    )
    other_staff = factories.StaffFactory(username="staff2", display_name="فريق آخر")
    with pytest.raises(ValidationError, match="Staff accounts"):
        with translation.override("en"):
            account_services.user_anonymise(actor=staff, user=other_staff)
    with pytest.raises(ValidationError, match="your own account"):
        with translation.override("en"):
            account_services.user_anonymise(actor=staff, user=staff)
    with pytest.raises(PermissionDenied):
        account_services.user_anonymise(actor=rapporteur, user=member)
    assert not User.objects.filter(anonymised_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISATION).exists()
    assert Membership.objects.get(user=member, space=world["space"]).state == Membership.State.ACTIVE


def _action(client, users, **extra):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "anonymise", "_selected_action": [user.pk for user in users], **extra},
    )


def test_admin_action_confirms_then_anonymises(world, clients, history):
    member = world["users"]["member"]
    page = _action(clients["staff"], [member])
    assert page.status_code == 200
    body = page.content.decode()
    assert "عمر الخطيب" in body and 'name="confirm"' in body
    member.refresh_from_db()
    assert member.anonymised_at is None  # nothing happens before the confirmation
    response = _action(clients["staff"], [member], confirm="yes")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.anonymised_at is not None and not member.is_active
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISATION, target_id=str(member.pk)).count()
        == 1
    )


def test_admin_action_refuses_staff_and_oneself_with_a_reason(world, clients):
    staff = world["users"]["staff"]
    other_staff = factories.StaffFactory(username="staff2", display_name="فريق آخر")
    page = _action(clients["staff"], [staff, other_staff]).content.decode()
    assert 'name="confirm"' not in page
    with translation.override("ar"):
        assert account_services.user_anonymise_refusal(actor=staff, user=staff) in page
    response = _action(clients["staff"], [staff, other_staff], confirm="yes")
    assert response.status_code == 302
    assert not User.objects.filter(anonymised_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISATION).exists()


@pytest.mark.parametrize("role", ["anonymous", "member", "rapporteur", "technical_officer"])
def test_the_admin_action_is_out_of_reach_of_non_staff(world, clients, role):
    member = world["users"]["member"]
    response = _action(clients[role], [member], confirm="yes")
    assert response.status_code == 302 and "login" in response["Location"]
    member.refresh_from_db()
    assert member.anonymised_at is None and member.is_active
