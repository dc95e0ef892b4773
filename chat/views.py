"""Chat pages: they work without JavaScript (server-rendered, paginated history, a plain POST form);
static/js/chat.js adds the websocket, and the JSON "since" endpoint when websockets are blocked."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cssr.forms import flash_errors
from cssr.params import int_param
from workgroups import access
from workgroups.access import Action, ChatAction

from . import selectors, services
from .forms import GroupConversationForm, MessageEditForm, MessageForm, ReportForm
from .models import Conversation


def conversation_title(conversation, user):
    if conversation.kind == Conversation.Kind.SPACE:
        return conversation.space.name
    if conversation.kind == Conversation.Kind.GROUP:
        return conversation.title
    names = selectors.direct_partner_names(user=user, conversations=[conversation])
    return names.get(conversation.pk, "")


@require_GET
def conversation_list(request):
    """The user's conversations with unread counts, and the people they may write to."""
    services.participants_ensure(user=request.user)
    conversations = list(selectors.conversation_list(user=request.user))
    partners = selectors.direct_partner_names(user=request.user, conversations=conversations)
    for conversation in conversations:
        conversation.display_title = (
            partners.get(conversation.pk, "")
            if conversation.kind == Conversation.Kind.DIRECT
            else conversation.title or conversation.space.name
        )
    contacts = selectors.direct_contact_list(user=request.user)
    group_spaces = selectors.group_space_list(user=request.user)
    return render(
        request,
        "chat/conversation_list.html",
        {
            "conversations": conversations,
            "contacts": contacts,
            "group_spaces": group_spaces,
        },
    )


@require_POST
def direct_open(request):
    """Open (or find) the one-to-one conversation with the chosen person."""
    other = selectors.contact_get(user_id=int_param(request.POST, "user"))
    if other is None or not access.can_message_directly(request.user, other):
        raise Http404
    conversation = services.direct_conversation_open(actor=request.user, other=other)
    return redirect("chat:conversation-detail", conversation.public_id)


@require_GET
def space_chat(request, space_id):
    """The space's own conversation (created the first time a member opens it)."""
    space = access.access_space(request.user, space_id)
    conversation = selectors.space_conversation_get(space=space)
    if conversation is None:
        conversation = services.space_conversation_get_or_create(space=space)
    return redirect("chat:conversation-detail", conversation.public_id)


@require_http_methods(["GET", "POST"])
def group_create(request, space_id):
    """A member opens a group conversation with chosen members of the space."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    form = GroupConversationForm(
        request.POST or None, candidates=access.filter_group_candidates(request.user, space)
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.group_conversation_create(
                actor=request.user,
                space=space,
                title=form.cleaned_data["title"],
                members=list(form.cleaned_data["members"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("chat:conversation-detail", conversation.public_id)
    return render(request, "chat/group_create.html", {"space": space, "form": form})


def _detail_context(request, conversation, form):
    user = request.user
    paginator = Paginator(selectors.message_list(conversation=conversation), settings.CSSR_CHAT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    page_messages = list(page.object_list)
    if page_messages and page.number == paginator.num_pages:
        services.conversation_mark_read(
            actor=user, conversation=conversation, message_id=page_messages[-1].pk
        )
    reply_to = None
    reply_id = int_param(request.GET, "reply")
    if reply_id is not None:
        reply_to = selectors.message_reply_target_get(conversation=conversation, message_id=reply_id)
        if reply_to is not None and not form.is_bound:
            form = MessageForm(initial={"reply_to": reply_to.pk})
    participant = selectors.participant_get(conversation=conversation, user=user)
    markers = selectors.read_markers(
        user=user,
        conversation=conversation,
        message_ids=[m.pk for m in page_messages],
        participant=participant,
    )
    for message in page_messages:
        message.read_by = markers.get(message.pk, [])
    return {
        "conversation": conversation,
        "space": conversation.space,
        "page": page,
        "chat_messages": page_messages,
        "title": conversation_title(conversation, user),
        "form": form,
        "reply_to": reply_to,
        "may_post": access.can_conversation(user, ChatAction.POST, conversation),
        "may_moderate": conversation.space_id is not None
        and access.can(user, Action.MODERATE, conversation.space),
        "hide_read_marker": participant.hide_read_marker if participant else False,
        "last_id": page_messages[-1].pk if page_messages and page.number == paginator.num_pages else 0,
        "is_latest_page": page.number == paginator.num_pages,
        "websocket_path": f"/ws/chat/{conversation.public_id}/",
        "since_url": reverse("chat:conversation-since", args=[conversation.public_id]),
        "read_url": reverse("chat:conversation-read", args=[conversation.public_id]),
        "max_chars": settings.CSSR_CHAT_MAX_MESSAGE_CHARS,
        "documents": list(selectors.attachable_documents(conversation=conversation)),
        "poll_seconds": settings.CSSR_CHAT_POLL_SECONDS,
    }


@require_http_methods(["GET", "POST"])
def conversation_detail(request, conversation_id):
    """The conversation's history, newest page first (paginated), and the form to write."""
    conversation = access.access_conversation(request.user, conversation_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        access.check_conversation(request.user, ChatAction.POST, conversation)
        if form.is_valid():
            try:
                message = services.message_send(
                    actor=request.user,
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                    reply_to_id=form.cleaned_data.get("reply_to"),
                    attachment_id=form.cleaned_data.get("attachment"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(f"{request.path}#message-{message.pk}")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "chat/conversation_detail.html", _detail_context(request, conversation, form), status=status
    )


@require_GET
def conversation_since(request, conversation_id):
    """JSON: the messages after `after` (the polling fallback and catch-up), permission-checked."""
    conversation = access.access_conversation(request.user, conversation_id)
    after = int_param(request.GET, "after") if "after" in request.GET else 0
    if after is None:
        return JsonResponse({"error": _("Invalid request.")}, status=400)
    limit = settings.CSSR_CHAT_SINCE_LIMIT
    rows = selectors.messages_since(conversation=conversation, after=after, limit=limit)
    return JsonResponse(
        {
            "messages": [
                services.payload_for_reader(
                    services.message_payload(row),
                    language=translation.get_language(),
                    zone=timezone.get_current_timezone(),
                )
                for row in rows
            ],
            "complete": len(rows) < limit,
        }
    )


@require_POST
def conversation_read(request, conversation_id):
    """Move the read marker forward (the page sends this when new messages are shown)."""
    conversation = access.access_conversation(request.user, conversation_id)
    message_id = int_param(request.POST, "message")
    if message_id is not None:
        services.conversation_mark_read(actor=request.user, conversation=conversation, message_id=message_id)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True})
    return redirect("chat:conversation-detail", conversation.public_id)


