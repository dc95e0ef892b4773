"""Every write about accounts: invitations, the code of conduct, language and profile.

Trusts its caller: a user acting on their own account, or staff in admin (anonymisation asks
`user_anonymise_refusal` itself, because its refusal explains why)."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.services import calendar_feed_revoke
from workgroups.models import (
    DigestMute,
    DigestSubscription,
    Membership,
    NotificationSetting,
    OutgoingEmail,
    ThreadFollow,
    ThreadRead,
)
from workgroups.services import connections, membership_leave
from workgroups.services.outbox import outbox_add, outbox_send_soon

from . import audit
from .audit import target_type_of
from .emails import invitation_email
from .models import AuditEvent, CodeOfConduct, ConductAcceptance, Invitation, KnownDevice
from .selectors import CURRENT_CONDUCT_CACHE_KEY

User = get_user_model()


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, actor, email, username, display_name, title="", preferred_language="ar"):
    """Create an account for an invited person and e-mail them a one-time link to set a password.

    Staff only (admin). The account has no usable password until the link is used. Raises
    ValidationError if the e-mail address or username is taken.
    """
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this e-mail address already exists."), code="email_taken")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This username is taken."), code="username_taken")
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            display_name=display_name,
            title=title,
            preferred_language=preferred_language,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        invitation, token = _invitation_issue(actor=actor, user=user)
    return invitation, token


def invitation_resend(*, actor, user):
    """Revoke the user's open invitations and send a fresh link. Staff only."""

    with transaction.atomic():
        Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        # A revoked link still waiting in the outbox is not sent.
        OutgoingEmail.objects.filter(
            recipient=user, kind=OutgoingEmail.Kind.INVITATION, sent_at__isnull=True
        ).delete()
        return _invitation_issue(actor=actor, user=user)


def _invitation_issue(*, actor, user):
    """Create the invitation and write its e-mail to the outbox in the caller's transaction: the token
    goes from here into the e-mail only (the task queue never carries it), and a rollback sends nothing."""

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=_hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.CSSR_INVITATION_DAYS),
    )
    outbox_add([(user, OutgoingEmail.Kind.INVITATION, invitation_email(invitation=invitation, token=token))])
    outbox_send_soon()
    return invitation, token


def invitation_get_usable(*, token):
    """The pending invitation for this token, or None if it is unknown, used, revoked or expired."""
    invitation = Invitation.objects.select_related("user").filter(token_hash=_hash_token(token or "")).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_accept(*, token, password):
    """Set the invited user's password and spend the link.

    Raises ValidationError on a bad token or password.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=_hash_token(token or ""))
            .first()
        )
        if invitation is None or not invitation.is_usable:
            raise ValidationError(
                _("This invitation link is no longer valid. Ask the operations support team for a new one."),
                code="invitation_invalid",
            )
        user = invitation.user
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def invitations_expire():
    """Revoke invitations past their expiry date (they are refused anyway; this keeps admin honest)."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())


def conduct_publish(*, conduct):
    """Put a version of the code of conduct in force; every participant must accept it again."""
    if conduct.published_at is None:
        conduct.published_at = timezone.now()
        conduct.save(update_fields=["published_at"])
    transaction.on_commit(lambda: cache.delete(CURRENT_CONDUCT_CACHE_KEY))
    cache.delete(CURRENT_CONDUCT_CACHE_KEY)
    return conduct


def conduct_next_version():
    last = CodeOfConduct.objects.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def conduct_accept(*, user, conduct):
    """Record that `user` accepted this version now (once; accepting again changes nothing)."""
    acceptance, _created = ConductAcceptance.objects.get_or_create(user=user, conduct=conduct)
    return acceptance


