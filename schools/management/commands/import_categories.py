from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from rme_platform.management.imports import import_errors
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
        with import_errors(
            self, nothing=_("No se importó nada: corrija la planilla y vuelva a intentarlo.")
        ):
            result = import_categories(path_or_file=file, year=year, level=level)
        for line in result.summary_lines():
            self.stdout.write(line)
