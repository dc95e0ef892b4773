"""Scheduled jobs of the events capability (CELERY_BEAT_SCHEDULE). Thin and idempotent."""

from celery import shared_task

from . import services


@shared_task(job_name="event-reminders")
def send_event_reminders():
    return services.event_reminders_send()
