"""Notifications and search: both read only what the permission core lets the user see."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cssr.params import int_param
from workgroups import access, selectors, services
from workgroups.forms import DigestSettingsForm, NotificationSettingsForm, SearchForm
from workgroups.models import Notification
from workgroups.selectors import search as search_module


@require_GET
def notification_list(request):
    notifications = selectors.notification_list(user=request.user)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "workgroups/notification_list.html", {"page": page})


@require_POST
def notification_read(request):
    """Mark one notification (and go to it) or all of them read. An unknown one marks nothing."""
    if "notification" in request.POST:
        notification_id, notification = int_param(request.POST, "notification"), None
        if notification_id is not None:
            notification = selectors.notification_get(user=request.user, notification_id=notification_id)
        if notification is not None:
            services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
            if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
                return redirect(notification.url)
        return redirect("workgroups:notification-list")
    services.notification_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("workgroups:notification-list")


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    muted = selectors.muted_notification_kinds(user=request.user)
    form = NotificationSettingsForm(
        request.POST or None, initial={"kinds": [k for k in Notification.Kind.values if k not in muted]}
    )
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(user=request.user, enabled_kinds=form.cleaned_data["kinds"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("workgroups:notification-settings")
    return render(request, "workgroups/notification_settings.html", {"form": form})


@require_GET
def search(request):
    """Search the user's spaces (Arabic-aware). An overlong query is cut, with a message."""
    form = SearchForm(request.GET)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
    elif "q" in form.errors:
        messages.error(request, _("The search is too long; only its beginning was used."))
        query = request.GET.get("q", "")[: search_module.QUERY_MAX_LENGTH]
    if len(query) > search_module.QUERY_MAX_LENGTH:
        messages.warning(request, _("The search is too long; only its beginning was used."))
        query = query[: search_module.QUERY_MAX_LENGTH]
    groups = search_module.search(user=request.user, query=query) if query else []
    results = [result for group in groups for result in group.results]
    return render(request, "workgroups/search.html", {"query": query, "groups": groups, "results": results})


@require_http_methods(["GET", "POST"])
def digest_settings(request):
    """How often the e-mail digest comes, and which spaces and followed discussions it leaves out."""
    spaces = selectors.digest_space_list(user=request.user)
    threads = selectors.digest_thread_list(user=request.user, spaces=spaces)
    subscription = services.digest_subscription(request.user)
    mutes = selectors.digest_mute_list(user=request.user)
    form = DigestSettingsForm(
        request.POST or None,
        spaces=spaces,
        threads=threads,
        initial={
            "frequency": subscription.frequency,
            "muted_spaces": [m.space_id for m in mutes if m.space_id],
            "muted_threads": [m.thread_id for m in mutes if m.thread_id],
        },
    )
    if request.method == "POST" and form.is_valid():
        services.digest_settings_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your digest settings are saved."))
        return redirect("workgroups:digest-settings")
    return render(request, "workgroups/digest_settings.html", {"form": form})


@require_POST
def reinstatement_request(request, space_id):
    """From the lock page: a locked member asks the operations support team to let them back in."""
    space, membership = access.access_locked_membership(request.user, space_id)
    services.reinstatement_request(
        actor=request.user,
        membership=membership,
        message=request.POST.get("message", "").replace("\x00", "")[:2000],
    )
    messages.success(request, _("Your request was sent to the operations support team."))
    return redirect("workgroups:space-list")
