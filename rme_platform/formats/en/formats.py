"""English formats: Django's, with the times on the 24-hour clock the
platform writes everywhere else (a meeting's "15:00–17:30", Spanish pages):
Django's English default ("5:30 p.m.") mixed both clocks on one page."""

DATE_FORMAT = "N j, Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
