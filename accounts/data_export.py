"""A participant's own data, for them to download: a ZIP of JSON files and one readable page.

`data_export_write(*, user, file)` writes the archive into an open binary file (the view gives it a
temporary file). Each kind of data is read with one query (the chat and the questionnaire answers
with one more: the names of one-to-one partners, the chosen options), streamed with `iterator()` and
written as it is read: the JSON straight into its member of the archive, the readable rows into a
temporary file that becomes `index.html` at the end. So the number of queries does not grow with the
history, and a long history never sits in memory whole.

Only the user's own content is included. Other people appear only as the context needed to read it:
a discussion's title, a space's name, the other person of a one-to-one chat. Answers to an anonymous
questionnaire are stored with no link to their author, by design: the export says so instead of
linking them back.
"""

import io
import json
import shutil
import tempfile
import zipfile
import zoneinfo
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from chat.models import Conversation, Message, Participant
from events.models import EventAnswer
from workgroups.models import (
    AgendaItem,
    Answer,
    AnswerChoice,
    Concern,
    DigestMute,
    DigestSubscription,
    Endorsement,
    ExpressionOfInterest,
    GroupProposal,
    Membership,
    Notification,
    NotificationSetting,
    Post,
    PostRevision,
    Question,
    Receipt,
)

from .models import ConductAcceptance

FORMAT_VERSION = 1
CHUNK = 200  # rows read per database round trip and rendered per template call
SECTIONS_MARKER = "<!--sections-->"


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    kind: str = "text"  # text, long (a user's multi-line text), datetime, flag


@dataclass(frozen=True)
class Section:
    """One kind of data: `data/<key>.json` in the archive and one table of `index.html`."""

    key: str
    title: object
    columns: tuple
    rows: object  # callable(user) -> iterable of dicts: JSON-ready values (datetimes allowed)
    note: object = ""


def _conduct_acceptances(user):
    acceptances = (
        ConductAcceptance.objects.filter(user=user).select_related("conduct").order_by("accepted_at", "pk")
    )
    for acceptance in acceptances.iterator(chunk_size=CHUNK):
        yield {
            "version": acceptance.conduct.version,
            "title": acceptance.conduct.title,
            "accepted_at": acceptance.accepted_at,
        }


def _posts(user):
    posts = Post.objects.filter(author=user).select_related("thread__space").order_by("created_at", "pk")
    for post in posts.iterator(chunk_size=CHUNK):
        yield {
            "id": post.pk,
            "space": post.thread.space.name,
            "discussion": post.thread.title,
            "text": post.body,
            "written_at": post.created_at,
            "edited_at": post.edited_at,
            "deleted_at": post.deleted_at,
            "hidden_by_moderator": post.hidden_at is not None,
        }


def _post_revisions(user):
    revisions = (
        PostRevision.objects.filter(post__author=user)
        .select_related("post__thread__space")
        .order_by("post_id", "created_at", "pk")
    )
    for revision in revisions.iterator(chunk_size=CHUNK):
        yield {
            "post_id": revision.post_id,
            "space": revision.post.thread.space.name,
            "discussion": revision.post.thread.title,
            "text": revision.body,
            "replaced_at": revision.created_at,
        }


def _concerns(user):
    for concern in (
        Concern.objects.filter(author=user)
        .select_related("space")
        .order_by("created_at", "pk")
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": concern.pk,
            "space": concern.space.name,
            "title": concern.title,
            "description": concern.description,
            "status": concern.status,
            "status_label": str(concern.get_status_display()),
            "proposed_at": concern.created_at,
        }


def _endorsements(user):
    endorsements = (
        Endorsement.objects.filter(user=user).select_related("concern__space").order_by("created_at", "pk")
    )
    for endorsement in endorsements.iterator(chunk_size=CHUNK):
        yield {
            "concern_id": endorsement.concern_id,
            "space": endorsement.concern.space.name,
            "concern": endorsement.concern.title,
            "endorsed_at": endorsement.created_at,
        }


