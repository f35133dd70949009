"""The calendar feed as calendar programs read it.

Mozilla's ical.js (Thunderbird, many web calendars) reads the feed through
its VTIMEZONE; every event must land on the instant Python stored, on both
sides of Chile's daylight-saving switches (April and September). The npm
package is pinned in tests/js/package-lock.json and installed by `make test`.
"""

import datetime
import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from networks import services as network_services
from networks.meetings import services
from networks.meetings.calendar import meeting_ics, meeting_uid
from networks.meetings.models import Meeting, NoticeKind
from networks.models import Network
from tests.conftest import service_missing
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    NetworkFactory,
    SupervisorProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
JS = Path(__file__).resolve().parent.parent / "js"


def read_with_icaljs(ics):
    """[{uid, start, end}] in UTC, as ical.js reads the file."""
    node = shutil.which("node")
    if node is None:
        service_missing("needs Node.js (node) to run ical.js")
    if not (JS / "node_modules" / "ical.js" / "package.json").exists():
        service_missing("needs the npm package ical.js in tests/js/node_modules (make test)")
    result = subprocess.run(
        [node, str(JS / "read_ics.mjs")],
        input=ics,
        capture_output=True,
        check=True,
        cwd=JS,
        timeout=60,
    )
    return json.loads(result.stdout)


def utc_text(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def around_the_switches(years):
    """Instants around April's and September's switches of each year: the
    days before and after, at night and in the morning, and both passes of
    the hour that repeats when the clocks go back."""
    instants = set()
    for year in years:
        for month in (4, 9):
            for offset in range(-2, 9):
                day = datetime.date(year, month, 1) + datetime.timedelta(days=offset)
                for hour, minute in ((0, 30), (1, 30), (10, 0), (22, 0), (23, 30)):
                    for fold in (0, 1):
                        local = datetime.datetime.combine(
                            day, datetime.time(hour, minute, fold=fold), SANTIAGO
                        )
                        instants.add(local.astimezone(datetime.UTC))
    return sorted(instants)


def test_icaljs_reads_every_feed_event_at_its_instant(client):
    user = UserFactory(role="director")
    membership = MembershipFactory(user=user, role="directivo")
    year = timezone.localdate().year
    expected = {}
    for starts_at in around_the_switches([year + 1, year + 2]):
        meeting = MeetingFactory(
            network=membership.network,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=3),
            proposals_close_at=starts_at - datetime.timedelta(days=2),
        )
        expected[meeting_uid(meeting)] = (utc_text(meeting.starts_at), utc_text(meeting.ends_at))
    _token, raw = services.create_calendar_feed(user=user)

    feed = client.get(f"/meetings/calendar/{raw}.ics")

    assert feed.status_code == 200
    read = {
        event["uid"]: (event["start"], event["end"]) for event in read_with_icaljs(feed.content)
    }
    wrong = {uid: (read.get(uid), want) for uid, want in expected.items() if read.get(uid) != want}
    assert not wrong, f"ical.js read {len(wrong)} of {len(expected)} events wrongly: {wrong}"


def test_the_time_zone_has_one_start_per_change_read_before_it():
    """No RDATE lists; each change starts at the local time before it, as
    RFC 5545 reads DTSTART with TZOFFSETFROM (September's at 00:00, when
    the clocks jump to 01:00)."""
    year = timezone.localdate().year + 1
    meeting = MeetingFactory(starts_at=datetime.datetime(year, 10, 1, 13, tzinfo=datetime.UTC))

    calendar = icalendar.Calendar.from_ical(meeting_ics(meeting))

    (zone,) = calendar.walk("VTIMEZONE")
    changes = [part for part in zone.subcomponents if part["TZOFFSETFROM"] != part["TZOFFSETTO"]]
    assert changes and all("RDATE" not in part for part in changes)
    for part in changes:
        # DTSTART read with TZOFFSETFROM is the instant of the change.
        instant = (part["DTSTART"].dt - part["TZOFFSETFROM"].td).replace(tzinfo=datetime.UTC)
        second_before = (instant - datetime.timedelta(seconds=1)).astimezone(SANTIAGO)
        assert second_before.utcoffset() == part["TZOFFSETFROM"].td
        assert instant.astimezone(SANTIAGO).utcoffset() == part["TZOFFSETTO"].td
    september = [p for p in changes if p.name == "DAYLIGHT" and p["DTSTART"].dt.year == year]
    assert [p["DTSTART"].dt.time() for p in september] == [datetime.time(0, 0)]


def test_last_modified_follows_edits_of_the_meeting_and_its_network():
    profile = SupervisorProfileFactory()
    supervisor = profile.user
    meeting = MeetingFactory(network=NetworkFactory(deprov=profile.deprov))
    # Manages the network as its DEPROV's supervisor; runs its meetings as
    # its assigned supervisor.
    MembershipFactory(network=meeting.network, user=supervisor, role="supervisor")
    long_ago = (timezone.now() - datetime.timedelta(days=3)).replace(microsecond=0)
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=long_ago)
    Network.objects.filter(pk=meeting.network_id).update(updated_at=long_ago)

    def last_modified():
        fresh = Meeting.objects.select_related("network", "convened_by").get(pk=meeting.pk)
        (event,) = icalendar.Calendar.from_ical(meeting_ics(fresh)).walk("VEVENT")
        return event["LAST-MODIFIED"].dt

    assert last_modified() == long_ago
    network_services.update_network(by=supervisor, network=meeting.network, name="Red Renombrada")
    renamed = last_modified()
    assert renamed > long_ago
    Network.objects.filter(pk=meeting.network_id).update(updated_at=long_ago)
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=long_ago)
    services.update_meeting(by=supervisor, meeting=meeting, title="Reunión con otro título")
    assert last_modified() > long_ago


def test_the_invitation_names_its_charset_once():
    meeting = MeetingFactory()
    MembershipFactory(network=meeting.network, role="directivo")

    services.send_meeting_notice(
        meeting_id=meeting.pk, kind=NoticeKind.CONVENED, sequence=meeting.sequence
    )

    (message,) = mail.outbox
    (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    params = [name for name, _value in part.get_params()]
    assert params.count("charset") == 1, part["Content-Type"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
