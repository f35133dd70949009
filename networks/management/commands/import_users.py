from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from networks.people import import_users


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
        try:
            result = import_users(path_or_file=file, dry_run=dry_run)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("Nothing was imported.") from exc
        if dry_run:
            self.stdout.write("The file is valid (dry run: nothing written).")
            return
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, invited {result.invited}, "
            f"positions {result.positions}, memberships {result.memberships}"
        )
