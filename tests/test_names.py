"""Names people can trust: display names that cannot pass for a co-member or the platform's team, and
names and titles without direction controls or invisible characters (accounts/names.py, cssr/text.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.names import display_name_clean, name_key
from cssr.text import clean_single_line
from documents.services import drafts as services_drafts
from documents.services import library
from workgroups import services
from workgroups.models import Concern, Membership, Thread

from . import factories
from .conftest import client_for
from .matrix.documents import text_upload

pytestmark = pytest.mark.django_db

PROFILE = {"title": "", "preferred_language": "ar", "time_zone": "Asia/Damascus"}
RLO = "\u202e"
# Every direction control and invisible character the rule names.
INVISIBLE = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
]


def _post_profile(user, display_name, **fields):
    client = client_for(user)
    return client.post(reverse("accounts:profile"), {**PROFILE, **fields, "display_name": display_name})


def _refusal(response):
    """The code of the display name's error on the profile form."""
    assert response.status_code == 200
    return [error.code for error in response.context["form"].errors.as_data()["display_name"]]


# --- The shared one-line rule --------------------------------------------------------------------


@pytest.mark.parametrize("character", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_direction_controls_and_invisible_characters_are_removed(character):
    assert clean_single_line(f"تقرير{character}gpj.txt") == "تقريرgpj.txt"
    assert clean_single_line(f"عمر {character}الخطيب") == "عمر الخطيب"


def test_a_single_line_keeps_letters_of_every_script_and_folds_spaces():
    assert (
        clean_single_line("  المبادئ\nالدستورية\t— Principles 2026 🙂  ")
        == "المبادئ الدستورية — Principles 2026 🙂"
    )
    assert clean_single_line("\u3164\u115f") == ""  # blank Hangul fillers
    assert clean_single_line(None) == ""


def test_name_keys_fold_spelling_case_spaces_and_punctuation():
    assert name_key("أحمد  الخطيب.") == name_key("احمد الخطيب") == name_key("إحمد الخطيب")
    assert name_key("Omar Al-Khatib") == name_key("omar al khatib") == name_key(" OMAR ALKHATIB ")
    assert name_key("عمر الخطيب") != name_key("عمر الخطيب 2")


# --- Display names: co-members --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taken", "attempt"),
    [
        ("أسامة الإدلبي", "اسامة الادلبي"),  # hamza on and under alef
        ("مسؤول الملف", "مسئول الملف"),  # seat of the hamza
        ("أسامة الإدلبي", "أسامه الإدلبي"),  # ta marbuta
        ("مصطفى حلبي", "مصطفي حلبي"),  # alef maqsura
        ("مصطفى حلبي", "مُصْطَفَى حَلَبِي"),  # diacritics
        ("مصطفى حلبي", "مصـــطفى حلبي"),  # tatweel
        ("Omar Khatib", "OMAR khatib"),  # case
        ("Omar Khatib", "  Omar   Khatib  "),  # surrounding and repeated spaces
        ("Omar Khatib", "Omar\u200bKhatib"),  # a zero-width space
        ("Omar Khatib", "Omar Khatib."),  # punctuation
        ("Layla Haddad", "L\u0430yla H\u0430dd\u0430d"),  # Cyrillic a drawn as Latin a
        ("Nour Saleh", "N\u03bfur S\u0430leh"),  # Greek omicron, Cyrillic a
        ("Layla Haddad", "LayIa Haddad"),  # a capital I drawn as a small l
        ("Omar Khatib", "\u041emar \u041a\u04bbatib"),  # Cyrillic O, K and shha
        ("فاطمة حسن", "فاطمہ حسن"),  # Urdu heh goal for ta marbuta
        ("فاطمة حسن", "فاطمۀ حسن"),  # heh with yeh above
    ],
)
def test_the_name_of_a_co_member_is_refused_in_any_spelling(world, taken, attempt):
    factories.add_member(world["space"], display_name=taken)
    member = world["users"]["member"]
    assert _refusal(_post_profile(member, attempt)) == ["taken"]
    member.refresh_from_db()
    assert member.display_name == "عمر الخطيب"