def _agenda_proposals(user):
    items = AgendaItem.objects.filter(proposed_by=user).select_related("space").order_by("created_at", "pk")
    for item in items.iterator(chunk_size=CHUNK):
        yield {
            "id": item.pk,
            "space": item.space.name,
            "title": item.title,
            "description": item.description,
            "status": item.status,
            "status_label": str(item.get_status_display()),
            "proposed_at": item.created_at,
        }


def _conversation_label(conversation, partners):
    if conversation.kind == Conversation.Kind.SPACE:
        return _("Chat of %(space)s") % {"space": conversation.space.name}
    if conversation.kind == Conversation.Kind.GROUP:
        return _("%(title)s (group chat in %(space)s)") % {
            "title": conversation.title,
            "space": conversation.space.name,
        }
    return _("One-to-one chat with %(name)s") % {"name": partners.get(conversation.pk) or _("Former member")}


def _chat_messages(user):
    partners = {
        participant.conversation_id: participant.user.public_name
        for participant in Participant.objects.filter(
            conversation__kind=Conversation.Kind.DIRECT, conversation__participants__user=user
        )
        .exclude(user=user)
        .select_related("user")
    }
    messages = Message.objects.filter(author=user).select_related("conversation__space").order_by("pk")
    for message in messages.iterator(chunk_size=CHUNK):
        yield {
            "id": message.pk,
            "conversation": _conversation_label(message.conversation, partners),
            "conversation_kind": message.conversation.kind,
            "text": message.body,
            "sent_at": message.created_at,
            "edited_at": message.edited_at,
            "deleted_at": message.deleted_at,
        }


def _answer_value(answer, chosen):
    if chosen:
        return "; ".join(chosen)
    if answer.question.kind == Question.Kind.DECLARATION:
        return pgettext("a declaration in a questionnaire", "Confirmed")
    if answer.number is not None:
        return str(answer.number)
    return answer.text


def _questionnaire_answers(user):
    # Both streams in answer order: the chosen options are merged into their answer as they come.
    choices = (
        AnswerChoice.objects.filter(answer__submission__respondent=user)
        .order_by("answer_id", "rank", "option__position", "pk")
        .values_list("answer_id", "option__text", "rank")
        .iterator(chunk_size=CHUNK)
    )
    pending = next(choices, None)
    answers = (
        Answer.objects.filter(submission__respondent=user)
        .select_related("question", "submission__questionnaire__space")
        .order_by("pk")
    )
    for answer in answers.iterator(chunk_size=CHUNK):
        chosen = []
        while pending is not None and pending[0] <= answer.pk:
            if pending[0] == answer.pk:
                chosen.append(f"{pending[2]}. {pending[1]}" if pending[2] else pending[1])
            pending = next(choices, None)
        submission = answer.submission
        questionnaire = submission.questionnaire
        yield {
            "questionnaire": questionnaire.title,
            "space": questionnaire.space.name if questionnaire.space_id else "",
            "question": answer.question.text,
            "answer": _answer_value(answer, chosen),
            "sent": submission.is_submitted,
            "saved_at": submission.submitted_at or submission.updated_at,
        }


def _anonymous_questionnaires(user):
    receipts = (
        Receipt.objects.filter(user=user, questionnaire__is_anonymous=True)
        .select_related("questionnaire__space")
        .order_by("pk")
    )
    for receipt in receipts.iterator(chunk_size=CHUNK):
        questionnaire = receipt.questionnaire
        yield {
            "questionnaire": questionnaire.title,
            "space": questionnaire.space.name if questionnaire.space_id else "",
        }


def _event_answers(user):
    answers = (
        EventAnswer.objects.filter(user=user)
        .select_related("event__space")
        .order_by("event__starts_at", "pk")
    )
    for answer in answers.iterator(chunk_size=CHUNK):
        yield {
            "space": answer.event.space.name,
            "event": answer.event.title,
            "starts_at": answer.event.starts_at,
            "answer": answer.answer,
            "answer_label": str(answer.get_answer_display()),
            "answered_at": answer.answered_at,
        }


def _memberships(user):
    memberships = Membership.objects.filter(user=user).select_related("space").order_by("joined_at", "pk")
    for membership in memberships.iterator(chunk_size=CHUNK):
        yield {
            "space": membership.space.name,
            "role": membership.role,
            "role_label": str(membership.get_role_display()),
            "state": membership.state,
            "state_label": str(membership.get_state_display()),
            "joined_at": membership.joined_at,
            "state_since": membership.state_changed_at,
        }


