"""Every write of co-drafting and the final note.

Trusts its caller for the actor's role: a view, admin or the demo has asked the permission core
whether the actor may contribute or manage outputs in the space (`access.check_edit_draft`); a
space that is not active is asked of the core again (`access.require_active`). These functions
enforce the rules of the drafts themselves (a submitted note is locked, a save must start from the
current revision, the workflow's order) and raise ValidationError, PermissionDenied or
`StaleRevision`.
Each write is one transaction; state changes that race (saving a section, changing a note's
status) are conditional UPDATEs, so two requests at once never both win.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import audit
from cssr import arabic
from cssr import text as markdown_text
from cssr.search import index_text
from documents import attribution, exports
from documents.models import ArchiveEntry, Draft, Section, SectionComment, SectionRevision, SharingDecision
from workgroups import access
from workgroups.models import Concern, Contribution, Membership, Notification, Role
from workgroups.services import contribution_record
from workgroups.services.notifications import notify, notify_many

User = get_user_model()

TITLE_MAX = 200
SECTION_TEXT_MAX = 50000
COMMENT_MAX = 5000
EDITABLE_STATUSES = (Draft.Status.DRAFTING, Draft.Status.OPEN_FOR_COMMENTS, Draft.Status.JOINT_PROPOSAL)

# The final note's workflow, run by the rapporteurs: each status and where it may go next.
TRANSITIONS = {
    Draft.Status.DRAFTING: (Draft.Status.OPEN_FOR_COMMENTS,),
    Draft.Status.OPEN_FOR_COMMENTS: (Draft.Status.DRAFTING, Draft.Status.JOINT_PROPOSAL),
    Draft.Status.JOINT_PROPOSAL: (Draft.Status.OPEN_FOR_COMMENTS, Draft.Status.SUBMITTED),
    Draft.Status.SUBMITTED: (),
}

FINAL_NOTE_SECTIONS = (
    Section.Key.INTRODUCTION,
    Section.Key.AGREEMENT,
    Section.Key.DIVERGENCE,
    Section.Key.RECOMMENDATIONS,
)


class StaleRevision(Exception):  # noqa: N818 - a state, not a programming error
    """The section moved on since the editor opened it; nothing was written.

    `section` is the section as it is now (its text and revision number), for the merge view."""

    def __init__(self, section):
        super().__init__(f"section {section.pk} is at revision {section.revision_number}")
        self.section = section


def locked_message():
    return _(
        "This note has been submitted to the Office of the Special Envoy and is locked: "
        "it can no longer be changed."
    )


def _ensure_editable(draft):
    if draft.status not in EDITABLE_STATUSES:
        raise ValidationError(locked_message(), code="locked")


def _clean_title(title):
    title = markdown_text.clean_single_line(title)
    if not title:
        raise ValidationError(_("A title is required."), code="empty")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _("The title is too long (at most %(limit)s characters).") % {"limit": TITLE_MAX}, code="too_long"
        )
    return title


def _clean_section_text(value):
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(value) > SECTION_TEXT_MAX:
        raise ValidationError(
            _("This text is too long (at most %(limit)s characters).") % {"limit": SECTION_TEXT_MAX},
            code="too_long",
        )
    return value


def _clean_comment(body):
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > COMMENT_MAX:
        raise ValidationError(
            _("This text is too long (at most %(limit)s characters).") % {"limit": COMMENT_MAX},
            code="too_long",
        )
    return body


def draft_search_text_update(*, draft_id):
    """Write a draft's search text from its title and the current text of its sections (inside the
    caller's transaction)."""
    title = Draft.objects.filter(pk=draft_id).values_list("title", flat=True).first() or ""
    sections = Section.objects.filter(draft_id=draft_id).order_by("position").values_list("title", "text")
    parts = [title]
    for section_title, section_text in sections:
        parts += [section_title, markdown_text.plain_text(section_text)]
    Draft.objects.filter(pk=draft_id).update(search_text=index_text(*parts))


