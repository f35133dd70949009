from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand
from django.db import transaction

from rme_platform.accounts.models import Role, User
from rme_platform.management.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS


class Command(BaseCommand):
    help = "Create the demo data set (repeatable: running it twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load the demo when the database has no users (used by `make run`).",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has data: demo not loaded again.")
        else:
            self.seed()
        if not options["quiet_logins"]:
            self.print_logins()

    @transaction.atomic
    def seed(self):
        for email, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if (
                user.requires_mfa
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                TOTP.activate(user, DEMO_TOTP_SECRET)

    def print_logins(self):
        out = self.stdout
        out.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for email, _first, _last, role in DEMO_USERS:
            mfa = (
                f"  (TOTP code: DEBUG=1 .venv/bin/python manage.py demo_totp {email})"
                if role in {"admin", "analyst"}
                else ""
            )
            out.write(f"  {Role(role).label:<32} {email}{mfa}")
        out.write(f"  TOTP secret of the demo admin and analyst: {DEMO_TOTP_SECRET}")
