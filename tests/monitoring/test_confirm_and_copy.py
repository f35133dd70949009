"""Opening a campaign asks first; the response-rates page says when its
subtotals are only the reader's networks; means read with two decimals;
counts agree with their nouns."""

import pytest

from monitoring import services
from monitoring.exports import results_csv
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SupervisorProfileFactory,
    UserFactory,
    territory_comuna,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    network = NetworkFactory(deprov=territory_comuna().deprov)
    school = NetworkSchoolFactory(network=network).school
    PositionFactory(school=school)
    return network


@pytest.fixture
def supervisor(network):
    user = SupervisorProfileFactory(deprov=network.deprov).user
    MembershipFactory(network=network, user=user, role="supervisor")
    return user


def test_opening_a_campaign_asks_first(login, admin_user, network, mailoutbox):
    campaign = CampaignFactory()
    client = login(admin_user)
    detail = client.get(f"/monitoring/campaigns/{campaign.slug}/").content.decode()
    assert f'href="/monitoring/campaigns/{campaign.slug}/open/"' in detail

    page = client.get(f"/monitoring/campaigns/{campaign.slug}/open/")
    html = page.content.decode()
    assert "¿Abrir la campaña e invitar a responder?" in html
    assert "La campaña llega a 1 red activa" in html
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not campaign.invitations.exists()

    response = client.post(f"/monitoring/campaigns/{campaign.slug}/open/", follow=True)
    campaign.refresh_from_db()
    assert campaign.status == "open"
    assert "Campaña abierta: 1 invitación enviada por correo." in response.content.decode()


def test_only_who_manages_campaigns_sees_the_confirmation(login, supervisor):
    campaign = CampaignFactory()
    response = login(supervisor).get(f"/monitoring/campaigns/{campaign.slug}/open/")
    assert response.status_code in (403, 404)


def test_a_supervisors_rates_are_labelled_as_their_networks(login, admin_user, supervisor):
    campaign = CampaignFactory()
    services.open_campaign(by=admin_user, campaign=campaign, send=False)
    region = territory_comuna().deprov.region.name

    html = login(supervisor).get(f"/monitoring/campaigns/{campaign.slug}/rates/").content.decode()
    assert f"{region}: subtotal de sus redes" in html
    assert "En sus redes, 0 de 1 invitado respondió" in html
    detail = login(supervisor).get(f"/monitoring/campaigns/{campaign.slug}/").content.decode()
    assert "En sus redes, 0 de 1 invitado respondió" in detail

    html = login(admin_user).get(f"/monitoring/campaigns/{campaign.slug}/rates/").content.decode()
    assert "subtotal de sus redes" not in html and "En sus redes" not in html
    assert "0 de 1 invitado respondió" in html


def cell(mean):
    return {
        "code": "P1",
        "n": 7,
        "counts": {"1": 0, "2": 0, "3": 3, "4": 4, "5": 0},
        "pct_agree": 57.1,
        "pct_neutral": 42.9,
        "pct_disagree": 0.0,
        "mean": mean,
        "suppressed": False,
    }


def test_a_mean_shows_two_decimals_on_the_results_page():
    from django.utils import translation

    from monitoring.views import _Cells

    with translation.override("es"):
        html = _Cells()(cell(3.5))
    assert ">3,50<" in html and ">57,1 %<" in html


def test_a_mean_has_two_decimals_in_the_csv():
    data = {"campaign": "c", "scope": "national", "n_responses": 7, "questions": [cell(3.5)]}
    text = results_csv([data])
    assert ",3.50," in text


def test_the_favicon_is_linked_and_served(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.ico"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
