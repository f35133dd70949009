"""PDF monitoring reports per network, region and country.

A report is a `Report` row per (campaign, scope, language); a Celery task
(monitoring.tasks.build_report) or `build_reports --sync` builds its PDF
with WeasyPrint. The package keeps apart:

- `data`: the figures of every report of a campaign, computed once
  (`ReportInputs`), the data of one report and its input checksum;
- `rendering`: number formats, SVG charts, the HTML and the PDF;
- `building`: the Report row's lifecycle (claim, build, done or failed,
  sweep, recovery of a killed worker's builds) and the queueing of builds;
- `services`: requesting and retrying reports, building them in process.

Import from those modules; this one exports nothing.
"""
