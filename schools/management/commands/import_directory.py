from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from schools.services import DirectoryImportError, import_directory


class Command(BaseCommand):
    help = (
        "Importa el Directorio Oficial de Establecimientos de MINEDUC (CSV tal como se publica). "
        "Todo o nada: si hay errores, los lista con fila y columna y no escribe nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="el archivo CSV del directorio")
        parser.add_argument("--year", type=int, help="año del directorio (por omisión, AGNO)")
        parser.add_argument(
            "--dry-run", action="store_true", help="valida e informa sin escribir nada"
        )

    def handle(self, *args, file, year, dry_run, verbosity, **options):
        try:
            result = import_directory(path_or_file=file, year=year, dry_run=dry_run)
        except FileNotFoundError as exc:
            raise CommandError(exc) from exc
        except DirectoryImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                _("No se importó nada: corrija el archivo y vuelva a intentarlo.")
            ) from exc
        for line in result.summary_lines():
            self.stdout.write(line)
        if verbosity > 1:
            for warning in result.warnings:
                self.stdout.write(str(warning))
