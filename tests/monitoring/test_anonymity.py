"""Anonymity by construction: no path from a Response to a user, an
invitation or a school, in the models and in every export."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import models

from monitoring import services
from monitoring.models import Answer, Invitation, Response
from tests.factories import CampaignFactory

from .test_answering import full_answers

pytestmark = pytest.mark.django_db


def test_a_response_has_no_link_to_a_person_an_invitation_or_a_school():
    relations = {
        f.name: f.related_model._meta.label
        for f in Response._meta.get_fields()
        if f.is_relation and f.related_model is not None
    }
    assert relations == {
        "campaign": "monitoring.Campaign",
        "network": "networks.Network",
        "region": "schools.Region",
        "answers": "monitoring.Answer",
    }
    answer_relations = {
        f.name for f in Answer._meta.get_fields() if f.is_relation and f.related_model
    }
    assert answer_relations == {"response", "question"}
    # No time of day: only a date.
    assert not any(isinstance(f, models.DateTimeField) for f in Response._meta.get_fields())
    assert isinstance(Response._meta.get_field("submitted_on"), models.DateField)
    # Participation is a flag without date on the invitation: nothing to join on.
    invitation_fields = {f.name for f in Invitation._meta.get_fields()}
    assert "answered" in invitation_fields
    assert not {"answered_at", "participated_on", "response"} & invitation_fields


def test_nothing_personal_reaches_any_output(monitoring_world, login, client):
    campaign = CampaignFactory(slug="rme-anonima")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    invitations = list(Invitation.objects.filter(campaign=campaign).select_related("user"))
    for i, invitation in enumerate(invitations):
        # Surnames no one else on a page has (factories draw common ones,
        # which the reader's own name in the menu could share).
        invitation.user.last_name = f"Respondiente{i:03d}Único"
        invitation.user.save(update_fields=["last_name"])
        services.submit_response(invitation=invitation, answers=full_answers(str(i % 5 + 1)))
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    services.publish_campaign(by=monitoring_world.admin, campaign=campaign)

    personal = set()
    for invitation in invitations:
        user = invitation.user
        personal |= {user.email, user.last_name, invitation.token, str(invitation.school_id)}
        if invitation.school:
            personal.add(invitation.school.name)
    client = login(monitoring_world.analyst)
    outputs = []
    for scope in ("national", "region:7", "network:RME-07-901"):
        for path in ("results/", "results.csv", "results.xlsx"):
            response = client.get(f"/monitoring/campaigns/rme-anonima/{path}?scope={scope}")
            assert response.status_code == 200
            outputs.append(response.content.decode("latin-1"))
        api = client.get(f"/api/v1/monitoring/campaigns/rme-anonima/results/?scope={scope}")
        outputs.append(api.content.decode())
        out = io.StringIO()
        call_command("survey_results", "--campaign", "rme-anonima", "--scope", scope, stdout=out)
        outputs.append(out.getvalue())
    outputs.append(client.get("/monitoring/campaigns/rme-anonima/responses.csv").content.decode())
    outputs.append(client.get("/monitoring/campaigns/rme-anonima/rates/").content.decode())
    for text in outputs:
        for value in personal:
            assert value not in text, f"{value!r} leaked"
    raw = outputs[-2]
    assert "submitted_on" not in raw and "id" not in raw.splitlines()[0].split(",")
    assert json.loads(outputs[3])["n_responses"] == len(invitations)
