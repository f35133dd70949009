"""The meetings' Django admin classes pass Django's checks (networks/admin.py
imports networks.meetings.admin to register them)."""

from django.contrib import admin

from networks.meetings import admin as meeting_admin
from networks.meetings.models import Agreement, Attendance, Meeting


def test_meeting_admin_classes_pass_the_checks():
    for model_admin, model in (
        (meeting_admin.MeetingAdmin, Meeting),
        (meeting_admin.AttendanceAdmin, Attendance),
        (meeting_admin.AgreementAdmin, Agreement),
    ):
        assert model_admin(model, admin.site).check() == []
    assert admin.site.is_registered(Meeting)
