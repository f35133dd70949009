from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pme.imports import import_actions
from rme_platform.management.imports import import_errors
from schools.validators import rbd_argument


class Command(BaseCommand):
    help = (
        "Importa las acciones de un plan anual desde un CSV (una acción por fila; columnas en "
        "el README). Todo o nada; una acción con el mismo nombre se actualiza."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="el archivo CSV")
        parser.add_argument(
            "--rbd",
            type=rbd_argument,
            required=True,
            help="RBD del establecimiento, con o sin dígito verificador",
        )
        parser.add_argument("--year", type=int, required=True, help="año del plan anual")

    def handle(self, *args, file, rbd, year, **options):
        with import_errors(
            self, nothing=_("No se importó nada: corrija el archivo y vuelva a intentarlo.")
        ):
            result = import_actions(path_or_file=file, rbd=rbd, year=year)
        self.stdout.write(
            _("Acciones importadas. Nuevas: %(created)s; actualizadas: %(updated)s.")
            % {"created": result.created, "updated": result.updated}
        )