def _on_off(enabled):
    return pgettext("a setting", "On") if enabled else pgettext("a setting", "Off")


def _notification_settings(user):
    muted = set(NotificationSetting.objects.filter(user=user).values_list("kind", flat=True))
    for kind, label in Notification.Kind.choices:
        yield {
            "setting": f"notification:{kind}",
            "description": str(label),
            "value": kind not in muted,
            "value_label": _on_off(kind not in muted),
        }
    frequency = (
        DigestSubscription.objects.filter(user=user).values_list("frequency", flat=True).first()
        or DigestSubscription._meta.get_field("frequency").get_default()
    )
    yield {
        "setting": "digest",
        "description": _("E-mail digest"),
        "value": frequency,
        "value_label": str(DigestSubscription.Frequency(frequency).label),
    }
    for mute in (
        DigestMute.objects.filter(user=user)
        .select_related("space", "thread")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    ):
        name = mute.space.name if mute.space_id else mute.thread.title
        yield {
            "setting": "digest:left_out",
            "description": _("In the e-mail digest: %(name)s") % {"name": name},
            "value": False,
            "value_label": _on_off(False),
        }


def _expressions_of_interest(user):
    interests = (
        ExpressionOfInterest.objects.filter(user=user).select_related("theme").order_by("created_at", "pk")
    )
    for interest in interests.iterator(chunk_size=CHUNK):
        yield {
            "theme": interest.theme.name,
            "expertise": interest.expertise,
            "motivation": interest.motivation,
            "civic_activity": interest.civic_activity,
            "status": interest.status,
            "status_label": str(interest.get_status_display()),
            "submitted_at": interest.created_at,
        }


def _group_proposals(user):
    proposals = (
        GroupProposal.objects.filter(proposer=user).select_related("theme").order_by("created_at", "pk")
    )
    for proposal in proposals.iterator(chunk_size=CHUNK):
        yield {
            "title": proposal.title,
            "rationale": proposal.rationale,
            "theme": proposal.theme.name if proposal.theme_id else "",
            "status": proposal.status,
            "status_label": str(proposal.get_status_display()),
            "submitted_at": proposal.created_at,
        }


SPACE = Column("space", gettext_lazy("Space"))
STATUS = Column("status_label", gettext_lazy("Status"))

