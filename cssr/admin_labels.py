"""Admin in the reader's language, third-party apps included.

Admin shows app, model and field names as the apps declare them. Some carry no translatable name: models
and fields named only after their Python name (allauth's authenticators and sessions, guardian, several
fields of the platform's own models), and apps whose names are wrong or clash in Arabic (allauth's
"MFA" reads «وزارة الخارجية» in its own catalog, allauth's and the platform's account apps are both
«الحسابات»). `install()`, run once the models are loaded, gives them names translated by the platform's
catalogs (locale/), which take precedence over the apps' own. These are display names only: migrations
read the names the models declare, not these.
"""

from django.apps import apps
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _

# One name per admin section, different from every other section's in both languages.
APP_NAMES = {
    "account": _("E-mail addresses"),
    "mfa": _("Two-step verification"),
    "usersessions": _("User sessions"),
    "guardian": _("Object permissions"),
    "django_celery_beat": _("Scheduled jobs"),
}

# Columns and read-only fields of third-party admins that name themselves after their method.
METHOD_NAMES = {
    ("django_celery_beat.PeriodicTask", "crontab_translation"): _("Crontab in words"),
}

# Names of models and fields that reach admin untranslatable: derived from a Python name where the app
# gives none, or given as a plain string. A test fails when one is missing here.
UNTRANSLATED_NAMES = (
    gettext_noop("ID"),
    gettext_noop("actor"),
    gettext_noop("answer"),
    gettext_noop("answer choice"),
    gettext_noop("answer choices"),
    gettext_noop("answered at"),
    gettext_noop("answers"),
    gettext_noop("app label"),
    gettext_noop("authenticator"),
    gettext_noop("authenticators"),
    gettext_noop("author"),
    gettext_noop("body"),
    gettext_noop("cast at"),
    gettext_noop("claimed at"),
    gettext_noop("concern"),
    gettext_noop("concern region"),
    gettext_noop("concern regions"),
    gettext_noop("conduct"),
    gettext_noop("content type"),
    gettext_noop("conversation"),
    gettext_noop("created at"),
    gettext_noop("data"),
    gettext_noop("deleted at"),
    gettext_noop("digest mute"),
    gettext_noop("digest mutes"),
    gettext_noop("direct key"),
    gettext_noop("draft"),
    gettext_noop("edited at"),
    gettext_noop("election"),
    gettext_noop("endorsement"),
    gettext_noop("endorsements"),
    gettext_noop("event"),
    gettext_noop("extracted text"),
    gettext_noop("group"),
    gettext_noop("group object permission"),
    gettext_noop("group object permissions"),
    gettext_noop("hidden at"),
    gettext_noop("html"),
    gettext_noop("ident"),
    gettext_noop("ip"),
    gettext_noop("key"),
    gettext_noop("kind"),
    gettext_noop("last seen at"),
    gettext_noop("last sent at"),
    gettext_noop("last update"),
    gettext_noop("last used at"),
    gettext_noop("lead minutes"),
    gettext_noop("membership"),
    gettext_noop("message"),
    gettext_noop("nomination"),
    gettext_noop("notification"),
    gettext_noop("notification setting"),
    gettext_noop("notification settings"),
    gettext_noop("notifications"),
    gettext_noop("number"),
    gettext_noop("option"),
    gettext_noop("parent"),
    gettext_noop("permission"),
    gettext_noop("post"),
    gettext_noop("proposed by"),
    gettext_noop("public id"),
    gettext_noop("question"),
    gettext_noop("questionnaire"),
    gettext_noop("rank"),
    gettext_noop("read at"),
    gettext_noop("receipt"),
    gettext_noop("receipts"),
    gettext_noop("recipient"),
    gettext_noop("reporter"),
    gettext_noop("resolved at"),
    gettext_noop("resolved by"),
    gettext_noop("search text"),
    gettext_noop("section"),
    gettext_noop("sent at"),
    gettext_noop("slot"),
    gettext_noop("space"),
    gettext_noop("submission"),
    gettext_noop("tag"),
    gettext_noop("Task Name"),
    gettext_noop("tags"),
    gettext_noop("text"),
    gettext_noop("themes"),
    gettext_noop("thread"),
    gettext_noop("thread follow"),
    gettext_noop("thread follows"),
    gettext_noop("thread read"),
    gettext_noop("thread reads"),
    gettext_noop("read up to"),
    gettext_noop("thumbnail"),
    gettext_noop("title"),
    gettext_noop("token hash"),
    gettext_noop("type"),
    gettext_noop("uid"),
    gettext_noop("url"),
    gettext_noop("user"),
    gettext_noop("user agent"),
    gettext_noop("user object permission"),
    gettext_noop("user object permissions"),
    gettext_noop("user session"),
    gettext_noop("user sessions"),
    gettext_noop("voter"),
)

