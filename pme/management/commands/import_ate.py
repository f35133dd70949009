from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pme.imports import import_ate_providers


class Command(BaseCommand):
    help = (
        "Importa el registro de proveedores ATE desde un CSV con el encabezado "
        "rut,name,registry_number,service_areas,regions. Todo o nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="el archivo CSV")

    def handle(self, *args, file, **options):
        try:
            result = import_ate_providers(path_or_file=file)
        except FileNotFoundError as exc:
            raise CommandError(exc) from exc
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                _("No se importó nada: corrija el archivo y vuelva a intentarlo.")
            ) from exc
        self.stdout.write(
            _(
                "Registro ATE. Proveedores nuevos: %(created)s; actualizados: %(updated)s; "
                "ya no figuran: %(delisted)s."
            )
            % {"created": result.created, "updated": result.updated, "delisted": result.delisted}
        )
