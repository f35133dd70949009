from django.core.management.base import BaseCommand

from monitoring.imports import import_responses
from rme_platform.management.imports import import_errors


class Command(BaseCommand):
    help = (
        "Load a survey wave answered elsewhere from a CSV (UTF-8, or UTF-16 with BOM) with the "
        "header region,network,role,dependency followed by question codes of the instrument. "
        "All-or-nothing; a missing campaign is created closed (then --year is required)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True, help="Campaign slug, e.g. rme-2019.")
        parser.add_argument("--year", type=int, help="Year of a campaign to create.")
        parser.add_argument(
            "--instrument", help="Instrument slug of a campaign to create (default rme-monitoreo)."
        )

    def handle(self, *args, file, campaign, year, instrument, **options):
        with (
            import_errors(self, nothing="Nothing was imported.", missing=f"No such file: {file}"),
            open(file, "rb") as handle,
        ):
            result = import_responses(
                path_or_file=handle,
                campaign_slug=campaign,
                year=year,
                instrument_slug=instrument,
            )
        created = " (campaign created, closed)" if result.created_campaign else ""
        self.stdout.write(
            f"{result.responses} responses stored in campaign {result.campaign.slug}{created}."
        )
