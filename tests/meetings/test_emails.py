"""Emails about meetings: who gets them, what the .ics says (parsed back with
icalendar), and that notices and reminders are sent once however many times
the tasks run."""

import datetime

import icalendar
import pytest
from django.conf import settings
from django.utils import formats, timezone, translation

from networks.meetings import services as services
from networks.meetings.models import Meeting, MeetingNotice
from networks.meetings.tasks import send_meeting_notice, send_meeting_reminders

from .conftest import convene, in_days

pytestmark = pytest.mark.django_db


def member_emails(w):
    return sorted(user.email for user in w.members_a)


def ics_of(message):
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    name, content, mimetype = attachment
    assert mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_convening_emails_each_member_once_with_an_ics(
    meeting_world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(
            meeting_world, place="Liceo Talca Dos", online_url="https://meet.example/abc"
        )
    assert sorted(m.to[0] for m in mailoutbox) == member_emails(meeting_world)
    assert all(len(m.to) == 1 for m in mailoutbox)  # nobody sees the others' addresses
    message = next(m for m in mailoutbox if m.to == [meeting_world.director_a.email])
    assert message.subject.startswith("[RME] Convocatoria: Reunión de marzo")
    assert "Red Talca A" in message.body and meeting_url_path(meeting) in message.body
    assert "Liceo Talca Dos" in message.alternatives[0][0]

    calendar, event = ics_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{meeting.uid}@rme.mineduc.cl"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "America/Santiago"
    assert event["DTEND"].params["TZID"] == "America/Santiago"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert event["DTSTART"].dt.tzinfo.key == "America/Santiago"
    assert str(event["SUMMARY"]) == "Reunión de marzo · Red Talca A"
    assert "https://meet.example/abc" in str(event["LOCATION"])
    assert str(event["ATTENDEE"]) == f"mailto:{meeting_world.director_a.email}"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Santiago"
    assert MeetingNotice.objects.filter(meeting=meeting, kind="convened").count() == 4


def meeting_url_path(meeting):
    return f"/meetings/{meeting.pk}/"


def test_the_notice_task_run_again_sends_nothing_more(meeting_world, mailoutbox):
    meeting = convene(meeting_world)  # on_commit callbacks not run: no email yet
    assert mailoutbox == []
    assert send_meeting_notice.delay(meeting.pk, "convened", 0).get() == 4
    assert send_meeting_notice.delay(meeting.pk, "convened", 0).get() == 0
    assert len(mailoutbox) == 4


def test_rescheduling_sends_the_same_uid_with_a_higher_sequence(
    meeting_world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(meeting_world)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_meeting(
            by=meeting_world.supervisor_a,
            meeting=meeting,
            starts_at=in_days(14),
            ends_at=in_days(14, 2),
            place="Liceo Talca Dos",
        )
    assert sorted(m.to[0] for m in mailoutbox) == member_emails(meeting_world)
    message = mailoutbox[0]
    assert message.subject.startswith("[RME] Cambio de fecha o lugar")
    calendar, event = ics_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{meeting.uid}@rme.mineduc.cl"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == in_days(14)
    assert str(event["LOCATION"]) == "Liceo Talca Dos"
    # A title change alone tells nobody.
    mailoutbox.clear()
    meeting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(by=meeting_world.supervisor_a, meeting=meeting, title="Otro título")
    assert mailoutbox == []


def test_an_outdated_notice_is_not_sent(meeting_world, mailoutbox):
    """A convening notice still queued when the meeting was rescheduled is
    dropped: members get only the current version."""
    meeting = convene(meeting_world)
    services.reschedule_meeting(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        starts_at=in_days(12),
        ends_at=in_days(12, 2),
    )
    assert send_meeting_notice.delay(meeting.pk, "convened", 0).get() == 0
    assert send_meeting_notice.delay(meeting.pk, "rescheduled", 1).get() == 4
    assert mailoutbox and all("Cambio" in m.subject for m in mailoutbox)


def test_cancelling_sends_method_cancel(
    meeting_world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(meeting_world)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(
            by=meeting_world.supervisor_a, meeting=meeting, reason="Paro docente"
        )
    assert sorted(m.to[0] for m in mailoutbox) == member_emails(meeting_world)
    message = mailoutbox[0]
    assert message.subject.startswith("[RME] Reunión cancelada")
    assert "Paro docente" in message.body
    calendar, event = ics_of(message)
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"{meeting.uid}@rme.mineduc.cl"


def test_publishing_minutes_tells_members_once(
    meeting_world, held, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.save_minutes(
            by=meeting_world.supervisor_a, meeting=held, body="Acta", publish=True
        )
    assert sorted(m.to[0] for m in mailoutbox) == member_emails(meeting_world)
    assert mailoutbox[0].subject == "[RME] Acta publicada: Reunión de marzo"
    assert not mailoutbox[0].attachments
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_minutes(by=meeting_world.supervisor_a, meeting=held, body="Acta corregida")
    assert mailoutbox == []


def test_emails_follow_the_member_language(
    meeting_world, mailoutbox, django_capture_on_commit_callbacks
):
    meeting_world.director_a.language = "en"
    meeting_world.director_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(meeting_world)
    english = next(m for m in mailoutbox if m.to == [meeting_world.director_a.email])
    spanish = next(m for m in mailoutbox if m.to == [meeting_world.utp_a2.email])
    start = timezone.localtime(meeting.starts_at)
    for message, language in ((english, "en"), (spanish, "es")):
        with translation.override(language):
            weekday = formats.date_format(start, "l")
        assert weekday.capitalize() in message.body


# --- reminders -------------------------------------------------------------------------------


def at(meeting, before):
    """The moment `before` ahead of the meeting's start."""
    return meeting.starts_at - before


def test_reminders_seven_days_and_one_day_before_run_twice_sent_once(meeting_world, mailoutbox):
    meeting = convene(meeting_world, days=10)
    services.respond_rsvp(by=meeting_world.director_a, meeting=meeting, answer="yes")
    services.respond_rsvp(by=meeting_world.utp_a2, meeting=meeting, answer="no")
    services.respond_rsvp(by=meeting_world.rep_a, meeting=meeting, answer="maybe")
    # Eight days before: nothing due.
    assert services.send_due_reminders(now=at(meeting, datetime.timedelta(days=8))) == 0
    # Seven days before (a few hours into the window), twice.
    now = at(meeting, datetime.timedelta(days=7)) + datetime.timedelta(hours=3)
    assert services.send_due_reminders(now=now) == 2
    assert services.send_due_reminders(now=now + datetime.timedelta(hours=1)) == 0
    # Who said yes or has not answered gets it; no and maybe do not.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [meeting_world.director_a.email, meeting_world.supervisor_a.email]
    )
    assert "Recordatorio" in mailoutbox[0].subject
    assert "en una semana" in mailoutbox[0].body
    mailoutbox.clear()
    # One day before, twice.
    now = at(meeting, datetime.timedelta(hours=20))
    assert services.send_due_reminders(now=now) == 2
    assert services.send_due_reminders(now=now) == 0
    assert all("mañana" in m.subject for m in mailoutbox)
    assert MeetingNotice.objects.filter(meeting=meeting, kind__startswith="reminder").count() == 4


def test_the_reminder_task_is_idempotent_and_scheduled(meeting_world, mailoutbox):
    meeting = convene(meeting_world, days=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() + datetime.timedelta(hours=20),
        ends_at=timezone.now() + datetime.timedelta(hours=22),
    )
    assert send_meeting_reminders.delay().get() == 4
    assert send_meeting_reminders.delay().get() == 0
    assert len(mailoutbox) == 4
    entry = settings.CELERY_BEAT_SCHEDULE["meetings-send-reminders"]
    assert entry["task"] == "networks.meetings.tasks.send_meeting_reminders"
    assert send_meeting_reminders.name == entry["task"]


def test_no_reminders_for_cancelled_meetings(meeting_world, mailoutbox):
    meeting = convene(meeting_world, days=10)
    services.cancel_meeting(by=meeting_world.supervisor_a, meeting=meeting)
    assert services.send_due_reminders(now=at(meeting, datetime.timedelta(hours=12))) == 0
    assert mailoutbox == []


def test_a_rescheduled_meeting_is_reminded_again_for_its_new_date(meeting_world, mailoutbox):
    meeting = convene(meeting_world, days=10)
    assert services.send_due_reminders(now=at(meeting, datetime.timedelta(hours=12))) == 4
    meeting = services.reschedule_meeting(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        starts_at=in_days(20),
        ends_at=in_days(20, 2),
    )
    assert services.send_due_reminders(now=at(meeting, datetime.timedelta(hours=12))) == 4


def test_tasks_are_found_by_celery_autodiscovery():
    from rme_platform.celery import app

    app.loader.import_default_modules()
    app.autodiscover_tasks(force=True)
    assert "networks.meetings.tasks.send_meeting_reminders" in app.tasks
    assert "networks.meetings.tasks.send_meeting_notice" in app.tasks
