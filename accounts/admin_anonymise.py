"""The admin action that anonymises departed participants, after a confirmation page."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services


@admin.action(
    description=gettext_lazy("Anonymise the selected departed participants"), permissions=["change"]
)
def anonymise(modeladmin, request, queryset):
    """First a page listing who will be anonymised (and who cannot be, and why); then, confirmed,
    `services.user_anonymise` for each. Refusals are reported, never half-done."""
    users = list(queryset.order_by("pk"))
    if request.POST.get("confirm") != "yes":
        rows = []
        for user in users:
            refusal = services.user_anonymise_refusal(actor=request.user, user=user)
            if user.anonymised_at is not None:
                refusal = _("Already anonymised: nothing more to do.")
            rows.append({"user": user, "refusal": refusal})
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Anonymise departed participants"),
            "rows": rows,
            "opts": modeladmin.model._meta,
            "may_proceed": any(row["refusal"] is None for row in rows),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/user/anonymise.html", context)
    done = 0
    for user in users:
        if user.anonymised_at is not None:
            continue
        try:
            services.user_anonymise(actor=request.user, user=user)
        except (PermissionDenied, ValidationError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{user.username}: {reason}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d account anonymised.", "%(count)d accounts anonymised.", done)
            % {"count": done},
            messages.SUCCESS,
        )
    return None
