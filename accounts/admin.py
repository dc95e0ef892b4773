from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from modeltranslation.admin import TranslationAdmin

from cssr.admin_labels import PermissionLabelsMixin

from . import audit, services, throttle
from .admin_anonymise import anonymise
from .admin_content import may_read_participant_text
from .models import AuditEvent, CodeOfConduct, ConductAcceptance, ExpertiseArea, Invitation, User
from .names import display_name_clean

# The role groups of spaces (`workgroups.access.role_group_name`: "space:<id>:<role>") follow
# memberships, which only the membership services change: admin neither shows nor lets anyone edit them,
# and no other group may take a name of that form (it would be picked up by a space created later).
ROLE_GROUP_PREFIX = "space:"


class StaffUserChangeForm(UserChangeForm):
    """The user form without the spaces' role groups: choosing one is refused, and the ones the person
    holds through their memberships are kept whatever is chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].queryset = Group.objects.exclude(name__startswith=ROLE_GROUP_PREFIX)

    def clean_display_name(self):
        """A name staff set follows the rule of the person's own profile page (accounts/names.py)."""
        name = self.cleaned_data.get("display_name", "")
        if not name:
            return name
        return display_name_clean(name, user=self.instance, previous=self.initial.get("display_name") or "")

    def clean_groups(self):
        chosen = list(self.cleaned_data["groups"].values_list("pk", flat=True))
        held = []
        if self.instance.pk is not None:
            held = list(
                self.instance.groups.filter(name__startswith=ROLE_GROUP_PREFIX).values_list("pk", flat=True)
            )
        return Group.objects.filter(pk__in=[*chosen, *held])


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, BaseUserAdmin):
    """Accounts. Staff who are not superusers cannot raise anyone's privileges (superuser status,
    groups, permissions are read-only for them). Setting a password and deactivating an account are
    recorded in the audit trail."""

    form = StaffUserChangeForm
    list_display = [
        "username",
        "display_name",
        "email",
        "preferred_language",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_active", "preferred_language", "gender", "age_band", "region"]
    search_fields = ["username", "display_name", "email", "title"]
    filter_horizontal = ["expertise_areas", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Seen by co-members"), {"fields": ["display_name", "title"]}),
        (_("Preferences"), {"fields": ["email", "preferred_language", "time_zone"]}),
        (
            _("Private profile (staff only)"),
            {"fields": ["gender", "age_band", "region", "country_of_residence", "expertise_areas"]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "display_name", "email", "usable_password", "password1", "password2"],
            },
        ),
    ]
    actions = ["send_new_invitation", anonymise]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            audit.record(
                actor=request.user, action=audit.Action.ACCOUNT_DEACTIVATED, target=obj, request=request
            )

    def user_change_password(self, request, id, form_url=""):
        """Django's page for setting a user's password (or turning password sign-in off), recorded in the
        audit trail when the password really changed."""
        user = self.get_object(request, unquote(id))
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                after = User.objects.get(pk=user.pk)
                if after.password != user.password:
                    audit.record(
                        actor=request.user,
                        action=audit.Action.PASSWORD_SET_BY_STAFF,
                        target=after,
                        request=request,
                        usable=after.has_usable_password(),
                    )
                    throttle.password_renewed(after)  # the staff's network is not the user's: no home network
        return response

    @admin.action(description=_("Send a new invitation link"))
    def send_new_invitation(self, request, queryset):
        for user in queryset:
            services.invitation_resend(actor=request.user, user=user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count) % {"count": count},
            messages.SUCCESS,
        )


