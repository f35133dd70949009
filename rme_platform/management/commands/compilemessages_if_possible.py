import shutil

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile the message catalogs when GNU gettext is installed; otherwise keep the "
        "compiled catalogs committed in locale/."
    )

    def handle(self, *args, **options):
        if shutil.which("msgfmt") is None:
            self.stdout.write("msgfmt not found: using the compiled catalogs in locale/.")
            return
        call_command(
            "compilemessages",
            locale=["en", "es"],
            ignore_patterns=[".venv/*", "var/*"],
            verbosity=0,
        )
