"""Scheduled jobs (Celery beat, see CELERY_BEAT_SCHEDULE). Each is thin and idempotent: it calls one
service, and running it twice changes nothing more."""

from celery import shared_task

from . import services


@shared_task(job_name="inactivity")
def run_inactivity():
    return services.inactivity_run()


@shared_task(job_name="inactivity-emails")
def send_inactivity_warnings():
    return services.inactivity_warning_emails_send()


@shared_task(job_name="digests")
def send_digests():
    return services.digests_run()


@shared_task(job_name="outbox")
def send_outbox():
    return services.outbox_send()
