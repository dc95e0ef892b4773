import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app adds its own demo content in `<app>/demo.py`, in this order (later ones build on earlier).
DEMO_APPS = ["accounts", "workgroups", "documents", "chat", "events"]


class Command(BaseCommand):
    help = "Load the demo data of every capability (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even in production (DJANGO_DEBUG=0).")

    def handle(self, *args, force=False, **options):
        if settings.CSSR_PRODUCTION and not force:
            raise CommandError("Refusing to load demo data in production (use --force on a test deployment).")
        context = {}
        with transaction.atomic():
            for label in DEMO_APPS:
                if not apps.is_installed(label):
                    continue
                try:
                    module = importlib.import_module(f"{label}.demo")
                except ModuleNotFoundError as error:
                    if error.name == f"{label}.demo":
                        continue
                    raise
                context[label] = module.load(**({"context": context} if label != "accounts" else {}))
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
