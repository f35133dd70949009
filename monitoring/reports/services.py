"""Asking for reports: the operations the reports page, the API, the admin,
the `build_reports` command and the campaign-close task call. They check
who asks, write the Report rows and queue the builds (building.enqueue), or
build them here for `build_reports --sync`."""

import posixpath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Campaign, CampaignStatus, Report, ReportStatus
from ..permissions import ScopeError
from .building import STALE_AFTER, ReportBuildError, build_report, enqueue, report_row
from .data import ReportInputs, campaign_scopes, checksum, scope_data


def request_reports(*, by, campaign, scope="all", language="es", force=False, enqueue_builds=True):
    """Write (or reuse) the Report rows of `scope` ("all", "national",
    "region:<code>", "network:<code>") in `language` and queue the builds of
    those whose inputs changed. A report already built from the same inputs
    (same checksum, file present) is left alone and reported "unchanged",
    unless `force`. Returns [(report, outcome)] with outcome "queued",
    "unchanged" or "busy" (already queued or running).

    `by` is the user asking (None for the system: closing a campaign, the
    command). Raises PermissionDenied, or ValidationError for a campaign not
    yet closed, an unknown scope or language."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Idioma desconocido: %(l)s.") % {"l": language}})
    if campaign.status not in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED):
        raise ValidationError(_("Los informes se preparan cuando la campaña está cerrada."))
    if by is not None and not permissions.can_build_reports(by, campaign):
        raise PermissionDenied
    try:
        scopes = campaign_scopes(campaign, scope, user=by)
    except ScopeError as exc:
        raise ValidationError({"scope": _("Alcance desconocido: %(s)s.") % {"s": scope}}) from exc
    if (
        by is not None
        and scope != "all"
        and not all(permissions.can_view_scope(by, campaign, s) for s in scopes)
    ):
        raise PermissionDenied
    inputs = ReportInputs(campaign)
    with translation.override(language):
        sums = {str(s): checksum(scope_data(inputs, s, language)) for s in scopes}
    now = timezone.now()
    outcomes = []
    with transaction.atomic():
        existing = {
            r.scope_text: r
            for r in Report.objects.select_for_update().filter(campaign=campaign, language=language)
        }
        new = [report_row(campaign, s, language) for s in scopes if str(s) not in existing]
        for report in Report.objects.bulk_create(new):
            existing[report.scope_text] = report
        to_queue, changed = [], []
        busy_after = now - STALE_AFTER
        created = {r.pk for r in new}
        stored = StoredFiles()
        for s in scopes:
            report = existing[str(s)]
            report.campaign = campaign
            if (
                not force
                and report.status == ReportStatus.DONE
                and report.checksum == sums[str(s)]
                and report.file
                and stored.has(report.file)
            ):
                outcomes.append((report, "unchanged"))
                continue
            if (
                report.status in (ReportStatus.PENDING, ReportStatus.RUNNING)
                and (report.requested_at and report.requested_at > busy_after)
                and report.pk not in created
            ):
                outcomes.append((report, "busy"))
                continue
            report.status = ReportStatus.PENDING
            report.requested_at = now
            report.error = ""
            report.attempts = 0
            changed.append(report)
            to_queue.append(report.pk)
            outcomes.append((report, "queued"))
        Report.objects.bulk_update(changed, ["status", "requested_at", "error", "attempts"])
        if enqueue_builds and to_queue:
            enqueue(to_queue, force=force)
    return outcomes


class StoredFiles:
    """Whether stored files exist, asked of the storage once per folder (one
    listing) instead of once per file: on object storage each question is a
    request, and a campaign has hundreds of reports in one folder."""

    def __init__(self):
        self._listed = {}

    def has(self, field_file):
        folder, name = posixpath.split(field_file.name)
        key = (id(field_file.storage), folder)
        if key not in self._listed:
            try:
                self._listed[key] = set(field_file.storage.listdir(folder)[1])
            except FileNotFoundError:  # a folder of the file system not made yet
                self._listed[key] = set()
        return name in self._listed[key]


def retry_report(*, by, report):
    """Queue a failed (or any finished) report again. Raises PermissionDenied."""
    campaign = report.campaign
    if by is not None and not (
        permissions.can_build_reports(by, campaign)
        and permissions.visible_reports(by, campaign).filter(pk=report.pk).exists()
    ):
        raise PermissionDenied
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.RUNNING:
            return report
        report.status = ReportStatus.PENDING
        report.requested_at = timezone.now()
        report.error = ""
        report.attempts = 0
        report.save(update_fields=["status", "requested_at", "error", "attempts"])
        enqueue([report.pk], force=True)
    return report


def queue_campaign_reports(campaign_id):
    """Every report of a campaign in the default language (closing hook)."""
    campaign = Campaign.objects.select_related("instrument").get(pk=campaign_id)
    outcomes = request_reports(
        by=None, campaign=campaign, scope="all", language=settings.LANGUAGE_CODE[:2]
    )
    return sum(1 for _report, outcome in outcomes if outcome == "queued")


def build_reports_in_process(*, campaign, scope="all", language="es", force=False):
    """What `build_reports --sync` does: request the reports, then build the
    queued ones here, one after the other, sharing one ReportInputs.
    Returns [(report, outcome)] with outcome "done", "unchanged" or "failed"."""
    outcomes = request_reports(
        by=None,
        campaign=campaign,
        scope=scope,
        language=language,
        force=force,
        enqueue_builds=False,
    )
    inputs = None
    done = []
    for report, outcome in outcomes:
        if outcome == "queued" or (outcome == "busy" and report.status == ReportStatus.PENDING):
            inputs = inputs or ReportInputs(campaign)
            try:
                outcome = build_report(report.pk, force=force, inputs=inputs)
            except ReportBuildError:
                outcome = "failed"
            if outcome == "busy":
                outcome = "running"
        elif outcome == "busy":
            outcome = report.status
        report.refresh_from_db()
        done.append((report, outcome))
    return done