@require_POST
def conversation_preferences(request, conversation_id):
    """Show or hide one's read marker to the others in this conversation."""
    conversation = access.access_conversation(request.user, conversation_id)
    services.participant_set_hide_read_marker(
        actor=request.user, conversation=conversation, hide=request.POST.get("hide_read_marker") == "1"
    )
    messages.success(request, _("Your preference is saved."))
    return redirect("chat:conversation-detail", conversation.public_id)


@require_POST
def conversation_leave(request, conversation_id):
    conversation = access.access_conversation(request.user, conversation_id)
    try:
        services.conversation_leave(actor=request.user, conversation=conversation)
    except PermissionDenied as error:
        flash_errors(request, error)
        return redirect("chat:conversation-detail", conversation.public_id)
    messages.success(request, _("You left the conversation."))
    return redirect("chat:conversation-list")


@require_http_methods(["GET", "POST"])
def message_edit(request, conversation_id, message_id):
    conversation = access.access_conversation(request.user, conversation_id, ChatAction.POST)
    message = access.access_message(conversation, message_id)
    access.check_change_message(request.user, message)
    if message.deleted_at is not None:
        raise PermissionDenied(_("This message was deleted."))
    form = MessageEditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(actor=request.user, message=message, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{conversation.get_absolute_url()}?page=last#message-{message.pk}")
    return render(
        request,
        "chat/message_edit.html",
        {
            "conversation": conversation,
            "message": message,
            "form": form,
            "title": conversation_title(conversation, request.user),
        },
    )


@require_POST
def message_delete(request, conversation_id, message_id):
    conversation = access.access_conversation(request.user, conversation_id)
    message = access.access_message(conversation, message_id)
    try:
        services.message_delete(actor=request.user, message=message)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The message was deleted."))
    return redirect("chat:conversation-detail", conversation.public_id)


@require_http_methods(["GET", "POST"])
def message_report(request, conversation_id, message_id):
    conversation = access.access_conversation(request.user, conversation_id)
    message = access.access_message(conversation, message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_report(actor=request.user, message=message, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. The report was sent."))
            return redirect("chat:conversation-detail", conversation.public_id)
    return render(
        request,
        "chat/message_report.html",
        {
            "conversation": conversation,
            "message": message,
            "form": form,
            "title": conversation_title(conversation, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def report_list(request, space_id):
    """The technical officer's queue of reported chat messages in the space."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.MODERATE, space)
    if request.method == "POST":
        report = selectors.report_get(space=space, report_id=int_param(request.POST, "report"))
        if report is None:
            raise Http404
        if request.POST.get("action") == "remove":
            services.message_delete(actor=request.user, message=report.message)
            messages.success(request, _("The message was removed."))
        else:
            services.report_handle(actor=request.user, report=report)
            messages.success(request, _("The report is marked as handled."))
        return redirect("chat:report-list", space.pk)
    page = Paginator(selectors.report_list(space=space), 30).get_page(request.GET.get("page"))
    return render(request, "chat/report_list.html", {"space": space, "page": page})
