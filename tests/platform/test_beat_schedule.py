"""Every periodic task is scheduled in one place, settings.CELERY_BEAT_SCHEDULE,
and each entry names a task the worker knows (a misspelt name would only
show up in beat's log, as an unregistered task, every time it is due)."""

from pathlib import Path

from celery.schedules import crontab
from django.conf import settings

from rme_platform.celery import app

ROOT = Path(__file__).resolve().parents[2]

# Name: (task, when). Changing the schedule means changing this list too.
EXPECTED = {
    "platform-relay-outbox": ("rme_platform.tasks.relay_outbox", 30.0),
    "meetings-send-reminders": (
        "networks.meetings.tasks.send_meeting_reminders",
        crontab(minute=15),
    ),
    "practices-send-digests": (
        "networks.practices.tasks.send_practice_digests",
        crontab(hour=7, minute=30),
    ),
    "monitoring-close-due-campaigns": (
        "monitoring.tasks.close_due_campaigns",
        crontab(hour=0, minute=15),
    ),
    "monitoring-scheduled-reminders": (
        "monitoring.tasks.send_scheduled_reminders",
        crontab(hour=9, minute=0),
    ),
    "monitoring-move-submitted-responses": (
        "monitoring.tasks.move_submitted_responses",
        crontab(minute="*/10"),
    ),
    "monitoring-sweep-stale-reports": (
        "monitoring.tasks.sweep_stale_reports",
        crontab(minute="*/5"),
    ),
    "audit-purge-old-entries": (
        "rme_platform.audit.tasks.purge_audit_trail",
        crontab(hour=3, minute=30),
    ),
}


def test_the_schedule_is_the_expected_set_of_tasks_and_times():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert set(schedule) == set(EXPECTED)
    for name, (task, when) in EXPECTED.items():
        assert schedule[name]["task"] == task, name
        assert schedule[name]["schedule"] == when, name


def test_beat_reads_the_settings_schedule():
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE


def test_each_entry_names_a_registered_task():
    app.loader.import_default_modules()  # what a worker does: autodiscover_tasks runs
    registered = set(app.tasks)
    missing = {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] not in registered
    }
    assert missing == {}


def test_no_other_module_defines_a_schedule():
    skip = {".venv", ".git", "tests", "node_modules", "migrations"}
    others = []
    for path in ROOT.rglob("*.py"):
        if skip & set(path.relative_to(ROOT).parts):
            continue
        text = path.read_text(encoding="utf-8")
        if "BEAT_SCHEDULE" in text or "beat_schedule" in text or "crontab(" in text:
            others.append(str(path.relative_to(ROOT)))
    assert others == ["rme_platform/settings.py"]
