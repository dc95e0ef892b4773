from celery import shared_task

from . import emails, services, services_sessions


@shared_task
def send_invitation_email(invitation_id, token):
    """E-mail the invitation link (the token exists only here and in the e-mail)."""
    emails.send_invitation(invitation_id=invitation_id, token=token)


@shared_task
def expire_invitations():
    return services.invitations_expire()


@shared_task
def forget_old_metadata():
    """Blank addresses older than CSSR_METADATA_RETENTION_DAYS, drop expired sessions and stale devices."""
    return services_sessions.metadata_forget_old()
