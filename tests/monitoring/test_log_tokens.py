"""Personal survey links never reach a log: Django's 4xx lines (404, 403,
409, 410 on a link, a refused form) and gunicorn's access log show the
route name (monitoring:respond), never the token."""

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from gunicorn.config import Config

from monitoring import services
from monitoring.models import Invitation
from rme_platform.gunicorn_logging import RouteAccessLogger
from tests.factories import CampaignFactory

from .test_answering import full_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(monitoring_world):
    campaign = CampaignFactory(slug="rme-2025", closes_on=timezone.localdate() + timedelta(days=9))
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    return Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)


def logged(caplog):
    """Everything a handler could write: messages and every record attribute."""
    return (
        "\n".join(f"{record.getMessage()} {record.__dict__!r}" for record in caplog.records)
        + caplog.text
    )


def test_4xx_on_a_survey_link_logs_the_route_not_the_token(client, invitation, caplog):
    token = invitation.token
    secret = token.split("-", 1)[1]
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    caplog.set_level(logging.INFO)
    assert client.get(f"/monitoring/respond/{tampered}/").status_code == 404
    assert client.get(f"/monitoring/respond/{token}/de-mas/").status_code == 404
    assert client.post(f"/monitoring/respond/{token}/", full_answers()).status_code == 302
    assert client.post(f"/monitoring/respond/{token}/", full_answers()).status_code == 409
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/monitoring/respond/{token}/save/", {}).status_code == 403
    statuses = {getattr(r, "status_code", None) for r in caplog.records}
    assert {403, 404, 409} <= statuses
    text = logged(caplog)
    assert secret not in text and tampered.split("-", 1)[1] not in text
    assert "monitoring:respond" in text and "monitoring:autosave" in text
    assert "unresolved:/monitoring/" in text


def test_the_link_pages_send_no_referer(client, invitation):
    """Their URL holds the token: the browser must not pass it on as the
    Referer of the page's own files (access log) or of any other site; only
    the origin goes (a form post then still carries a real Origin for CSRF)."""
    page = client.get(f"/monitoring/respond/{invitation.token}/")
    assert page.status_code == 200 and page["Referrer-Policy"] == "origin"
    saved = client.post(f"/monitoring/respond/{invitation.token}/save/", {})
    assert saved["Referrer-Policy"] == "origin"
    wrong = client.get("/monitoring/respond/nada/")
    assert wrong.status_code == 404 and wrong["Referrer-Policy"] == "origin"


def test_gunicorn_access_log_shows_the_route_not_the_link(invitation):
    token = invitation.token
    config = Config()
    logger = RouteAccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/monitoring/respond/{token}/?sent=1",
        "PATH_INFO": f"/monitoring/respond/{token}/",
        "QUERY_STRING": "sent=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://rme.example/monitoring/respond/{token}/",
        "HTTP_USER_AGENT": "Firefox",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="404 Not Found", sent=10, headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    line = config.access_log_format % atoms
    everything = line + repr(atoms)
    assert token.split("-", 1)[1] not in everything
    assert '"GET monitoring:respond HTTP/1.1" 404' in line
