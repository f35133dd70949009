"""Queue (or build here, with --sync) the PDF reports of a campaign.

    python manage.py build_reports --campaign SLUG
        [--scope all|national|region:<code>|network:<code>]
        [--language es|en] [--sync] [--force]

With --sync it prints one line per report: `<scope> <status> <stored name>`,
status done, unchanged (same inputs: not rebuilt) or failed (then the error).
The stored name is the file's name in the storage (STORAGES["default"]: a
folder under MEDIA_ROOT, or an object storage bucket), never a path on this
host: the report may have been built, and be read, on another one.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Campaign
from monitoring.reports.services import build_reports_in_process, request_reports


class Command(BaseCommand):
    help = "Queue or build the PDF monitoring reports of a campaign."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="slug of the campaign")
        parser.add_argument(
            "--scope", default="all", help="all, national, region:<code> or network:<code>"
        )
        parser.add_argument("--language", default="es", choices=["es", "en"])
        parser.add_argument("--sync", action="store_true", help="build here, not by Celery")
        parser.add_argument("--force", action="store_true", help="rebuild even if unchanged")

    def handle(self, *args, campaign, scope, language, sync, force, **options):
        try:
            found = Campaign.objects.select_related("instrument").get(slug=campaign)
        except Campaign.DoesNotExist as exc:
            raise CommandError(f"No campaign with slug {campaign!r}.") from exc
        try:
            if sync:
                outcomes = build_reports_in_process(
                    campaign=found, scope=scope, language=language, force=force
                )
            else:
                outcomes = request_reports(
                    by=None, campaign=found, scope=scope, language=language, force=force
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        failed = 0
        for report, outcome in outcomes:
            if outcome == "failed":
                failed += 1
                first_line = (report.error or "").splitlines()[0] if report.error else ""
                self.stdout.write(f"{report.scope_text} failed {first_line}")
                continue
            name = report.file.name if report.file and outcome in {"done", "unchanged"} else ""
            self.stdout.write(f"{report.scope_text} {outcome} {name}".rstrip())
        if failed:
            raise CommandError(f"{failed} report(s) failed.")
