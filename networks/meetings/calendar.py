"""iCalendar (.ics) for meetings, built with the icalendar library.

The UID of a meeting never changes; SEQUENCE is the meeting's `sequence`,
raised on each reschedule and on cancellation, so calendar programs update
the event they already have. Times carry TZID=America/Santiago with its
VTIMEZONE, written here from zoneinfo: one observance per offset change,
each with its own DTSTART (the local time before the change), because
ical.js reads only the first date of an RDATE list and skips the DTSTART
beside it (tests/meetings/test_calendar_clients.py reads the feed with it)."""

import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import MeetingStatus

SANTIAGO = ZoneInfo("America/Santiago")
UID_DOMAIN = "rme.mineduc.cl"
PRODID = "-//MINEDUC//Plataforma RME//ES"


def meeting_uid(meeting):
    return f"{meeting.uid}@{UID_DOMAIN}"


def meeting_url(meeting):
    return settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])


def _when(moment):
    """The time in Santiago, or in UTC inside the hour that repeats when the
    clocks go back: a local time there names two instants, and readers
    differ on which one it means (ical.js takes the second)."""
    local = moment.astimezone(SANTIAGO)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(datetime.UTC)
    return local


def _event(meeting, *, attendee=None):
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("created", meeting.created_at)
    # The summary names the network: renaming it revises the event too.
    event.add("last-modified", max(meeting.updated_at, meeting.network.updated_at))
    event.add("dtstart", _when(meeting.starts_at))
    event.add("dtend", _when(meeting.ends_at))
    event.add("summary", f"{meeting.title} · {meeting.network.name}")
    description = "\n\n".join(part for part in (meeting.objective, meeting_url(meeting)) if part)
    event.add("description", description)
    location = ", ".join(part for part in (meeting.place, meeting.online_url) if part)
    if location:
        event.add("location", location)
    event.add("url", meeting_url(meeting))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    if meeting.convened_by_id:
        organizer.params["cn"] = icalendar.vText(meeting.convened_by.get_full_name())
    event.add("organizer", organizer)
    if attendee is not None:
        who = icalendar.vCalAddress(f"mailto:{attendee.email}")
        who.params["cn"] = icalendar.vText(attendee.get_full_name())
        who.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", who)
    return event


def _calendar(meetings, *, method=None, attendee=None, name=None):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "America/Santiago")
    first = last = None
    for meeting in meetings:
        calendar.add_component(_event(meeting, attendee=attendee))
        day = meeting.starts_at.astimezone(SANTIAGO).date()
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    if first is not None:
        # A VTIMEZONE covering only the years in use keeps the file small.
        calendar.add_component(
            vtimezone(
                SANTIAGO,
                first - datetime.timedelta(days=366),
                last + datetime.timedelta(days=366),
            )
        )
    return calendar.to_ical()


def _offset_changes(zone, start, end):
    """The instants (UTC, whole seconds) at which `zone`'s UTC offset changes
    between two aware datetimes: a day-by-day scan, then a bisection to the
    second inside the day where the offset differs."""
    day = 86400

    def offset(seconds):
        return datetime.datetime.fromtimestamp(seconds, zone).utcoffset()

    moment, stop = int(start.timestamp()), int(end.timestamp())
    while moment < stop:
        following = moment + day
        if offset(following) != offset(moment):
            low, high = moment, following
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            yield datetime.datetime.fromtimestamp(high, datetime.UTC)
        moment = following


def _observance(local, offset_from):
    """A STANDARD or DAYLIGHT observance from `local` (aware, in zone) on."""
    component = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
    # DTSTART is the local time before the change, read with TZOFFSETFROM.
    component.add("dtstart", (local.astimezone(datetime.UTC) + offset_from).replace(tzinfo=None))
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", local.utcoffset())
    component.add("tzname", local.tzname())
    return component


def vtimezone(zone, first_date, last_date):
    """The VTIMEZONE of `zone` from first_date to last_date: the offset in
    force on first_date, then one observance per change, without RDATE."""
    start = datetime.datetime.combine(first_date, datetime.time(), zone)
    end = datetime.datetime.combine(last_date, datetime.time(), zone)
    component = icalendar.Timezone()
    component.add("tzid", zone.key)
    component.add_component(_observance(start, start.utcoffset()))
    for instant in _offset_changes(zone, start, end):
        before = (instant - datetime.timedelta(seconds=1)).astimezone(zone).utcoffset()
        component.add_component(_observance(instant.astimezone(zone), before))
    return component


def meeting_invitation_ics(meeting, attendee):
    """The .ics attached to an email: METHOD:REQUEST, or METHOD:CANCEL for a
    cancelled meeting."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return _calendar([meeting], method=method, attendee=attendee)


def meeting_ics(meeting):
    """The .ics a meeting page offers for download."""
    return _calendar([meeting], method="PUBLISH")


def feed_ics(meetings, *, name):
    """A person's calendar feed: every meeting, cancelled ones marked so."""
    return _calendar(meetings, name=name)
