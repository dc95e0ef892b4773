"""Every write about accounts: invitations, the code of conduct, language and profile."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CodeOfConduct, ConductAcceptance, Invitation
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
            username=username, email=email, display_name=display_name, title=title,
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
        return _invitation_issue(actor=actor, user=user)


def _invitation_issue(*, actor, user):
    from .tasks import send_invitation_email

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=_hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.CSSR_INVITATION_DAYS),
    )
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def invitation_get_usable(*, token):
    """The pending invitation for this token, or None if it is unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_hash_token(token or "")).first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_accept(*, token, password):
    """Set the invited user's password and spend the link. Raises ValidationError on a bad token or password."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("user")
            .filter(token_hash=_hash_token(token or "")).first()
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