def user_set_language(*, user, language):
    """Remember the user's language. Raises ValidationError for a language the platform does not offer."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not available."), code="language")
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


# --- Anonymising a departed participant -----------------------------------------------------------


def _is_operations_staff(actor):
    return bool(getattr(actor, "is_authenticated", False) and (actor.is_staff or actor.is_superuser))


def user_anonymise_refusal(*, actor, user):
    """Why `actor` may not anonymise `user` (a message in the actor's language), or None when they may.

    Only operations staff (superusers included) anonymise; never a staff account, nor their own.
    """
    if not _is_operations_staff(actor):
        return _("Only the operations support team can anonymise an account.")
    if user.pk == actor.pk:
        return _("You cannot anonymise your own account.")
    if user.is_staff or user.is_superuser:
        return _(
            "Staff accounts cannot be anonymised. Remove the staff status first if this person has left."
        )
    return None


def _former_username():
    while True:
        candidate = f"former-{secrets.token_hex(5)}"
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate


def _audit_labels_forget(user, *, memberships):
    """Blank the audit trail's labels that name `user`: the lines about them or their memberships, and
    any other whose label holds one of their names. Who did what, when, to which object id stays."""

    about = Q(target_type=target_type_of(User), target_id=str(user.pk)) | Q(
        target_type=target_type_of(memberships.model),
        target_id__in=[str(pk) for pk in memberships.values_list("pk", flat=True)],
    )
    for name in {user.username, user.display_name, user.get_full_name(), user.email}:
        if len(name.strip()) >= 3:  # a one- or two-letter name would blank unrelated lines
            about |= Q(target_label__icontains=name.strip())
    AuditEvent.objects.filter(about).exclude(target_label="").update(target_label="")


def user_anonymise(*, actor, user):
    """Anonymise a departed participant. Staff only (admin): raises PermissionDenied for anyone else,
    ValidationError for a staff account or the actor's own.

    The account can never sign in again (inactive, unusable password, sessions ended, two-factor
    authenticators and known devices deleted); the e-mail address and every private field are erased
    and the username becomes a meaningless `former-…`. Memberships end through the membership service
    (their history and the spaces' role groups stay right). Contributions stay, unattributed:
    `User.public_name` reads "Former member". The audit trail's lines keep what happened but forget
    the labels that named them; one more line records the anonymisation. Anonymising again changes nothing.
    """

    if not _is_operations_staff(actor):
        raise PermissionDenied(user_anonymise_refusal(actor=actor, user=user))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.anonymised_at is not None:
            return user
        refusal = user_anonymise_refusal(actor=actor, user=user)
        if refusal:
            raise ValidationError(refusal, code="refused")
        memberships = list(Membership.objects.filter(user=user).exclude(state=Membership.State.LEFT))
        for membership in memberships:
            membership_leave(actor=actor, membership=membership, reason="anonymised")
        for session in UserSession.objects.filter(user=user):
            session.end()
        Authenticator.objects.filter(user=user).delete()
        KnownDevice.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        calendar_feed_revoke(user=user)
        _audit_labels_forget(user, memberships=Membership.objects.filter(user=user))
        # Settings that would only keep sending them things.
        ThreadFollow.objects.filter(user=user).delete()
        ThreadRead.objects.filter(user=user).delete()  # what they read, and when
        NotificationSetting.objects.filter(user=user).delete()
        DigestMute.objects.filter(user=user).delete()
        DigestSubscription.objects.filter(user=user).delete()
        user.expertise_areas.clear()
        user.username = _former_username()
        user.email = user.first_name = user.last_name = user.display_name = user.title = ""
        user.gender = user.age_band = user.region = user.country_of_residence = ""
        user.time_zone = User._meta.get_field("time_zone").get_default()
        user.is_active = False
        user.set_unusable_password()
        user.anonymised_at = timezone.now()
        user.save()
        audit.record(
            actor=actor,
            action=AuditEvent.Action.ANONYMISATION,
            target=user,
            memberships_ended=len(memberships),
        )
        user_id = user.pk
        transaction.on_commit(lambda: connections.connections_close([user_id]))
    return user
