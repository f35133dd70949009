from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from schools.models import CategoryLevel
from schools.services import import_categories


class Command(BaseCommand):
    help = (
        "Importa las Categorías de Desempeño de la Agencia de Calidad (planilla XLSX anual). "
        "Todo o nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="la planilla XLSX")
        parser.add_argument("--year", type=int, required=True, help="año de la categoría")
        parser.add_argument(
            "--level",
            choices=CategoryLevel.values,
            default=CategoryLevel.BASICA,
            help="nivel de enseñanza de la categoría (por omisión, básica)",
        )

    def handle(self, *args, file, year, level, **options):
        try:
            result = import_categories(path_or_file=file, year=year, level=level)
        except FileNotFoundError as exc:
            raise CommandError(exc) from exc
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                _("No se importó nada: corrija la planilla y vuelva a intentarlo.")
            ) from exc
        for line in result.summary_lines():
            self.stdout.write(line)
