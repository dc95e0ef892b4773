"""Participants' words in admin: operations staff manage the structure without reading them.

The texts of posts and their earlier versions, chat messages, draft sections and revisions, concern
and agenda descriptions, and the e-mails that quote them are the participants' own. Staff who are not
superusers see a placeholder where such a text would be: not in lists, not on change pages, not in
inlines, and no search reaches into it. Superusers see them, and each change page that shows one to a
superuser is a line of the audit trail (`Action.BODY_VIEWED`).

Admins declare what holds participant text in `content_fields` (model fields, or display methods
such as `post_text`); `SuperuserOnlyAdmin` is for the admins whose only purpose is reading texts.
"""

from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from . import audit

PLACEHOLDER = "participant_text_hidden"


def may_read_participant_text(user):
    """Only superusers read participants' texts in admin (and each reading is recorded)."""
    return bool(user.is_active and user.is_superuser)


def _space_id(obj):
    """The id of the space `obj` lives in (its `access_space_path`), or None outside any space."""
    target = obj
    try:
        for part in getattr(type(obj), "access_space_path", "space").split("__"):
            target = getattr(target, part)
    except (AttributeError, ObjectDoesNotExist):
        return None
    return getattr(target, "pk", None)


class ParticipantTextMixin:
    """For a ModelAdmin or an inline: hide `content_fields` from staff who are not superusers."""

    content_fields = ()
    content_hidden_message = _(
        "Hidden: the operations team does not read participants' texts here. A superuser can, and each "
        "reading is recorded in the audit trail."
    )

    def hides_participant_text(self, request):
        return bool(self.content_fields) and not may_read_participant_text(request.user)

    @admin.display(description=_("participant text"))
    def participant_text_hidden(self, obj):
        return self.content_hidden_message

    def _without_text(self, names):
        """`names` with the content fields replaced by one placeholder, where the first one stood."""
        shown = []
        for name in names:
            if name in self.content_fields:
                name = PLACEHOLDER
            if name not in shown:
                shown.append(name)
        return shown

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return self._without_text(fields) if self.hides_participant_text(request) else fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.hides_participant_text(request):
            return fields
        fields = self._without_text(fields)
        return fields if PLACEHOLDER in fields else [*fields, PLACEHOLDER]

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        if not self.hides_participant_text(request):
            return excluded
        return [*(excluded or ()), *self.content_fields]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not self.hides_participant_text(request):
            return shown
        return [name for name in shown if name not in self.content_fields]

    def get_search_fields(self, request):
        # Searching a text reveals it word by word: nobody searches participants' texts in admin.
        return [
            name
            for name in super().get_search_fields(request)
            if name.split("__")[-1] not in self.content_fields
        ]


class ParticipantTextAdmin(ParticipantTextMixin, admin.ModelAdmin):
    """A ModelAdmin whose change page (itself or one of its inlines) may show participant text: a
    superuser's view of it is recorded."""

    def shows_participant_text(self, request, obj):
        if not may_read_participant_text(request.user):
            return False
        return bool(self.content_fields) or any(
            getattr(inline, "content_fields", ()) for inline in self.get_inline_instances(request, obj)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, admin.utils.unquote(object_id))
            if obj is not None and self.shows_participant_text(request, obj):
                audit.record(
                    actor=request.user,
                    action=audit.Action.BODY_VIEWED,
                    target=obj,
                    space=_space_id(obj),
                    request=request,
                    admin=self.opts.label_lower,
                )
        return response


class SuperuserOnlyAdmin(ParticipantTextAdmin):
    """Read-only, and only for superusers: admins whose purpose is reading participants' texts."""

    def has_module_permission(self, request):
        return may_read_participant_text(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_participant_text(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
