"""Co-drafting, the final note's workflow, exports and the outputs inbox.

Views parse input, ask the permission core (`workgroups.access`), call a service of
`documents.services.drafts` or a selector of `documents.selectors.drafts`, and render. A refused
write shows its reason as a message and changes nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit
from cssr.forms import flash_errors
from cssr.params import parse_id
from documents import diff, exports
from documents.forms.drafts import (
    CommentForm,
    DraftForm,
    SectionAddForm,
    SectionEditForm,
    SharingDecisionForm,
    TransitionForm,
)
from documents.models import Draft
from documents.selectors import drafts as selectors
from documents.services import drafts as services
from workgroups import access
from workgroups.access import Action

DRAFTS_PER_PAGE = 30
REVISIONS_PER_PAGE = 30
OUTPUTS_PER_PAGE = 30


def _detail(draft, anchor=""):
    url = draft.get_absolute_url()
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_http_methods(["GET", "POST"])
def draft_list(request, space_id):
    """The space's drafts and final notes, and the form to start a draft."""
    space = access.access_space(request.user, space_id)
    may_contribute = access.can(request.user, Action.CONTRIBUTE, space)
    form = DraftForm(request.POST or None)
    if request.method == "POST":
        access.check(request.user, Action.CONTRIBUTE, space)
        if form.is_valid():
            try:
                draft = services.draft_create(
                    actor=request.user, space=space, title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _detail(draft)
    page = Paginator(selectors.draft_list(space=space), DRAFTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/draft_list.html",
        {
            "space": space,
            "page": page,
            "form": form if may_contribute else None,
            "may_manage": access.can(request.user, Action.MANAGE_OUTPUTS, space),
            "receives_outputs": selectors.receives_outputs(user=request.user, space=space),
        },
    )


@require_POST
def final_note_create(request, space_id):
    """Rapporteurs start the space's final briefing note."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    try:
        draft = services.final_note_create(actor=request.user, space=space)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("documents:draft-list", space.pk)
    return _detail(draft)


@require_GET
def draft_detail(request, space_id, draft_id):
    """A draft: its sections with their current text, comments with replies, and the actions the
    user may take (edit, comment, the note's workflow, exports)."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    sections = selectors.section_list(draft=draft)
    threads = selectors.comment_threads(draft=draft)
    for section in sections:
        section.draft = draft
        section.comment_threads = threads.get(section.pk, [])
        for comment in section.comment_threads:
            comment.section = section
            comment.may_resolve = access.can_resolve_comment(request.user, comment)
    may_edit = access.can(request.user, access.edit_action(draft), space) and not draft.is_locked
    may_manage = access.can(request.user, Action.MANAGE_OUTPUTS, space)
    return render(
        request,
        "documents/draft_detail.html",
        {
            "space": space,
            "draft": draft,
            "sections": sections,
            "may_edit": may_edit,
            "may_comment": access.can(request.user, Action.CONTRIBUTE, space) and not draft.is_locked,
            "may_manage": may_manage and draft.is_final_note and not draft.is_locked,
            "next_steps": [Draft.Status(step) for step in services.TRANSITIONS[draft.status]]
            if draft.is_final_note
            else [],
            "comment_form": CommentForm(),
            "sharing_decision": selectors.sharing_decision_get(draft=draft),
        },
    )


@require_POST
def section_create(request, space_id, draft_id):
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    access.check_edit_draft(request.user, draft)
    form = SectionAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A section needs a title (at most 200 characters)."))
        return _detail(draft)
    try:
        section = services.section_add(actor=request.user, draft=draft, title=form.cleaned_data["title"])
    except ValidationError as error:
        flash_errors(request, error)
        return _detail(draft)
    return redirect("documents:section-edit", space.pk, draft.pk, section.pk)


@require_http_methods(["GET", "POST"])
def section_edit(request, space_id, draft_id, section_id):
    """Edit a section. A save against a revision that is no longer the current one writes nothing
    and shows the merge view: the editor's text, the current text and what differs between them."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    access.check_edit_draft(request.user, draft)
    section = access.access_section(request.user, draft, section_id)
    if draft.is_locked:
        messages.error(request, services.locked_message())
        return _detail(draft)
    if request.method == "GET":
        form = SectionEditForm(initial={"text": section.text, "base_revision": section.revision_number})
        return render(
            request,
            "documents/draft_section_edit.html",
            {"space": space, "draft": draft, "section": section, "form": form},
        )
    form = SectionEditForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "documents/draft_section_edit.html",
            {"space": space, "draft": draft, "section": section, "form": form},
            status=400,
        )
    try:
        revision = services.section_save(
            actor=request.user,
            section=section,
            text=form.cleaned_data["text"],
            base_revision=form.cleaned_data["base_revision"],
        )
    except services.StaleRevision as stale:
        current = stale.section
        theirs = form.cleaned_data["text"]
        merge_form = SectionEditForm(initial={"text": theirs, "base_revision": current.revision_number})
        return render(
            request,
            "documents/draft_section_merge.html",
            {
                "space": space,
                "draft": draft,
                "section": current,
                "form": merge_form,
                "theirs": theirs,
                "based_on": form.cleaned_data["base_revision"],
                "comparison": diff.diff_html(current.text, theirs),
            },
            status=409,
        )
    except ValidationError as error:
        flash_errors(request, error)
        return _detail(draft, f"section-{section.pk}")
    if revision is None:
        messages.info(request, _("Nothing changed: the text is the same as the current revision."))
    else:
        messages.success(request, _("Saved as revision %(number)s.") % {"number": revision.number})
    return _detail(draft, f"section-{section.pk}")


@require_GET
def section_history(request, space_id, draft_id, section_id):
    """The revisions of a section, newest first, with links to compare and to restore."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    section = access.access_section(request.user, draft, section_id)
    page = Paginator(selectors.revision_list(section=section), REVISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    may_edit = access.can(request.user, access.edit_action(draft), space) and not draft.is_locked
    return render(
        request,
        "documents/draft_section_history.html",
        {"space": space, "draft": draft, "section": section, "page": page, "may_edit": may_edit},
    )


def _number(value, default):
    """A revision number from the request (ASCII digits, as an id), or `default`."""
    number = parse_id(value)
    return default if number is None else number


@require_GET
def section_diff(request, space_id, draft_id, section_id):
    """What changed between two revisions of a section (?from=&to=; by default the latest change)."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    section = access.access_section(request.user, draft, section_id)
    newer = _number(request.GET.get("to"), section.revision_number)
    older = _number(request.GET.get("from"), max(newer - 1, 0))
    texts = selectors.revision_texts(section=section, numbers=[older, newer])
    texts.setdefault(0, "")  # revision 0: the empty section before its first save
    if older not in texts or newer not in texts:
        messages.error(request, _("This revision does not exist."))
        return redirect("documents:section-history", space.pk, draft.pk, section.pk)
    return render(
        request,
        "documents/draft_section_diff.html",
        {
            "space": space,
            "draft": draft,
            "section": section,
            "older": older,
            "newer": newer,
            "comparison": diff.diff_html(texts[older], texts[newer]),
        },
    )


@require_POST
def section_restore(request, space_id, draft_id, section_id):
    """Make an old revision's text current again (as a new revision)."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    access.check_edit_draft(request.user, draft)
    section = access.access_section(request.user, draft, section_id)
    try:
        revision = services.section_restore(
            actor=request.user, section=section, number=_number(request.POST.get("number"), -1)
        )
    except services.StaleRevision:
        messages.error(request, _("Someone saved this section in the meantime; look again."))
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Saved as revision %(number)s.") % {"number": revision.number})
    return redirect("documents:section-history", space.pk, draft.pk, section.pk)


@require_POST
def comment_create(request, space_id, draft_id, section_id):
    """Comment on a section, or reply to a comment (`parent`)."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    section = access.access_section(request.user, draft, section_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first (at most 5000 characters)."))
        return _detail(draft, f"section-{section.pk}")
    parent = None
    if form.cleaned_data.get("parent"):
        parent = selectors.comment_get(section=section, comment_id=form.cleaned_data["parent"])
        if parent is None:
            messages.error(request, _("This comment does not exist."))
            return _detail(draft, f"section-{section.pk}")
    try:
        comment = services.comment_create(
            actor=request.user, section=section, body=form.cleaned_data["body"], parent=parent
        )
    except ValidationError as error:
        flash_errors(request, error)
        return _detail(draft, f"section-{section.pk}")
    return _detail(draft, f"comment-{comment.parent_id or comment.pk}")


@require_POST
def comment_resolve(request, space_id, draft_id, comment_id):
    """Rapporteurs or the author resolve or reopen a comment thread."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    comment = access.access_comment(request.user, draft, comment_id)
    access.check_resolve_comment(request.user, comment)
    try:
        services.comment_set_resolved(
            actor=request.user, comment=comment, resolved=request.POST.get("action") != "reopen"
        )
    except ValidationError as error:
        flash_errors(request, error)
    return _detail(draft, f"comment-{comment.pk}")


@require_POST
def final_note_pull_concerns(request, space_id, draft_id):
    """Rapporteurs add the agreed and divergent concerns to the note's sections."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    try:
        added = services.final_note_pull_concerns(actor=request.user, draft=draft)
    except services.StaleRevision:
        messages.error(request, _("Someone saved a section in the meantime; try again."))
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("%(count)s concerns added to the note.") % {"count": added})
    return _detail(draft)


@require_http_methods(["GET", "POST"])
def draft_transition(request, space_id, draft_id):
    """Move the final note through its workflow (rapporteurs). Submitting first shows a
    confirmation step that lists the members' names found in the text (non-attribution)."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    form = TransitionForm(request.POST or request.GET or None)
    if not form.is_valid():
        messages.error(request, _("Unknown step."))
        return _detail(draft)
    to = form.cleaned_data["to"]
    if to == Draft.Status.SUBMITTED and draft.is_final_note and not draft.is_locked:
        names = services.draft_member_names(draft)
        if request.method == "GET" or (names and not form.cleaned_data["confirmed"]):
            return render(
                request,
                "documents/draft_transition.html",
                {"space": space, "draft": draft, "names": names, "to": Draft.Status(to)},
            )
    elif request.method == "GET":
        return _detail(draft)
    try:
        services.draft_transition(actor=request.user, draft=draft, to=to)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The note is now: %(status)s.") % {"status": draft.get_status_display()})
    return _detail(draft)


@require_GET
def draft_export(request, space_id, draft_id, export_format):
    """The draft as PDF or DOCX, naming nobody: a text that holds members' names is exported only
    after a page that lists them (non-attribution). An empty draft gives a message, not a file."""
    space = access.access_space(request.user, space_id)
    draft = access.access_draft(request.user, space, draft_id)
    writers = {
        "pdf": (exports.draft_pdf, "application/pdf"),
        "docx": (
            exports.draft_docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    }
    if export_format not in writers:
        raise Http404
    writer, content_type = writers[export_format]
    names = services.draft_member_names(draft)
    if names and request.GET.get("confirmed") != "1":
        return render(
            request,
            "documents/draft_export_confirm.html",
            {"space": space, "draft": draft, "names": names, "export_format": export_format},
        )
    try:
        content = writer(draft)
    except ValidationError as error:
        flash_errors(request, error)
        return _detail(draft)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.export_filename(draft, export_format)
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        target=draft,
        space=space,
        request=request,
        export="final note" if draft.is_final_note else "draft",
        format=export_format,
    )
    return response


@require_GET
def outputs_inbox(request):
    """Submitted final notes of the spaces whose outputs the user receives (political officers:
    their spaces; operations staff: every space), with the Special Envoy's decision."""
    access.check_receive_outputs(request.user)
    page = Paginator(selectors.output_list(user=request.user), OUTPUTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "documents/outputs_inbox.html",
        {
            "page": page,
            "may_record": access.is_operations(request.user),
            "decision_form": SharingDecisionForm() if access.is_operations(request.user) else None,
        },
    )


@require_POST
def output_decision(request, draft_id):
    """Staff record the Special Envoy's decision about sharing a submitted note."""
    access.check_operations(request.user)
    draft = selectors.submitted_note_get(draft_id=draft_id)
    if draft is None:
        raise Http404
    form = SharingDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and its date."))
        return redirect("documents:outputs-inbox")
    try:
        services.sharing_decision_record(actor=request.user, draft=draft, **form.cleaned_data)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect(f"{reverse('documents:outputs-inbox')}#note-{draft.pk}")