# Django's default permissions, named in the reader's language (their names are stored in English).
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def untranslated_names(model):
    """The names of `model` and of its fields that no catalog can translate (plain strings, most derived
    from Python names): [(holder, attribute, name)], where `attribute` of `holder` holds `name`."""
    opts = model._meta
    found = []
    if type(opts.verbose_name) is str:
        found.append((opts, "verbose_name", opts.verbose_name))
        if "verbose_name_plural" not in opts.original_attrs:
            found.append((opts, "verbose_name_plural", str(opts.verbose_name_plural)))
    if type(opts.verbose_name_plural) is str:
        found.append((opts, "verbose_name_plural", opts.verbose_name_plural))
    for field in [*opts.local_fields, *opts.local_many_to_many]:
        if type(field.verbose_name) is str:
            found.append((field, "verbose_name", field.verbose_name))
    return found


def permission_label(permission):
    """A permission as admin lists it («app | model | what it allows»), in the reader's language."""
    model = permission.content_type.model_class()
    action, _separator, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_PERMISSIONS and model_name == model._meta.model_name:
        name = DEFAULT_PERMISSIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    if model is None:
        return f"{permission.content_type} | {name}"
    return f"{capfirst(model._meta.app_config.verbose_name)} | {capfirst(model._meta.verbose_name)} | {name}"


class PermissionLabelsMixin:
    """For a ModelAdmin whose form chooses permissions: each in the reader's language."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model._meta.label == "auth.Permission":
            field.label_from_instance = permission_label
        return field


LANGUAGE_OF_FIELD = {
    "ar": _("%(field)s (Arabic)"),
    "en": _("%(field)s (English)"),
}


def translated_field_name(verbose_name, language):
    """The label of one language's copy of a translated field (modeltranslation): «الاسم (بالعربية)»."""
    template = LANGUAGE_OF_FIELD.get(language)
    if template is None:
        return f"{verbose_name} ({language})"
    return str(template) % {"field": verbose_name}


def _boolean_icon(field_val):
    """Admin's yes/no icon, its text alternative in the reader's language (Django's reads "True")."""
    from django.templatetags.static import static

    icon, text = {
        True: ("yes", pgettext("boolean", "Yes")),
        False: ("no", pgettext("boolean", "No")),
        None: ("unknown", pgettext("boolean", "Unknown")),
    }[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


def _crontab_in_words(described):
    """django-celery-beat describes a schedule in English only («Every minute»): in other languages, the
    schedule's own cron expression and time zone."""

    def human_readable(crontab):
        if get_language() == "en":
            return described(crontab)
        fields = [
            crontab.minute,
            crontab.hour,
            crontab.day_of_month,
            crontab.month_of_year,
            crontab.day_of_week,
        ]
        expression = " ".join(str(field).replace(" ", "") or "*" for field in fields)
        return f"{expression} ({crontab.timezone})"

    human_readable.short_description = _("Summary")
    return property(human_readable)


def install():
    """Give the apps, models and fields above their translated names; run once the models are loaded."""
    from django.contrib import admin
    from django.contrib.admin.templatetags import admin_list

    for label, name in APP_NAMES.items():
        if label in apps.app_configs:
            apps.app_configs[label].verbose_name = name
    known = set(UNTRANSLATED_NAMES)
    for model in apps.get_models():
        for holder, attribute, name in untranslated_names(model):
            if name in known:
                setattr(holder, attribute, gettext_lazy(name))
    for (model_label, attribute), name in METHOD_NAMES.items():
        model_admin = admin.site._registry.get(apps.get_model(model_label))
        if model_admin is not None:
            getattr(type(model_admin), attribute).short_description = name
    admin_list._boolean_icon = _boolean_icon
    if apps.is_installed("django_celery_beat"):
        crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
        crontab.human_readable = _crontab_in_words(crontab.human_readable.fget)
