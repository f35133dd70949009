"""Networks at risk, for supervisors and analysts: per network of a year,
the signals that it is not working and the reasons it is flagged.

- `indicators`: the signals of all the networks of a scope, in a fixed
  number of grouped queries, their thresholds and reasons, and the
  distribution of a region or the country;
- `selectors`: the reader's scope (DEPROV, region, country), the rows of
  the page, the API and the exports, and the home panel;
- `exports`: CSV and XLSX (through rme_platform.spreadsheets);
- `views`: the page and its downloads.

Import from those modules; this one exports nothing.
"""
