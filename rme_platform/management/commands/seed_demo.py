import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from monitoring.demo import seed_demo_monitoring
from networks.demo import seed_national, seed_small
from networks.meetings.demo import seed_demo_meetings
from networks.practices.demo import seed_demo_practices
from pme.demo import seed_demo_pme
from rme_platform.accounts.models import Role, User
from rme_platform.management.demo import (
    DEMO_PASSWORD,
    DEMO_SEED,
    DEMO_TOTP_SECRET,
    DEMO_USERS,
)
from schools.demo import DIRECTORY_FILE, official_file


class Command(BaseCommand):
    help = (
        "Load the demo data set (repeatable: same seed and day, same data), dated from "
        "today's school year (March to December, America/Santiago) and the two before it. "
        "--scale national builds the national shape (10,777 schools, ~600 networks, "
        "~22,000 directivos)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "national"], default="demo")
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Random seed (national).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load the demo when the database has no users (used by `make run`).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, scale, seed, if_empty, quiet_logins, **options):
        start = time.monotonic()
        if scale == "national" and official_file(DIRECTORY_FILE) is None:
            raise CommandError(
                _(
                    "La escala nacional necesita el directorio oficial real: descargue el "
                    "«Directorio Oficial de Establecimientos» 2025 del portal de datos abiertos "
                    "de MINEDUC y déjelo como %(file)s en la carpeta que indica la variable "
                    "RME_DATA_DIR (ahora: %(dir)s)."
                )
                % {
                    "file": DIRECTORY_FILE,
                    "dir": settings.RME_DATA_DIR or _("sin definir"),
                }
            )
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has data: demo not loaded again.")
        elif scale == "national":
            seed_small(stdout=self.stdout)
            self.seed_apps()
            figures = seed_national(seed=seed, stdout=self.stdout)
            self.stdout.write(
                "National scale: {schools} schools in {networks} networks, {directivos} "
                "directivos, {users} accounts, {memberships} memberships.".format(**figures)
            )
        else:
            figures = seed_small(stdout=self.stdout)
            self.seed_apps()
            self.stdout.write(
                "Demo: {networks} networks with {schools} schools (Maule region), school "
                "year {year}.".format(**figures)
            )
        self.stdout.write(f"Done in {time.monotonic() - start:.1f} s.")
        if not quiet_logins:
            self.print_logins()

    def seed_apps(self):
        """Each app's demo content, on top of the Maule networks."""
        seed_demo_meetings(stdout=self.stdout)
        seed_demo_pme(stdout=self.stdout)
        seed_demo_practices(stdout=self.stdout)
        seed_demo_monitoring(stdout=self.stdout)

    def print_logins(self):
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for email, _first, _last, role in DEMO_USERS:
            mfa = (
                f"  (TOTP code: DEBUG=1 .venv/bin/python manage.py demo_totp {email})"
                if role in {"admin", "analyst"}
                else ""
            )
            out.write(f"  {Role(role).label:<32} {email}{mfa}")
        out.write(f"  TOTP secret of the demo admin and analyst: {DEMO_TOTP_SECRET}")
