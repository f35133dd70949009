from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pme.imports import import_ate_providers
from rme_platform.management.imports import import_errors


class Command(BaseCommand):
    help = (
        "Importa el registro de proveedores ATE desde un CSV con el encabezado "
        "rut,name,registry_number,service_areas,regions. Todo o nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="el archivo CSV")

    def handle(self, *args, file, **options):
        with import_errors(
            self, nothing=_("No se importó nada: corrija el archivo y vuelva a intentarlo.")
        ):
            result = import_ate_providers(path_or_file=file)
        self.stdout.write(
            _(
                "Registro ATE. Proveedores nuevos: %(created)s; actualizados: %(updated)s; "
                "ya no figuran: %(delisted)s."
            )
            % {"created": result.created, "updated": result.updated, "delisted": result.delisted}
        )