def test_the_refusal_is_explained_in_the_users_language(world):
    member = world["users"]["member"]
    member.preferred_language = "en"
    member.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(member)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:profile"), {**PROFILE, "preferred_language": "en", "display_name": "ليلى حداد"}
    )
    assert "Someone your co-members know already uses this name." in response.content.decode()
    response = client.post(
        reverse("accounts:profile"), {**PROFILE, "preferred_language": "en", "display_name": "CSSR"}
    )
    assert "This name is reserved for the platform and its team." in response.content.decode()


@pytest.mark.parametrize("role", ["rapporteur", "technical_officer", "locked_member"])
def test_names_of_officers_and_locked_members_of_the_space_count(world, role):
    name = world["users"][role].display_name
    assert _refusal(_post_profile(world["users"]["member"], name)) == ["taken"]


def test_a_departed_member_keeps_their_name_beside_their_posts(world):
    departed = factories.add_member(world["space"], display_name="رامي سليمان")
    Membership.objects.filter(user=departed).update(state=Membership.State.LEFT)
    assert _refusal(_post_profile(world["users"]["member"], "رامي سليمان")) == ["taken"]


def test_a_member_of_a_space_you_do_not_share_may_have_the_same_name(world):
    member = world["users"]["member"]
    assert world["users"]["other_member"].display_name == "سامي"  # in the other space only
    assert _post_profile(member, "سامي").status_code == 302
    member.refresh_from_db()
    assert member.display_name == "سامي"


def test_the_name_of_an_operations_staff_account_is_refused(world):
    factories.StaffFactory(display_name="رنا من العمليات")
    assert _refusal(_post_profile(world["users"]["outsider"], "رنا من العمليات")) == ["taken"]


def test_a_new_spelling_of_ones_own_name_is_kept(world):
    member = world["users"]["member"]
    assert _post_profile(member, "عُمَر الخطيب").status_code == 302
    member.refresh_from_db()
    assert member.display_name == "عُمَر الخطيب"


def test_names_that_already_collide_are_left_alone_but_a_new_collision_is_refused(world):
    space = world["space"]
    first = factories.add_member(space, display_name="هدى")
    second = factories.add_member(space, display_name="هدى")  # chosen before the rule
    assert _post_profile(second, "هدى", time_zone="Europe/Berlin").status_code == 302
    second.refresh_from_db()
    assert (second.display_name, second.time_zone) == ("هدى", "Europe/Berlin")
    assert _refusal(_post_profile(second, "ليلى حداد")) == ["taken"]
    first.refresh_from_db()
    assert first.display_name == "هدى"


# --- Display names: reserved --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "CSSR",
        "c.s.s.r",
        "فريق الدعم التشغيلي",
        "فريق  الدعم التشغيلى",
        "Operations Support",
        "المسئول الفني",
        "المسؤول الفنّي",
        "Technical officer",
        "ADMIN",
        "عضو سابق",
        "Former member",
    ],
)
def test_reserved_names_are_refused(world, name):
    member = world["users"]["member"]
    assert _refusal(_post_profile(member, name)) == ["reserved"]
    member.refresh_from_db()
    assert member.display_name == "عمر الخطيب"


def test_the_reserved_names_are_a_setting(world, settings):
    settings.CSSR_RESERVED_DISPLAY_NAMES = ["غرفة العمليات"]
    member = world["users"]["member"]
    assert _refusal(_post_profile(member, "غرفه العمليات")) == ["reserved"]
    assert _post_profile(member, "CSSR").status_code == 302


def test_operations_staff_may_use_a_reserved_name(world):
    staff = world["users"]["staff"]
    assert _post_profile(staff, "Operations support").status_code == 302
    staff.refresh_from_db()
    assert staff.display_name == "Operations support"


# --- Direction controls and invisible characters, on save ---------------------------------------


def test_a_display_name_is_saved_without_direction_controls(world):
    member = world["users"]["member"]
    assert _post_profile(member, f"عمر{RLO} الخطيب\u200b ٢").status_code == 302
    member.refresh_from_db()
    assert member.display_name == "عمر الخطيب ٢"


def test_a_display_name_made_only_of_invisible_characters_is_refused(world):
    member = world["users"]["member"]
    assert _refusal(_post_profile(member, RLO + "\u200b\u3164")) == ["empty"]
    member.refresh_from_db()
    assert member.display_name == "عمر الخطيب"


