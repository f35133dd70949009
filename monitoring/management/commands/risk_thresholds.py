"""Print the national distribution of each risk signal of a year, the
thresholds that flag the worst 5 % of each (or --worst percent) and how
many networks the current thresholds and those flag.

    python manage.py risk_thresholds [--year 2026] [--worst 5]

The suggested thresholds are printed as a RISK_THRESHOLDS setting to paste
into the settings (or as the new defaults of monitoring.risk.indicators).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from monitoring.risk.calibration import PERCENTILE, SHOWN, distribution, flagged_counts, suggest
from monitoring.risk.indicators import networks_at_risk, thresholds
from networks.models import Network


def _fmt(value):
    if value is None:
        return "—"
    return f"{value + 0.0:.1f}" if isinstance(value, float) else str(value)


class Command(BaseCommand):
    help = "Distribution of the risk signals and thresholds flagging their worst networks."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="year of the networks (the latest)")
        parser.add_argument(
            "--worst",
            type=int,
            default=PERCENTILE,
            help=f"percent of networks each signal flags ({PERCENTILE})",
        )

    def handle(self, *args, year, worst, **options):
        if not 1 <= worst <= 50:
            raise CommandError("--worst must be between 1 and 50.")
        year = year or Network.objects.aggregate(year=Max("year"))["year"]
        risks = networks_at_risk(Network.objects.all(), year) if year else []
        if not risks:
            raise CommandError("No networks to measure.")
        current, proposed = thresholds(), suggest(risks, worst)
        now, then = flagged_counts(risks, current), flagged_counts(risks, proposed)
        out = self.stdout.write
        out(f"{len(risks)} networks of {year}; thresholds flag the worst {worst} % of each.")
        header = ["indicator", "bad", "n"] + [f"p{p}" for p in SHOWN]
        header += ["threshold", "flags", "proposed", "flags"]
        out("| " + " | ".join(header) + " |")
        out("|" + "---|" * len(header))
        for key, row in distribution(risks).items():
            cells = [key, row["direction"], str(row["n"])]
            cells += [_fmt(row["percentiles"][p]) for p in SHOWN]
            cells += [_fmt(current[key]), str(now[key]), _fmt(proposed[key]), str(then[key])]
            out("| " + " | ".join(cells) + " |")
        out(
            f"Networks flagged: {now['total']} of {len(risks)} with the current thresholds, "
            f"{then['total']} with the proposed ones."
        )
        out("RISK_THRESHOLDS = {")
        for key, value in proposed.items():
            out(f'    "{key}": {value!r},')
        out("}")
