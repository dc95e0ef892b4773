"""Reads of drafts and final notes: the lists, a draft's sections with their comment threads, the
revisions of a section, and the outputs inbox."""

from django.db.models import Count

from documents.models import Draft, SectionComment, SectionRevision, SharingDecision
from workgroups import access


def draft_list(*, space):
    """The space's drafts and final notes, last changed first, with their section counts (lazy)."""
    return (
        Draft.objects.filter(space=space)
        .annotate(section_count=Count("sections"))
        .order_by("-updated_at", "-pk")
    )


def receives_outputs(*, user, space):
    """Whether `user` receives the submitted final notes of `space`."""
    return access.filter_output_spaces(user).filter(pk=space.pk).exists()


def section_list(*, draft):
    """The draft's sections, in order (a list)."""
    return list(draft.sections.all())


def comment_threads(*, draft):
    """{section id: [top-level comment with `.thread_replies`]} for every section of the draft, from
    one query."""
    threads, by_id = {}, {}
    comments = (
        SectionComment.objects.filter(section__draft=draft)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    for comment in comments:
        comment.thread_replies = []
        by_id[comment.pk] = comment
        if comment.parent_id is None:
            threads.setdefault(comment.section_id, []).append(comment)
    for comment in by_id.values():
        if comment.parent_id in by_id:
            by_id[comment.parent_id].thread_replies.append(comment)
    return threads


def comment_get(*, section, comment_id):
    """A comment on the section, or None."""
    return SectionComment.objects.filter(section=section, pk=comment_id).first()


def revision_list(*, section):
    """The section's revisions, newest first, with their authors (lazy)."""
    return SectionRevision.objects.filter(section=section).select_related("author").order_by("-number")


def revision_texts(*, section, numbers):
    """{revision number: text} for those of `numbers` that the section has."""
    return dict(
        SectionRevision.objects.filter(section=section, number__in=numbers).values_list("number", "text")
    )


def output_list(*, user):
    """The submitted final notes of the spaces whose outputs `user` receives, newest first, with the
    space and the sharing decision (lazy)."""
    return (
        Draft.objects.filter(
            kind=Draft.Kind.FINAL_NOTE,
            status=Draft.Status.SUBMITTED,
            space__in=access.filter_output_spaces(user),
        )
        .select_related("space", "sharing_decision")
        .order_by("-submitted_at", "-pk")
    )


def submitted_note_get(*, draft_id):
    """A submitted final note, or None (for staff, who record decisions on every space's notes)."""
    return Draft.objects.filter(
        pk=draft_id, kind=Draft.Kind.FINAL_NOTE, status=Draft.Status.SUBMITTED
    ).first()


def sharing_decision_get(*, draft):
    """The Special Envoy's decision about sharing `draft` (a submitted final note), or None: for
    anyone who may read the note (its page, its archive entry). None without a query otherwise."""
    if draft is None or not (draft.is_final_note and draft.is_locked):
        return None
    return SharingDecision.objects.filter(draft=draft).first()
