"""Discussions, concerns, the agenda and moderation inside a space."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit
from cssr import exports, text
from cssr.forms import flash_errors
from cssr.params import int_param
from workgroups import access, selectors, services
from workgroups.access import Action
from workgroups.forms import (
    AgendaItemForm,
    AgendaUpdateForm,
    ConcernFilterForm,
    ConcernForm,
    ConcernStatusForm,
    ModerationForm,
    PostEditForm,
    PostForm,
    ReasonForm,
    ThreadForm,
)
from workgroups.models import AgendaItem

POSTS_PER_PAGE = 30
THREADS_PER_PAGE = 30
CONCERNS_PER_PAGE = 30


@require_http_methods(["GET", "POST"])
def thread_list(request, space_id):
    """The space's discussions (pinned first, then by activity) and the form to start one."""
    space = access.access_space(request.user, space_id)
    may_post = access.can(request.user, Action.CONTRIBUTE, space)
    form = ThreadForm(request.POST or None)
    if request.method == "POST":
        access.check(request.user, Action.CONTRIBUTE, space)
        if form.is_valid():
            try:
                thread = services.thread_create(actor=request.user, space=space, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("workgroups:thread-detail", space.pk, thread.pk)
    threads = selectors.thread_list(space=space)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workgroups/thread_list.html",
        {"space": space, "page": page, "form": form if may_post else None},
    )