def draft_create(*, actor, space, title):
    """Start an ordinary draft in `space` (any contributor). It starts with one empty section."""
    access.require_active(space)
    title = _clean_title(title)
    now = timezone.now()
    with transaction.atomic():
        draft = Draft.objects.create(
            space=space, title=title, created_by=actor, created_at=now, updated_at=now, status_changed_at=now
        )
        Section.objects.create(draft=draft, title=title, position=1, updated_at=now)
        draft_search_text_update(draft_id=draft.pk)
        contribution_record(user=actor, space=space, kind=Contribution.Kind.DRAFT, at=now)
    return draft


def final_note_create(*, actor, space, title=""):
    """Start the space's final briefing note (rapporteurs) with its four sections. A space has one
    note in progress at a time: a second one is refused while the first is not submitted."""
    access.require_active(space)
    title = _clean_title(title or _("Final briefing note: %(space)s") % {"space": space.name})
    now = timezone.now()
    with transaction.atomic():
        # Lock the space row so two rapporteurs starting a note at once create one.
        type(space).objects.select_for_update().filter(pk=space.pk).first()
        if Draft.objects.filter(
            space=space, kind=Draft.Kind.FINAL_NOTE, status__in=EDITABLE_STATUSES
        ).exists():
            raise ValidationError(_("This group already has a final note in progress."), code="exists")
        draft = Draft.objects.create(
            space=space,
            title=title,
            kind=Draft.Kind.FINAL_NOTE,
            created_by=actor,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
            status_changed_by=actor,
        )
        Section.objects.bulk_create(
            Section(
                draft=draft, key=key, title=str(Section.Key(key).label), position=position, updated_at=now
            )
            for position, key in enumerate(FINAL_NOTE_SECTIONS, start=1)
        )
        draft_search_text_update(draft_id=draft.pk)
        contribution_record(user=actor, space=space, kind=Contribution.Kind.DRAFT, at=now)
    return draft


def section_add(*, actor, draft, title):
    """Add an empty section at the end of `draft`."""
    access.require_active(draft.space)
    _ensure_editable(draft)
    title = _clean_title(title)
    now = timezone.now()
    with transaction.atomic():
        last = draft.sections.order_by("-position").values_list("position", flat=True).first() or 0
        section = Section.objects.create(draft=draft, title=title, position=last + 1, updated_at=now)
        Draft.objects.filter(pk=draft.pk).update(updated_at=now)
        draft_search_text_update(draft_id=draft.pk)
        contribution_record(user=actor, space=draft.space, kind=Contribution.Kind.DRAFT, at=now)
    return section


def section_save(*, actor, section, text, base_revision, note=""):
    """Save a new text of `section` as revision `base_revision + 1`.

    Written only if the section is still at `base_revision` and its draft is not locked (one
    conditional UPDATE): otherwise nothing is written and StaleRevision (someone saved in between)
    or ValidationError (the note was submitted) is raised. Saving the current text unchanged
    writes nothing and returns None. Records a contribution.
    """
    draft = section.draft
    access.require_active(draft.space)
    _ensure_editable(draft)
    text = _clean_section_text(text)
    try:
        base_revision = int(base_revision)
    except (TypeError, ValueError):
        base_revision = -1
    # A revision the section never had (ahead of the one just read, or negative) comes from a form
    # that was not ours: no merge to offer, the editor opens the section again.
    if not 0 <= base_revision <= section.revision_number:
        raise ValidationError(_("The form is out of date; open the section again."), code="no_revision")
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Section.objects.filter(
                pk=section.pk,
                revision_number=base_revision,
                draft__status__in=EDITABLE_STATUSES,
            )
            .exclude(text=text)
            .update(text=text, revision_number=base_revision + 1, updated_at=now)
        )
        if not updated:
            current = Section.objects.select_related("draft__space").get(pk=section.pk)
            if current.draft.status not in EDITABLE_STATUSES:
                raise ValidationError(locked_message(), code="locked")
            if current.revision_number != base_revision:
                raise StaleRevision(current)
            return None  # the same text as the current revision: nothing to save
        revision = SectionRevision.objects.create(
            section=section,
            number=base_revision + 1,
            text=text,
            author=actor,
            created_at=now,
            note=note[:200],
        )
        Draft.objects.filter(pk=draft.pk).update(updated_at=now)
        draft_search_text_update(draft_id=draft.pk)
        contribution_record(user=actor, space=draft.space, kind=Contribution.Kind.DRAFT, at=now)
    section.text, section.revision_number, section.updated_at = text, base_revision + 1, now
    return revision


