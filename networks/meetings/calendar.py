"""iCalendar (.ics) for meetings, built with the icalendar library.

The UID of a meeting never changes; SEQUENCE is the meeting's `sequence`,
raised on each reschedule and on cancellation, so calendar programs update
the event they already have. Times carry TZID=America/Santiago with its
VTIMEZONE."""

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


def _event(meeting, *, attendee=None):
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(SANTIAGO))
    event.add("dtend", meeting.ends_at.astimezone(SANTIAGO))
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
        calendar.add_missing_timezones(
            first_date=first - datetime.timedelta(days=366),
            last_date=last + datetime.timedelta(days=366),
        )
    return calendar.to_ical()


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
