from celery import shared_task

from . import services, services_sessions


@shared_task(job_name="expire-invitations")
def expire_invitations():
    return services.invitations_expire()


@shared_task(job_name="forget-old-metadata")
def forget_old_metadata():
    """Blank addresses older than CSSR_METADATA_RETENTION_DAYS, drop expired sessions and stale devices."""
    return services_sessions.metadata_forget_old()
