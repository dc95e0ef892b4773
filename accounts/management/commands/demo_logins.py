from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, PEOPLE

ROLE_LABELS = {
    "staff": "operations staff (admin; two-factor: make totp)",
    "rapporteur": "rapporteur",
    "member": "member",
    "technical_officer": "technical officer",
    "political_officer": "political officer",
    "outsider": "participant in no group",
    "locked": "member locked out for inactivity",
}


class Command(BaseCommand):
    help = "Print the platform's URL and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"The CSSR platform is running at {url}/"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, name, _title, role, *_rest in PEOPLE:
            self.stdout.write(f"  {username:<10} {ROLE_LABELS[role]:<52} {name}")
        self.stdout.write(f"Two-factor codes of {', '.join(DEMO_TOTP_SECRETS)}: make totp")
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.write("")