def section_restore(*, actor, section, number):
    """Make the text of revision `number` the section's text again, as a new revision."""
    old = SectionRevision.objects.filter(section=section, number=number).first()
    if old is None:
        raise ValidationError(_("This revision does not exist."), code="unknown")
    current = Section.objects.get(pk=section.pk).revision_number
    if old.number == current:
        raise ValidationError(_("This is already the current text."), code="current")
    note = _("Restored from revision %(number)s") % {"number": old.number}
    return section_save(actor=actor, section=section, text=old.text, base_revision=current, note=note)


def comment_create(*, actor, section, body, parent=None):
    """Comment on a section, or reply to a comment (a reply to a reply joins the same thread).

    The authors in the thread are told of a reply. Records a contribution."""
    draft = section.draft
    access.require_active(draft.space)
    _ensure_editable(draft)
    body = _clean_comment(body)
    if parent is not None:
        if parent.section_id != section.pk:
            raise ValidationError(_("This comment does not exist."), code="unknown")
        if parent.parent_id is not None:
            parent = parent.parent
    with transaction.atomic():
        comment = SectionComment.objects.create(section=section, parent=parent, author=actor, body=body)
        contribution_record(
            user=actor, space=draft.space, kind=Contribution.Kind.DRAFT, at=comment.created_at
        )
        if parent is not None:
            thread = Q(pk=parent.author_id) | Q(pk__in=parent.replies.values("author_id"))
            notify(
                recipients=User.objects.filter(thread),
                space=draft.space,
                kind=Notification.Kind.DRAFT,
                actor=actor,
                title=draft.title,
                url=f"{draft.get_absolute_url()}#comment-{parent.pk}",
            )
    return comment


def comment_set_resolved(*, actor, comment, resolved):
    """Resolve or reopen a comment thread (the caller checked `access.check_resolve_comment`)."""
    draft = comment.section.draft
    access.require_active(draft.space)
    _ensure_editable(draft)
    if comment.parent_id is not None:
        raise ValidationError(_("Only a whole comment thread can be resolved."), code="reply")
    SectionComment.objects.filter(pk=comment.pk).update(
        resolved_at=timezone.now() if resolved else None, resolved_by=actor if resolved else None
    )


def _concern_lines(concerns, present):
    lines = []
    for title, description in concerns:
        if arabic.normalize(title) in present:
            continue
        summary = " ".join(markdown_text.plain_text(description).split())
        lines.append(f"- **{title}**: {summary}" if summary else f"- **{title}**")
    return lines


def final_note_pull_concerns(*, actor, draft):
    """Add the space's agreed concerns to "Areas of agreement" and its divergent ones to "Divergent
    views", each section as a new revision. Concerns already in a section (by title) are skipped.
    Returns how many concerns were added; ValidationError when there is nothing to add."""
    if not draft.is_final_note:
        raise ValidationError(_("Concerns can only be pulled into a final note."), code="not_final")
    access.require_active(draft.space)
    _ensure_editable(draft)
    targets = {Section.Key.AGREEMENT: Concern.Status.AGREED, Section.Key.DIVERGENCE: Concern.Status.DIVERGENT}
    concerns = Concern.objects.filter(space=draft.space, status__in=targets.values()).order_by(
        "-priority", "-endorsement_count", "pk"
    )
    by_status = {}
    for status, title, description in concerns.values_list("status", "title", "description"):
        by_status.setdefault(status, []).append((title, description))
    added = 0
    with transaction.atomic():
        for section in draft.sections.filter(key__in=targets).select_related("draft__space"):
            lines = _concern_lines(by_status.get(targets[section.key], []), arabic.normalize(section.text))
            if not lines:
                continue
            joined = "\n".join(lines)
            new_text = f"{section.text}\n\n{joined}" if section.text else joined
            section_save(
                actor=actor,
                section=section,
                text=new_text,
                base_revision=section.revision_number,
                note=_("Concerns pulled in from the concern list"),
            )
            added += len(lines)
    if not added:
        raise ValidationError(
            _("There are no agreed or divergent concerns that are not in the note yet."), code="nothing"
        )
    return added