def test_the_display_name_rule_is_one_function_for_every_caller(world):
    member = world["users"]["member"]
    assert display_name_clean(f" {RLO}نور\u2066 ", user=member) == "نور"
    with pytest.raises(ValidationError) as error:
        display_name_clean("ليلى حداد", user=member)
    assert error.value.code == "taken"


def test_a_thread_title_is_saved_without_direction_controls_through_the_form(world, clients):
    space = world["space"]
    response = clients["member"].post(
        reverse("workgroups:thread-list", args=[space.pk]),
        {"title": f"الانتخابات {RLO}المحلية\u200f", "body": "نص"},
    )
    assert response.status_code == 302
    assert Thread.objects.get().title == "الانتخابات المحلية"


def test_a_thread_title_is_saved_without_direction_controls_through_the_service(world):
    thread = services.thread_create(
        actor=world["users"]["member"], space=world["space"], title=f"\u2067{RLO}exe.txt\u2069", body="نص"
    )
    thread.refresh_from_db()
    assert thread.title == "exe.txt"


def test_a_title_made_only_of_invisible_characters_is_refused_and_nothing_is_saved(world, clients):
    space = world["space"]
    response = clients["member"].post(
        reverse("workgroups:thread-list", args=[space.pk]), {"title": RLO + "\u200b", "body": "نص"}
    )
    assert response.status_code == 200
    assert not Thread.objects.exists()
    with pytest.raises(ValidationError):
        services.concern_propose(
            actor=world["users"]["member"], space=space, title="\u2066\u2069", description="x"
        )
    assert not Concern.objects.exists()


def test_concern_document_and_draft_titles_are_saved_without_direction_controls(world):
    space, member = world["space"], world["users"]["member"]
    concern = services.concern_propose(
        actor=member, space=space, title=f"حماية{RLO} الحريات", description="وصف"
    )
    document = library.document_create(
        actor=member, space=space, title=f"ورقة{RLO}\u200d العمل", upload=text_upload(f"ملف{RLO}txt.exe")
    )
    draft = services_drafts.draft_create(actor=member, space=space, title="\u202bمسودة المبادئ\u202c")
    concern.refresh_from_db()
    document.refresh_from_db()
    assert (concern.title, concern.thread.title) == ("حماية الحريات", "حماية الحريات")
    assert document.title == "ورقة العمل"
    assert document.current_version.original_name == "ملفtxt.txt"
    library.document_update(actor=member, document=document, title=f"{RLO}ورقة معدلة")
    document.refresh_from_db()
    assert document.title == "ورقة معدلة"
    assert draft.title == "مسودة المبادئ" and draft.sections.get().title == "مسودة المبادئ"


def test_staff_in_admin_follow_the_same_name_rule_when_inviting_and_editing(world):
    """Admin is no way around the rule: an invitation under a reserved name, or a participant renamed to
    a co-member's name, is refused with the message and creates or changes nothing."""
    from accounts.models import User

    staff, member = world["users"]["staff"], world["users"]["member"]
    admin = client_for(staff)
    response = admin.post(
        reverse("admin:accounts_invitation_add"),
        {
            "email": "new@example.org",
            "username": "newbie",
            "display_name": "فريق الدعم التشغيلي",
            "title": "",
            "preferred_language": "ar",
        },
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["display_name"]
    assert not User.objects.filter(username="newbie").exists()
    change = reverse("admin:accounts_user_change", args=[member.pk])
    form = admin.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(display_name=f"ليلى {RLO}حداد", date_joined_0="2026-01-01", date_joined_1="10:00:00")
    response = admin.post(change, data)
    assert response.status_code == 200 and "display_name" in response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.display_name != "ليلى حداد"


def test_a_group_conversation_title_is_saved_without_direction_controls(world):
    from chat import services as chat_services

    conversation = chat_services.group_conversation_create(
        actor=world["users"]["member"],
        space=world["space"],
        title=f"\u200f{RLO}تنسيق\u2066 الورشة ",
        members=[world["users"]["rapporteur"]],
    )
    assert conversation.title == "تنسيق الورشة"
