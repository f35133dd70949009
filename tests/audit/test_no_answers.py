"""Answering and submitting a survey leaves no answer, token or link in the
audit trail, and no survey model has a history."""

import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.models import Answer, Invitation
from rme_platform.audit.models import AuditEvent
from tests.factories import CampaignFactory
from tests.monitoring.conftest import _default_instrument, likert_questions  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Nuestra red-respuesta-Wq7731 no debe quedar en auditoría"


def test_no_survey_answer_ever_reaches_the_audit_tables(client, world):
    campaign = CampaignFactory(closes_on=timezone.localdate() + timedelta(days=20))
    services.open_campaign(by=world.admin, campaign=campaign, send=False)
    invitation = Invitation.objects.get(campaign=campaign, user=world.director_a)
    client.force_login(world.director_a)  # signed in or not, the link is what counts
    data = {q.code: "3" for q in likert_questions()}
    data.update(
        RME_FRECUENCIA_REUNIONES="2",
        RME_FRECUENCIA_ADECUADA="2",
        RME_REUNIONES_ASISTIDAS="17",
        RME_COMENTARIOS=SECRET_TEXT,
    )
    client.post(reverse("monitoring:autosave", args=[invitation.token]), {"RME_COMENTARIOS": "x"})
    response = client.post(reverse("monitoring:respond", args=[invitation.token]), data)
    assert response.status_code == 302
    services.close_campaign(by=world.admin, campaign=campaign)
    # The answer was stored (now or when the campaign closed) …
    assert Answer.objects.filter(text=SECRET_TEXT).exists()

    # … and the trail has the campaign's events but nothing of the answers.
    assert AuditEvent.objects.filter(action="campaign.closed").exists()
    trail = json.dumps(
        list(AuditEvent.objects.values()) + list(LogEntry.objects.values()),
        default=str,
        ensure_ascii=False,
    )
    assert SECRET_TEXT not in trail
    assert invitation.token not in trail
    assert "RME_COMENTARIOS" not in trail and "RME_REUNIONES_ASISTIDAS" not in trail
    assert not LogEntry.objects.filter(content_type__app_label="monitoring").exists()
    assert (
        not AuditEvent.objects.filter(object_type__startswith="monitoring.")
        .exclude(object_type="monitoring.campaign")
        .exists()
    )