def _member_people(space):
    """Everyone who is or was in the space, as the non-attribution check looks for them."""
    rows = User.objects.filter(memberships__space=space).values_list("display_name", "username").distinct()
    return [
        attribution.Person(shown=display_name or username, names=(display_name or "", username or ""))
        for display_name, username in rows
    ]


def draft_member_names(draft):
    """The names of the space's members (display name or username) that appear in the draft's text
    or section titles, for the non-attribution warning before submission and on its exports
    (`documents.attribution`: attached particles, spelling variants, either order)."""
    sections = list(draft.sections.values_list("title", "text"))
    text = "\n".join([draft.title, *(f"{title}\n{body}" for title, body in sections)])
    return attribution.names_in(text, _member_people(draft.space))


def draft_transition(*, actor, draft, to):
    """Move a final note to the next (or previous) step of its workflow (rapporteurs).

    One conditional UPDATE on the status the note had when the rapporteur acted: of two requests at
    once, one wins and the other is refused with a message, and a submitted note stays submitted
    (submitting twice changes nothing). Opening for comments tells the space's members; submitting
    locks the note, stamps the time and tells the political officer.
    """
    if not draft.is_final_note:
        raise ValidationError(_("Only a final note has a workflow."), code="not_final")
    access.require_active(draft.space)
    try:
        to = Draft.Status(to)
    except ValueError:
        raise ValidationError(_("Unknown step."), code="unknown") from None
    current = Draft.Status(draft.status)
    if current == Draft.Status.SUBMITTED:
        raise ValidationError(
            _("This note has already been submitted to the Office of the Special Envoy."),
            code="already_submitted",
        )
    if to not in TRANSITIONS[current]:
        raise ValidationError(
            _("A note that is “%(current)s” cannot move to “%(next)s”.")
            % {"current": current.label, "next": to.label},
            code="illegal",
        )
    if to == Draft.Status.SUBMITTED and not any(draft.sections.values_list("text", flat=True)):
        raise ValidationError(_("The note is empty: write it before submitting it."), code="empty")
    now = timezone.now()
    fields = {"status": to, "status_changed_at": now, "status_changed_by": actor, "updated_at": now}
    if to == Draft.Status.SUBMITTED:
        fields.update(submitted_at=now, submitted_by=actor)
    with transaction.atomic():
        if not Draft.objects.filter(pk=draft.pk, status=current).update(**fields):
            if Draft.objects.filter(pk=draft.pk, status=Draft.Status.SUBMITTED).exists():
                raise ValidationError(
                    _("This note has already been submitted to the Office of the Special Envoy."),
                    code="already_submitted",
                )
            raise ValidationError(
                _("Someone changed the note's step in the meantime; look again."), code="moved"
            )
        for name, value in fields.items():
            setattr(draft, name, value)
        if to == Draft.Status.OPEN_FOR_COMMENTS:
            notify(
                recipients=access.audience(draft.space, access.Action.CONTRIBUTE),
                space=draft.space,
                kind=Notification.Kind.DRAFT,
                actor=actor,
                title=draft.title,
                url=draft.get_absolute_url(),
            )
        elif to == Draft.Status.SUBMITTED:
            officers = User.objects.filter(
                memberships__space=draft.space,
                memberships__role=Role.POLITICAL_OFFICER,
                memberships__state__in=Membership.ENTERING_STATES,
            )
            notify(
                recipients=officers,
                space=draft.space,
                kind=Notification.Kind.DRAFT,
                actor=actor,
                title=draft.title,
                url=reverse("documents:outputs-inbox"),
            )
            audit.record(actor=actor, action=audit.Action.NOTE_SUBMITTED, target=draft, space=draft.space_id)
    return draft


