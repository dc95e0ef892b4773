from django.core.management.base import BaseCommand, CommandError

from cssr.celery import app


def scheduled_jobs():
    """The jobs of every app, from Celery's task registry: each scheduled task names itself with
    `@shared_task(job_name=...)`; the core does not need to know the apps that define them."""
    app.loader.import_default_modules()
    return {task.job_name: task for task in app.tasks.values() if getattr(task, "job_name", None)}


class Command(BaseCommand):
    help = "Run one scheduled job now, in this process (the same code the Celery worker runs)."

    def add_arguments(self, parser):
        parser.add_argument("job", help="the job's name (run without one to list them)", nargs="?")

    def handle(self, *args, job, **options):
        jobs = scheduled_jobs()
        if job not in jobs:
            names = ", ".join(sorted(jobs))
            raise CommandError(f"Unknown job {job!r}; the jobs are: {names}")
        result = jobs[job].run()
        self.stdout.write(f"{job}: {result}")
