from celery import shared_task

from . import emails, services


@shared_task
def send_invitation_email(invitation_id, token):
    """E-mail the invitation link (the token exists only here and in the e-mail)."""
    emails.send_invitation(invitation_id=invitation_id, token=token)


@shared_task
def expire_invitations():
    return services.invitations_expire()