def sharing_decision_record(*, actor, draft, decision, decided_on, note=""):
    """Record (or correct) the Special Envoy's decision about sharing a submitted note (staff). A new
    decision, or a changed decision or date, is told to the space's people (in-app; by e-mail in
    their digest)."""
    if not (draft.is_final_note and draft.is_locked):
        raise ValidationError(
            _("A decision can only be recorded for a submitted final note."), code="not_submitted"
        )
    if decision not in SharingDecision.Decision.values:
        raise ValidationError(_("Choose a decision."), code="unknown")
    decided_on = SharingDecision._meta.get_field("decided_on").to_python(decided_on)
    with transaction.atomic():
        before = SharingDecision.objects.select_for_update().filter(draft=draft).first()
        record, _created = SharingDecision.objects.update_or_create(
            draft=draft,
            defaults={
                "decision": decision,
                "decided_on": decided_on,
                "note": (note or "").strip()[:5000],
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        audit.record(
            actor=actor,
            action=audit.Action.ENVOY_DECISION,
            target=draft,
            space=draft.space_id,
            decision=decision,
            decided_on=decided_on.isoformat() if decided_on else "",
        )
        if before is None or (before.decision, before.decided_on) != (record.decision, record.decided_on):
            _tell_decision(record=record, draft=draft, actor=actor)
    return record


def _tell_decision(*, record, draft, actor):
    """An in-app notice of the envoy's decision to the space's people, each in their language (the
    decision's wording and the date as that language writes them); the digest carries it by e-mail."""
    titles = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles.append(
                When(
                    preferred_language=code,
                    then=Value(
                        _("Decision of the Special Envoy on %(title)s: %(decision)s (%(date)s)")
                        % {
                            "title": draft.title,
                            "decision": record.get_decision_display(),
                            "date": date_format(record.decided_on, "DATE_FORMAT"),
                        }
                    ),
                )
            )
    notify_many(
        kind=Notification.Kind.ENVOY_DECISION,
        targets=access.audience(draft.space),
        recipient="pk",
        space=Value(draft.space_id),
        actor=actor,
        title=Case(*titles, default=titles[0].result, output_field=CharField()),
        url=reverse("documents:draft-detail", args=[draft.space_id, draft.pk]),
    )


def final_note_archive_text(draft):
    """The note as plain text for the knowledge archive: section titles and paragraphs, naming nobody."""
    parts = []
    for section in exports.export_sections(draft):
        parts.append(section.title)
        for block in section.blocks:
            lines = (markdown_text.plain_text(line) for line in block.markdown.split("\n"))
            parts.append("\n".join(line for line in lines if line))
    return "\n\n".join(parts)


def final_note_publish_to_archive(*, actor, draft):
    """Publish a submitted final note of a concluded space to the knowledge archive (staff, in
    admin). The entry holds the note's text, so every participant reads and finds it there; a note
    is archived once. ValidationError otherwise."""
    space = draft.space
    if not (draft.is_final_note and draft.is_locked):
        raise ValidationError(_("Only a submitted final note can be archived."), code="not_submitted")
    if space.status != space.Status.CONCLUDED:
        raise ValidationError(
            _("Only the notes of concluded spaces are published to the archive."), code="not_concluded"
        )
    text = final_note_archive_text(draft)
    arabic_title = exports.direction_of(draft.title) == "rtl"
    entry = ArchiveEntry(
        kind=ArchiveEntry.Kind.FINAL_NOTE,
        space=space,
        theme=space.theme,
        cycle_start=space.cycle_start,
        cycle_end=space.cycle_end,
        title_ar=draft.title if arabic_title else "",
        title_en="" if arabic_title else draft.title,
        summary_ar=text if arabic_title else "",
        summary_en="" if arabic_title else text,
        published_by=actor,
        final_note=draft,
    )
    entry.search_text = index_text(
        entry.title_ar,
        entry.title_en,
        text,
        space.name_ar,
        space.name_en,
        space.theme.name_ar if space.theme else "",
        space.theme.name_en if space.theme else "",
    )
    with transaction.atomic():
        if ArchiveEntry.objects.select_for_update().filter(final_note=draft).exists():
            raise ValidationError(_("This note is already in the archive."), code="duplicate")
        entry.save()
    return entry
