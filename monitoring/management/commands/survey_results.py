import gc
import json

from django.core.management.base import BaseCommand, CommandError

from monitoring.exports import write_results_csv
from monitoring.models import Campaign, Response
from monitoring.permissions import Scope, ScopeError, parse_scope, results_released
from monitoring.results import campaign_results
from networks.models import Network
from schools.models import Region


class Command(BaseCommand):
    help = (
        "Print a campaign's results for a scope (national, region:<code> or network:<code>), "
        "with small-cell suppression. JSON: one object (a list when --scope is repeated or "
        "uses region:* or network:*, which stand for every region or network with responses); "
        "CSV: one row per question."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            help="national | region:<code> | network:<code> | region:* | network:* (repeatable)",
        )
        parser.add_argument("--by-role", action="store_true", help="Split by director / utp.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, campaign, scope, by_role, format, **options):
        found = Campaign.objects.select_related("instrument").filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign {campaign!r}.")
        if not results_released(found):
            raise CommandError(
                f"Campaign {campaign!r} is {found.status}: its results are readable once it "
                "closes (only participation counts while it is open)."
            )
        scopes = []
        for text in scope:
            scopes += self._scopes(found, text)
        # Tens of thousands of small dicts: the cyclic garbage collector has
        # nothing to find in them and would only rescan the heap meanwhile.
        gc.disable()
        try:
            results = campaign_results(found, by_role=by_role, use_cache=False)
            datas = [results.for_scope(s) for s in scopes]
            several = len(scope) > 1 or any(text.endswith(":*") for text in scope)
            if format == "json":
                payload = datas if several else datas[0]
                self.stdout.write(json.dumps(payload, ensure_ascii=False))
            else:
                write_results_csv(self.stdout, datas)
        finally:
            gc.enable()

    def _scopes(self, campaign, text):
        if text == "region:*":
            codes = Response.objects.filter(campaign=campaign).values("region_id")
            return [
                Scope("region", region=r)
                for r in Region.objects.filter(code__in=codes).order_by("order")
            ]
        if text == "network:*":
            ids = Response.objects.filter(campaign=campaign, network__isnull=False).values(
                "network_id"
            )
            networks = Network.objects.filter(pk__in=ids).select_related("deprov__region")
            return [
                Scope("network", region=n.deprov.region, network=n)
                for n in networks.order_by("code")
            ]
        try:
            return [parse_scope(text)]
        except ScopeError as exc:
            raise CommandError(
                f"Unknown scope {text!r}: use national, region:<code> or network:<code> "
                "(an existing region or network)."
            ) from exc
