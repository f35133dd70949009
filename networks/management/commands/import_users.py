from django.core.management.base import BaseCommand

from networks.people import import_users
from rme_platform.management.imports import import_errors


class Command(BaseCommand):
    help = (
        "Create or update people from a CSV with the header "
        "email,first_name,last_name,role,rbd,deprov,sostenedor_rut,networks "
        "(role: director|utp|supervisor|sostenedor_rep|analyst; networks: codes separated "
        "by spaces). All-or-nothing; new people get an invitation by email."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check the file only.")

    def handle(self, *args, file, dry_run, **options):
        with import_errors(self, nothing="Nothing was imported.", missing=f"No such file: {file}"):
            result = import_users(path_or_file=file, dry_run=dry_run)
        if dry_run:
            self.stdout.write("The file is valid (dry run: nothing written).")
            return
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, invited {result.invited}, "
            f"positions {result.positions}, memberships {result.memberships}"
        )
