import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, data_export, services
from .decorators import conduct_not_required
from .forms import ConductAcceptForm, LanguageForm, ProfileForm, SetPasswordFromInvitationForm
from .middleware import CodeOfConductMiddleware
from .models import AuditEvent
from .selectors import conduct_current


def _safe_next(request, fallback):
    """`next` if it is a path on this site, else `fallback`.

    A URL name is not taken: `redirect()` would look one up.
    """
    candidate = request.POST.get("next") or request.GET.get("next")
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return fallback


@login_not_required
@conduct_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The page an invitation e-mail links to: the invited person sets their password once."""
    invitation = services.invitation_get_usable(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = SetPasswordFromInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your password is set."))
            return redirect("workgroups:space-list")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invited": invitation.user})


@conduct_not_required
@require_http_methods(["GET", "POST"])
def conduct(request):
    """Show the code of conduct in force and record the user's acceptance."""
    current = conduct_current()
    accepted = current is not None and current.acceptances.filter(user=request.user).exists()
    form = ConductAcceptForm(request.POST or None)
    if request.method == "POST":
        if current is None or accepted:
            return redirect(_safe_next(request, reverse("workgroups:space-list")))
        if form.is_valid():
            services.conduct_accept(user=request.user, conduct=current)
            request.session[CodeOfConductMiddleware.SESSION_KEY] = current.pk
            messages.success(request, _("Thank you. You accepted the code of conduct."))
            return redirect(_safe_next(request, reverse("workgroups:space-list")))
    return render(
        request,
        "accounts/conduct.html",
        {"conduct": current, "accepted": accepted, "form": form, "next": _safe_next(request, "")},
    )


@login_not_required
@conduct_not_required
@require_POST
def language_set(request):
    """Switch the interface language and remember it (cookie, and the account when signed in)."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_safe_next(request, reverse("workgroups:space-list")))
    if not form.is_valid():
        messages.error(request, _("This language is not available."))
        return response
    language = form.cleaned_data["language"]
    services.user_set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@require_http_methods(["GET", "POST"])
def profile(request):
    """The user's own profile: the name and title co-members see, language and time zone."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile is saved."))
            response = redirect("accounts:profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                request.user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
            return response
        request.user.refresh_from_db()
    return render(request, "accounts/profile.html", {"form": form})


@conduct_not_required
@require_POST
def data_download(request):
    """The signed-in user's own data as a ZIP (JSON and a readable page). There is no id in the URL:
    it is always "my" data. Written to a temporary file, then streamed; every download is audited."""
    user = get_user_model().objects.get(pk=request.user.pk)  # the row itself: request.user is a lazy wrapper
    archive = tempfile.TemporaryFile()
    try:
        data_export.data_export_write(user=user, file=archive)
        archive.seek(0)
        audit.record(actor=user, action=AuditEvent.Action.DATA_DOWNLOAD, target=user, request=request)
    except BaseException:
        archive.close()
        raise
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=data_export.data_export_filename(),
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