class InvitationCreateForm(forms.ModelForm):
    """Staff invite a participant: the account is created now, the password is set by the invitee."""

    email = forms.EmailField(label=_("e-mail address"))
    username = forms.RegexField(
        label=_("username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_(
            "Letters, digits and @/./+/-/_ only; the participant signs in with it or with the e-mail address."
        ),
    )
    display_name = forms.CharField(label=_("display name"), max_length=120)
    title = forms.CharField(
        label=pgettext_lazy("a person's professional title", "title"), max_length=160, required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("preferred language"), choices=settings.LANGUAGES, initial="ar"
    )

    class Meta:
        model = Invitation
        fields = []

    def clean_display_name(self):
        """The participant's name, by the rule of their own profile page (accounts/names.py)."""
        return display_name_clean(
            self.cleaned_data["display_name"], user=User(username=self.data.get("username", ""))
        )

    def clean(self):
        cleaned = super().clean()
        if User.objects.filter(email__iexact=cleaned.get("email", "")).exists():
            self.add_error("email", _("An account with this e-mail address already exists."))
        if User.objects.filter(username__iexact=cleaned.get("username", "")).exists():
            self.add_error("username", _("This username is taken."))
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "invited_by", "created_at", "expires_at", "status_display"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "user__email", "user__display_name"]
    readonly_fields = ["user", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return obj.status

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "username", "display_name", "title", "preferred_language"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            invitation, _token = services.invitation_create(
                actor=request.user,
                email=data["email"],
                username=data["username"],
                display_name=data["display_name"],
                title=data["title"],
                preferred_language=data["preferred_language"],
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        obj.pk = invitation.pk
        obj.user = invitation.user

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request, _("The invitation was sent to %(email)s.") % {"email": obj.user.email}, messages.SUCCESS
        )
        return redirect("admin:accounts_invitation_changelist")

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset):
        count = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count)
            % {"count": count},
        )


@admin.register(CodeOfConduct)
class CodeOfConductAdmin(TranslationAdmin):
    list_display = ["version", "title", "published_at", "acceptance_count"]
    readonly_fields = ["version", "published_at", "created_at"]
    actions = ["publish"]

    @admin.display(description=_("acceptances"))
    def acceptance_count(self, obj):
        return obj.acceptances.count()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            # A published version is a record of what people accepted: write a new version instead.
            return [
                *self.readonly_fields,
                *[f.name for f in obj._meta.fields if f.name.startswith(("title", "body"))],
            ]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.version = services.conduct_next_version()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish: put in force and ask every participant to accept it"))
    def publish(self, request, queryset):
        for conduct in queryset.order_by("version"):
            services.conduct_publish(conduct=conduct)
        self.message_user(
            request, _("Published. Participants will be asked to accept it on their next visit.")
        )


@admin.register(ConductAcceptance)
class ConductAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["user", "conduct", "accepted_at"]
    list_filter = ["conduct"]
    search_fields = ["user__username", "user__display_name"]
    readonly_fields = ["user", "conduct", "accepted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name.startswith(ROLE_GROUP_PREFIX):
            raise ValidationError(
                _(
                    "Names beginning with “%(prefix)s” are kept for the role groups of spaces, which follow "
                    "memberships."
                ),
                code="reserved",
                params={"prefix": ROLE_GROUP_PREFIX},
            )
        return name


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, BaseGroupAdmin):
    """Groups of global permissions. The spaces' role groups are not listed, changed or deleted here:
    memberships decide who is in them (Workgroups → Memberships)."""

    form = GroupAdminForm

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(name__startswith=ROLE_GROUP_PREFIX)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, for superusers only, and only as a list: no line can be added, opened for
    change or deleted, here or anywhere (the model, and on PostgreSQL a trigger, refuse it)."""

    list_display = [
        "at",
        "actor",
        "action",
        "target_label",
        "target_type",
        "target_id",
        "space_name",
        "address",
        "details",
    ]
    list_display_links = None
    list_filter = ["action", "at", ("actor", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "at"
    search_fields = ["target_label"]
    list_select_related = ["actor"]
    actions = None

    def get_queryset(self, request):
        spaces = apps.get_model("workgroups", "Space").objects.filter(pk=OuterRef("space_id"))
        return super().get_queryset(request).annotate(space_name=Subquery(spaces.values("name_ar")[:1]))

    @admin.display(description=_("space"))
    def space_name(self, event):
        return event.space_name or ("" if event.space_id is None else event.space_id)

    def has_module_permission(self, request):
        return may_read_participant_text(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_participant_text(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise PermissionDenied

    def history_view(self, request, object_id, extra_context=None):
        raise PermissionDenied
