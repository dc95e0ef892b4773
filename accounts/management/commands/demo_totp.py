import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_TOTP_SECRETS


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of each demo account that must use two-factor authentication "
        "(staff, officers, rapporteurs; demo data only), or of one of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="print only this account's code")

    def handle(self, *args, username=None, **options):
        now, period = int(time.time()), app_settings.TOTP_PERIOD
        if username:
            if username not in DEMO_TOTP_SECRETS:
                raise CommandError(
                    f"{username} has no demo two-factor code; these have: {', '.join(DEMO_TOTP_SECRETS)}"
                )
            self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRETS[username], now // period)))
            return
        for name, secret in DEMO_TOTP_SECRETS.items():
            self.stdout.write(f"{name:<10} {format_hotp_value(hotp_value(secret, now // period))}")
        self.stdout.write(f"(valid for {period - now % period} more seconds)")
