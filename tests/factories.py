import datetime

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import CodeOfConduct, ConductAcceptance, User
from workgroups import services as workgroup_services
from workgroups.models import Role, Space, Theme

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.Sequence(lambda n: f"مشارك {n}")
    title = "ناشط مدني"
    preferred_language = "ar"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def accepted_conduct(obj, create, extracted, **kwargs):
        """Participants accept the code of conduct in force unless told otherwise."""
        if create and extracted is not False:
            current = CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-version").first()
            if current is not None:
                ConductAcceptance.objects.get_or_create(user=obj, conduct=current)


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        """Staff must use two-factor authentication; staff made here have it on."""
        if create and extracted is not False and not Authenticator.objects.filter(user=obj).exists():
            TOTP.activate(obj, generate_totp_secret())


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"محور {n}")
    name_ar = factory.SelfAttribute("name")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


def make_space(*, status=Space.Status.ACTIVE, theme=None, actor=None, **fields):
    """A space made through the service, so its role groups and permissions exist."""
    today = timezone.localdate()
    name = fields.pop("name", "مجموعة العمل")
    defaults = {
        "kind": Space.Kind.WORKING_GROUP,
        "theme": theme or ThemeFactory(),
        "name": name,
        "name_ar": name,
        "name_en": fields.pop("name_en", "Working group"),
        "cycle_start": today - datetime.timedelta(days=30),
        "cycle_end": today + datetime.timedelta(days=75),
        "meeting_url": "https://meet.example.org/room-secret",
        "status": Space.Status.ACTIVE,
    }
    defaults.update(fields)
    space = workgroup_services.space_create(actor=actor, **defaults)
    if status != Space.Status.ACTIVE:
        workgroup_services.space_set_status(actor=actor, space=space, status=status)
    return space


def add_member(space, user=None, role=Role.MEMBER, **user_fields):
    user = user or UserFactory(**user_fields)
    workgroup_services.membership_add(actor=None, space=space, user=user, role=role)
    return user
