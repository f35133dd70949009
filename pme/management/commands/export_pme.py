from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pme import exports
from pme.models import AnnualPlan
from schools.validators import rbd_argument


class Command(BaseCommand):
    help = "Exporta el plan anual de un establecimiento como PDF o XLSX."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rbd",
            type=rbd_argument,
            required=True,
            help="RBD del establecimiento, con o sin dígito verificador",
        )
        parser.add_argument("--year", type=int, required=True, help="año del plan anual")
        parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
        parser.add_argument("--output", required=True, help="archivo de salida")

    def handle(self, *args, rbd, year, output, **options):
        fmt = options["format"]
        plan = (
            AnnualPlan.objects.select_related(
                "school__comuna", "school__sostenedor", "cycle", "approved_by"
            )
            .filter(school_id=rbd, year=year)
            .first()
        )
        if plan is None:
            raise CommandError(
                _("El establecimiento RBD %(rbd)s no tiene un plan anual %(year)s.")
                % {"rbd": rbd, "year": year}
            )
        content = exports.plan_pdf(plan) if fmt == "pdf" else exports.plan_xlsx(plan)
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("No se pudo escribir %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        self.stdout.write(
            _("Plan anual %(year)s de RBD %(rbd)s exportado a %(path)s (%(size)s bytes).")
            % {"year": year, "rbd": rbd, "path": path, "size": len(content)}
        )