SECTIONS = (
    Section(
        "memberships",
        gettext_lazy("My memberships"),
        (
            SPACE,
            Column("role_label", gettext_lazy("Role")),
            Column("state_label", gettext_lazy("State")),
            Column("joined_at", gettext_lazy("Joined"), "datetime"),
            Column("state_since", gettext_lazy("In this state since"), "datetime"),
        ),
        _memberships,
    ),
    Section(
        "conduct_acceptances",
        gettext_lazy("Code of conduct I accepted"),
        (
            Column("version", gettext_lazy("Version")),
            Column("title", gettext_lazy("Title")),
            Column("accepted_at", gettext_lazy("Accepted"), "datetime"),
        ),
        _conduct_acceptances,
    ),
    Section(
        "posts",
        gettext_lazy("My posts in discussions"),
        (
            SPACE,
            Column("discussion", gettext_lazy("Discussion")),
            Column("text", gettext_lazy("My text"), "long"),
            Column("written_at", gettext_lazy("Written"), "datetime"),
            Column("edited_at", gettext_lazy("Edited"), "datetime"),
            Column("deleted_at", gettext_lazy("Deleted by me"), "datetime"),
            Column("hidden_by_moderator", gettext_lazy("Hidden by the technical officer"), "flag"),
        ),
        _posts,
    ),
    Section(
        "post_revisions",
        gettext_lazy("Earlier versions of my edited posts"),
        (
            SPACE,
            Column("discussion", gettext_lazy("Discussion")),
            Column("text", gettext_lazy("Earlier text"), "long"),
            Column("replaced_at", gettext_lazy("Replaced"), "datetime"),
        ),
        _post_revisions,
    ),
    Section(
        "concerns",
        gettext_lazy("Concerns I proposed"),
        (
            SPACE,
            Column("title", gettext_lazy("Title")),
            Column("description", gettext_lazy("Description"), "long"),
            STATUS,
            Column("proposed_at", gettext_lazy("Proposed"), "datetime"),
        ),
        _concerns,
    ),
    Section(
        "endorsements",
        gettext_lazy("Concerns I endorsed"),
        (
            SPACE,
            Column("concern", gettext_lazy("Concern")),
            Column("endorsed_at", gettext_lazy("Endorsed"), "datetime"),
        ),
        _endorsements,
    ),
    Section(
        "agenda_proposals",
        gettext_lazy("Agenda items I proposed"),
        (
            SPACE,
            Column("title", gettext_lazy("Title")),
            Column("description", gettext_lazy("Description"), "long"),
            STATUS,
            Column("proposed_at", gettext_lazy("Proposed"), "datetime"),
        ),
        _agenda_proposals,
    ),
    Section(
        "chat_messages",
        gettext_lazy("Chat messages I sent"),
        (
            Column("conversation", gettext_lazy("Conversation")),
            Column("text", gettext_lazy("My message"), "long"),
            Column("sent_at", gettext_lazy("Sent"), "datetime"),
            Column("edited_at", gettext_lazy("Edited"), "datetime"),
            Column("deleted_at", gettext_lazy("Deleted"), "datetime"),
        ),
        _chat_messages,
    ),
    Section(
        "questionnaire_answers",
        gettext_lazy("My answers to questionnaires"),
        (
            Column("questionnaire", gettext_lazy("Questionnaire")),
            Column("question", gettext_lazy("Question")),
            Column("answer", gettext_lazy("My answer"), "long"),
            Column("sent", gettext_lazy("Sent"), "flag"),
            Column("saved_at", gettext_lazy("Saved"), "datetime"),
        ),
        _questionnaire_answers,
    ),
    Section(
        "anonymous_questionnaires",
        gettext_lazy("Anonymous questionnaires I answered"),
        (
            Column("questionnaire", gettext_lazy("Questionnaire")),
            SPACE,
        ),
        _anonymous_questionnaires,
        note=gettext_lazy(
            "These questionnaires are anonymous. "
            "Your answers to them are stored with no link to you, by design, "
            "so they cannot be included here: the platform keeps only the fact that you answered."
        ),
    ),
    Section(
        "event_responses",
        gettext_lazy("My answers to events"),
        (
            SPACE,
            Column("event", gettext_lazy("Event")),
            Column("starts_at", gettext_lazy("Starts"), "datetime"),
            Column("answer_label", gettext_lazy("My answer")),
            Column("answered_at", gettext_lazy("Answered"), "datetime"),
        ),
        _event_answers,
    ),
    Section(
        "expressions_of_interest",
        gettext_lazy("My expressions of interest"),
        (
            Column("theme", gettext_lazy("Theme")),
            Column("expertise", gettext_lazy("Expertise"), "long"),
            Column("motivation", gettext_lazy("Motivation"), "long"),
            Column("civic_activity", gettext_lazy("Civic activity"), "long"),
            STATUS,
            Column("submitted_at", gettext_lazy("Submitted"), "datetime"),
        ),
        _expressions_of_interest,
    ),
    Section(
        "group_proposals",
        gettext_lazy("Working groups I proposed"),
        (
            Column("title", gettext_lazy("Title")),
            Column("rationale", gettext_lazy("Rationale"), "long"),
            Column("theme", gettext_lazy("Theme")),
            STATUS,
            Column("submitted_at", gettext_lazy("Submitted"), "datetime"),
        ),
        _group_proposals,
    ),
    Section(
        "notification_settings",
        gettext_lazy("My notification settings"),
        (
            Column("description", gettext_lazy("Setting")),
            Column("value_label", pgettext_lazy("a setting", "Value")),
        ),
        _notification_settings,
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def _profile(user):
    """The profile as JSON, and as (label, value) rows for the page: the private fields included."""
    fields = user._meta
    areas = [area.name for area in user.expertise_areas.order_by("name")]
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "title": user.title,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "gender": user.gender,
        "age_band": user.age_band,
        "region": user.region,
        "country_of_residence": user.country_of_residence,
        "expertise_areas": areas,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }
    shown = {
        "gender": user.get_gender_display(),
        "age_band": user.get_age_band_display(),
        "region": user.get_region_display(),
        "country_of_residence": user.get_country_of_residence_display(),
        "preferred_language": user.get_preferred_language_display(),
        "expertise_areas": ", ".join(areas),
    }
    rows = []
    for key, value in data.items():
        kind = "datetime" if key in ("date_joined", "last_login") else "text"
        label = fields.get_field(key).verbose_name
        rows.append(
            [{"value": capfirst(label), "kind": "text"}, {"value": shown.get(key, value), "kind": kind}]
        )
    return data, rows


def _json_line(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _write_section(archive, page, section, user):
    """Stream one section into `data/<key>.json` and its table into `page`; return its row count."""
    count = 0
    rows = iter(section.rows(user))
    with archive.open(f"data/{section.key}.json", "w") as member:
        member.write(b"[")
        chunk = list(islice(rows, CHUNK))
        page.write(
            render_to_string("accounts/export/_section_start.html", {"section": section, "empty": not chunk})
        )
        while chunk:
            for row in chunk:
                member.write(("\n" if count == 0 else ",\n").encode() + _json_line(row).encode())
                count += 1
            cells = [
                [{"value": row.get(column.key), "kind": column.kind} for column in section.columns]
                for row in chunk
            ]
            page.write(render_to_string("accounts/export/_section_rows.html", {"rows": cells}))
            chunk = list(islice(rows, CHUNK))
        member.write(b"\n]\n")
        page.write(render_to_string("accounts/export/_section_end.html", {"empty": count == 0}))
    return count


def _zone(user):
    try:
        return zoneinfo.ZoneInfo(user.time_zone or settings.CSSR_DEFAULT_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.CSSR_DEFAULT_TIME_ZONE)


def data_export_filename(*, now=None):
    """The archive's name: a date, never the person's name (a file name is seen by whoever sees the phone)."""
    return f"cssr-my-data-{timezone.localdate(now or timezone.now()).isoformat()}.zip"


def data_export_write(*, user, file):
    """Write `user`'s own data into `file` (an open, writable binary file) as a ZIP archive:
    `index.html` (readable, in the user's language and direction, needing nothing else), `data/*.json`
    (machine-readable) and `manifest.json`. Reads only; the caller records the download."""
    language = (
        user.preferred_language
        if user.preferred_language in dict(settings.LANGUAGES)
        else settings.LANGUAGE_CODE
    )
    with translation.override(language), timezone.override(_zone(user)):
        generated_at = timezone.now()
        with (
            zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            tempfile.TemporaryFile("w+", encoding="utf-8") as page,
        ):
            profile, profile_rows = _profile(user)
            archive.writestr("data/profile.json", _json_line(profile) + "\n")
            page.write(render_to_string("accounts/export/_profile.html", {"rows": profile_rows}))
            contents = [{"key": "profile", "title": _("My profile"), "count": 1}]
            for section in SECTIONS:
                count = _write_section(archive, page, section, user)
                contents.append({"key": section.key, "title": str(section.title), "count": count})
            archive.writestr(
                "manifest.json",
                _json_line(
                    {
                        "format": FORMAT_VERSION,
                        "generated_at": generated_at,
                        "language": language,
                        "files": {
                            f"data/{entry['key']}.json": {"title": entry["title"], "count": entry["count"]}
                            for entry in contents
                        },
                        "notes": {
                            "data/anonymous_questionnaires.json": str(
                                SECTIONS_BY_KEY["anonymous_questionnaires"].note
                            )
                        },
                    }
                )
                + "\n",
            )
            head, tail = render_to_string(
                "accounts/export/index.html",
                {
                    "language": language,
                    "direction": "rtl" if translation.get_language_bidi() else "ltr",
                    "name": user.public_name,
                    "generated_at": generated_at,
                    "contents": contents,
                },
            ).split(SECTIONS_MARKER)
            page.seek(0)
            with io.TextIOWrapper(archive.open("index.html", "w"), encoding="utf-8") as writer:
                writer.write(head)
                shutil.copyfileobj(page, writer)
                writer.write(tail)
