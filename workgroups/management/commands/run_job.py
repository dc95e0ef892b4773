from django.core.management.base import BaseCommand

from accounts import services as account_services
from events import services as event_services
from workgroups import services

JOBS = {
    "inactivity": services.inactivity_run,
    "inactivity-emails": services.inactivity_warning_emails_send,
    "digests": services.digests_run,
    "outbox": services.outbox_send,
    "expire-invitations": account_services.invitations_expire,
    "event-reminders": event_services.event_reminders_send,
}


class Command(BaseCommand):
    help = "Run one scheduled job now, in this process (the same code the Celery worker runs)."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(JOBS))

    def handle(self, *args, job, **options):
        result = JOBS[job]()
        self.stdout.write(f"{job}: {result}")