@require_http_methods(["GET", "POST"])
def thread_detail(request, space_id, thread_id):
    """A discussion, paginated, with the reply form (quoting a post with ?quote=<id>)."""
    space = access.access_space(request.user, space_id)
    thread = access.access_thread(request.user, space, thread_id)
    form = PostForm(request.POST or None, initial={"quote_of": int_param(request.GET, "quote")})
    if request.method == "POST":
        access.check(request.user, Action.CONTRIBUTE, space)
        if form.is_valid():
            quote = None
            if form.cleaned_data.get("quote_of"):
                quote = selectors.post_get(thread=thread, post_id=form.cleaned_data["quote_of"])
            try:
                access.check_reply_thread(request.user, thread)
                post = services.post_create(
                    actor=request.user, thread=thread, body=form.cleaned_data["body"], quote_of=quote
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(f"{request.path}?post={post.pk}#post-{post.pk}")
    posts = selectors.post_list(thread=thread)
    paginator = Paginator(posts, POSTS_PER_PAGE)
    page_number = request.GET.get("page")
    post_id, quote_id = int_param(request.GET, "post"), int_param(request.GET, "quote")
    if post_id is not None:
        page_number = selectors.post_page(thread=thread, post_id=post_id, per_page=POSTS_PER_PAGE)
    page = paginator.get_page(page_number)
    for post in page:  # the permission core reaches the space through the post's discussion
        post.thread = thread
    services.thread_mark_read(
        user=request.user, thread=thread, up_to=max((post.created_at for post in page), default=None)
    )
    quote = None
    if quote_id is not None:
        quote = selectors.post_quotable_get(thread=thread, post_id=quote_id)
    return render(
        request,
        "workgroups/thread_detail.html",
        {
            "space": space,
            "thread": thread,
            "page": page,
            "form": form,
            "quote": quote,
            "may_post": access.can_reply_thread(request.user, thread),
            "may_manage": access.can(request.user, Action.MANAGE_OUTPUTS, space),
            "may_moderate": access.can(request.user, Action.MODERATE, space),
            "following": selectors.thread_is_followed(thread=thread, user=request.user),
            "concern": selectors.concern_get_for_thread(thread=thread),
        },
    )


@require_POST
def thread_manage(request, space_id, thread_id):
    """Rapporteurs pin/unpin and close/reopen a discussion."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    thread = access.access_thread(request.user, space, thread_id)
    action = request.POST.get("action")
    if action in ("pin", "unpin"):
        services.thread_set_pinned(actor=request.user, thread=thread, pinned=action == "pin")
    elif action in ("close", "reopen"):
        services.thread_set_closed(actor=request.user, thread=thread, closed=action == "close")
    else:
        messages.error(request, _("Unknown action."))
    return redirect("workgroups:thread-detail", space.pk, thread.pk)


@require_POST
def thread_follow(request, space_id, thread_id):
    space = access.access_space(request.user, space_id)
    access.check_writable(request.user, space)
    thread = access.access_thread(request.user, space, thread_id)
    services.thread_follow(actor=request.user, thread=thread, follow=request.POST.get("follow") == "1")
    return redirect("workgroups:thread-detail", space.pk, thread.pk)


@require_http_methods(["GET", "POST"])
def post_edit(request, space_id, post_id):
    """Edit one's own post (the previous text is kept for moderators)."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    post = access.access_post(request.user, space, post_id)
    access.check_change_post(request.user, post)
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(actor=request.user, post=post, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(post.get_absolute_url())
    return render(request, "workgroups/post_edit.html", {"space": space, "post": post, "form": form})


@require_POST
def post_delete(request, space_id, post_id):
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    post = access.access_post(request.user, space, post_id)
    try:
        services.post_delete(actor=request.user, post=post)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Your post was deleted."))
    return redirect(post.get_absolute_url())


@require_http_methods(["GET", "POST"])
def post_report(request, space_id, post_id):
    """Report a post to the technical officer, with a reason."""
    space = access.access_space(request.user, space_id)
    post = access.access_post(request.user, space, post_id)
    access.check_report_post(request.user, post)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. The technical officer will look at this post."))
            return redirect(post.get_absolute_url())
    return render(request, "workgroups/post_report.html", {"space": space, "post": post, "form": form})


@require_GET
def post_history(request, space_id, post_id):
    """Earlier versions of an edited post, for moderators."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MODERATE, space)
    post = access.access_post(request.user, space, post_id)
    return render(
        request,
        "workgroups/post_history.html",
        {"space": space, "post": post, "revisions": selectors.post_revision_list(post=post)},
    )


@require_http_methods(["GET", "POST"])
def moderation_queue(request, space_id):
    """The technical officer's queue: reported posts; hide, restore or warn with a recorded reason."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MODERATE, space)
    form = ModerationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            post = access.access_post(request.user, space, form.cleaned_data["post"])
            action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
            try:
                if action == "hide":
                    services.post_hide(actor=request.user, post=post, reason=reason)
                elif action == "restore":
                    services.post_restore(actor=request.user, post=post, reason=reason)
                else:
                    services.user_warn(actor=request.user, post=post, message=reason)
            except ValidationError as error:
                flash_errors(request, error)
            else:
                messages.success(request, _("Done. The action and its reason are recorded."))
                return redirect("workgroups:moderation-queue", space.pk)
        else:
            messages.error(request, _("Give a reason."))
    return render(
        request,
        "workgroups/moderation_queue.html",
        {
            "space": space,
            "reports": selectors.post_report_open_list(space=space),
            "hidden_posts": selectors.post_hidden_list(space=space),
        },
    )


# --- Concerns ---------------------------------------------------------------------------------


def _concern_filters(data):
    """The filter form and its cleaned data (None when the filters do not validate)."""
    form = ConcernFilterForm(data)
    return form, form.cleaned_data if form.is_valid() else None


@require_GET
def concern_list(request, space_id):
    """Concerns, filterable by status, tag, region and date, sortable by endorsements, date, priority."""
    space = access.access_space(request.user, space_id)
    form, filters = _concern_filters(request.GET)
    concerns = selectors.concern_list(space=space, filters=filters, user=request.user)
    page = Paginator(concerns, CONCERNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workgroups/concern_list.html",
        {
            "space": space,
            "page": page,
            "filter_form": form,
            "tags": selectors.tag_list(space=space),
            "may_contribute": access.can(request.user, Action.CONTRIBUTE, space),
            "may_manage": access.can(request.user, Action.MANAGE_OUTPUTS, space),
            "query_string": _without_page(request.GET),
        },
    )


def _without_page(query):
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


@require_http_methods(["GET", "POST"])
def concern_create(request, space_id):
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_propose(actor=request.user, space=space, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("workgroups:concern-detail", space.pk, concern.pk)
    return render(request, "workgroups/concern_form.html", {"space": space, "form": form})


@require_GET
def concern_detail(request, space_id, concern_id):
    space = access.access_space(request.user, space_id)
    concern = access.access_concern(request.user, space, concern_id)
    return render(
        request,
        "workgroups/concern_detail.html",
        {
            "space": space,
            "concern": concern,
            "endorsed": selectors.concern_is_endorsed(concern=concern, user=request.user),
            "may_contribute": access.can(request.user, Action.CONTRIBUTE, space),
            "status_form": ConcernStatusForm(initial={"status": concern.status, "priority": concern.priority})
            if access.can(request.user, Action.MANAGE_OUTPUTS, space)
            else None,
        },
    )


@require_POST
def concern_endorse(request, space_id, concern_id):
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    concern = access.access_concern(request.user, space, concern_id)
    try:
        services.concern_endorse(actor=request.user, concern=concern)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("You endorsed this concern."))
    return redirect("workgroups:concern-detail", space.pk, concern.pk)


@require_POST
def concern_status(request, space_id, concern_id):
    """Rapporteurs set a concern's status and priority."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    concern = access.access_concern(request.user, space, concern_id)
    form = ConcernStatusForm(request.POST)
    if form.is_valid():
        services.concern_set_status(actor=request.user, concern=concern, **form.cleaned_data)
        messages.success(request, _("The concern is updated."))
    else:
        messages.error(request, _("Unknown status or priority."))
    return redirect("workgroups:concern-detail", space.pk, concern.pk)


@require_GET
def concern_summary(request, space_id):
    """Counts of concerns per status and per tag, drawn as bars on the server."""
    space = access.access_space(request.user, space_id)
    return render(
        request, "workgroups/concern_summary.html", {"space": space, **selectors.concern_summary(space=space)}
    )


@require_GET
def concern_export(request, space_id):
    """CSV of the concerns for the rapporteurs, without author names (non-attribution)."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    _form, filters = _concern_filters(request.GET)
    concerns = selectors.concern_list(space=space, filters=filters)
    header = [
        _("Title"),
        _("Description"),
        _("Status"),
        _("Priority"),
        _("Endorsements"),
        _("Tags"),
        _("Regions"),
        _("Proposed"),
    ]
    rows = (
        [
            concern.title,
            text.plain_text(concern.description),
            concern.get_status_display(),
            concern.get_priority_display(),
            concern.endorsement_count,
            ", ".join(tag.name for tag in concern.tags.all()),
            ", ".join(region.get_region_display() for region in concern.regions.all()),
            timezone.localtime(concern.created_at).date().isoformat(),
        ]
        for concern in concerns
    )
    response = exports.csv_response(
        name=f"concerns-{space.pk}-{timezone.localdate():%Y%m%d}", header=header, rows=rows
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        target=space,
        space=space,
        request=request,
        export="concerns",
        format="csv",
    )
    return response


# --- Agenda -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agenda(request, space_id):
    """The group's agenda; members propose items, rapporteurs accept, order and close them."""
    space = access.access_space(request.user, space_id)
    may_contribute = access.can(request.user, Action.CONTRIBUTE, space)
    form = AgendaItemForm(request.POST or None, space=space)
    if request.method == "POST":
        access.check(request.user, Action.CONTRIBUTE, space)
        if form.is_valid():
            try:
                services.agenda_item_propose(actor=request.user, space=space, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your proposal is on the agenda, waiting for the rapporteurs."))
                return redirect("workgroups:agenda", space.pk)
    return render(
        request,
        "workgroups/agenda.html",
        {
            "space": space,
            "items": selectors.agenda_item_list(space=space),
            "form": form if may_contribute else None,
            "may_manage": access.can(request.user, Action.MANAGE_OUTPUTS, space),
            "statuses": AgendaItem.Status.choices,
        },
    )


@require_POST
def agenda_update(request, space_id):
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MANAGE_OUTPUTS, space)
    form = AgendaUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown agenda item."))
        return redirect("workgroups:agenda", space.pk)
    item = access.access_agenda_item(request.user, space, form.cleaned_data["item"])
    try:
        if form.cleaned_data["move"]:
            services.agenda_reorder(
                actor=request.user, space=space, item_id=item.pk, direction=form.cleaned_data["move"]
            )
        elif form.cleaned_data["status"]:
            services.agenda_item_update(actor=request.user, item=item, status=form.cleaned_data["status"])
    except ValidationError as error:
        flash_errors(request, error)
    return redirect(item.get_absolute_url())
