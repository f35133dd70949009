"""Campaigns: opening invites every active directivo of the targeted
networks by email (Celery, in batches, on commit), reminders reach those
who have not answered at most once a day, and the life cycle draft → open
→ closed → published."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring import services, tasks
from monitoring.models import Campaign, Invitation
from schools.models import Position
from tests.factories import CampaignFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_opening_invites_each_active_directivo_of_the_targeted_networks(
    monitoring_world, django_capture_on_commit_callbacks
):
    # A director whose position ended is not invited.
    gone = PositionFactory(school=monitoring_world.a2, user__email="ex.director@escuela.cl")
    Position.objects.filter(pk=gone.pk).update(end_date=timezone.localdate() - timedelta(days=1))
    campaign = CampaignFactory(target="regions")
    campaign.target_regions.set([7])
    with django_capture_on_commit_callbacks(execute=True):
        count = services.open_campaign(by=monitoring_world.analyst, campaign=campaign)
    invited = set(
        Invitation.objects.filter(campaign=campaign).values_list("user__email", "network__code")
    )
    assert count == 4
    assert invited == {
        ("alice@escuela.cl", "RME-07-901"),
        ("paula@escuela.cl", "RME-07-901"),
        ("uma@escuela.cl", "RME-07-901"),
        ("director.c@escuela.cl", "RME-07-902"),
    }
    campaign.refresh_from_db()
    assert campaign.status == "open" and campaign.instrument.frozen
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e for e, _n in invited)
    message = next(m for m in mail.outbox if m.to == ["alice@escuela.cl"])
    invitation = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)
    assert f"/monitoring/respond/{invitation.token}/" in message.body
    assert "Red Talca A" in message.body and "anónimas" in message.body
    assert Invitation.objects.filter(campaign=campaign, sent_at__isnull=True).count() == 0


def test_invitations_are_emailed_only_after_the_transaction_commits(monitoring_world):
    campaign = CampaignFactory()
    with pytest.MonkeyPatch.context() as patch:
        queued = []
        patch.setattr(tasks.send_campaign_invitations, "delay", queued.append)
        services.open_campaign(by=monitoring_world.admin, campaign=campaign)
        # Inside the test's transaction nothing was queued yet.
        assert queued == []


def test_the_invitation_task_sends_in_batches_and_once(
    monitoring_world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    batches = []
    original = tasks.send_invitation_batch.apply_async
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)

    def record(args=None, kwargs=None, **options):
        batches.append(args[0])
        return original(args=args, kwargs=kwargs, **options)

    # The batches go through the outbox: published when the fan-out commits.
    monkeypatch.setattr(tasks.send_invitation_batch, "apply_async", record)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_campaign_invitations(campaign.pk) == 5
    assert [len(b) for b in batches] == [2, 2, 1]
    assert len(mail.outbox) == 5
    # Run again: nothing left to send.
    assert tasks.send_campaign_invitations(campaign.pk) == 0
    assert tasks.send_invitation_batch(batches[0]) == 0
    assert len(mail.outbox) == 5


def test_reminders_reach_those_who_have_not_answered_once_a_day(
    monitoring_world, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.open_campaign(by=monitoring_world.admin, campaign=campaign)
    Invitation.objects.filter(campaign=campaign, user=monitoring_world.directivo_c).update(
        answered=True
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.send_reminders(by=monitoring_world.analyst, campaign=campaign)
    assert reminded == 4
    assert len(mail.outbox) == 4
    assert "director.c@escuela.cl" not in {m.to[0] for m in mail.outbox}
    assert all(m.subject.startswith("[RME] Recordatorio") for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(by=monitoring_world.admin, campaign=campaign) == 0
    assert mail.outbox == []


def test_scheduled_reminders_wait_the_configured_days(
    monitoring_world, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(reminder_every_days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_campaign(by=monitoring_world.admin, campaign=campaign)
    mail.outbox.clear()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_scheduled_reminders(today=today + timedelta(days=1)) == 0
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_scheduled_reminders() == 5
    assert len(mail.outbox) == 5


def test_life_cycle_and_who_may_drive_it(monitoring_world):
    campaign = CampaignFactory()
    for user in (
        monitoring_world.analyst_rm,
        monitoring_world.supervisor_a,
        monitoring_world.director_a,
    ):
        with pytest.raises(PermissionDenied):
            services.open_campaign(by=user, campaign=campaign)
    with pytest.raises(ValidationError, match="Solo se publica una campaña cerrada"):
        services.publish_campaign(by=monitoring_world.admin, campaign=campaign)
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    with pytest.raises(ValidationError, match="Solo se abre una campaña en borrador"):
        services.open_campaign(by=monitoring_world.admin, campaign=campaign)
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    services.publish_campaign(by=monitoring_world.admin, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == "published" and campaign.published_at


def test_due_campaigns_close_by_themselves(monitoring_world):
    campaign = CampaignFactory(closes_on=timezone.localdate() + timedelta(days=1))
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    assert services.close_due_campaigns() == 0
    assert services.close_due_campaigns(today=timezone.localdate() + timedelta(days=2)) == 1
    assert Campaign.objects.get(pk=campaign.pk).status == "closed"


def test_creating_a_campaign_checks_its_fields(monitoring_world):
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(
            by=monitoring_world.admin,
            slug="rme-2026",
            name="Encuesta 2026",
            instrument=monitoring_world.instrument,
            year=2026,
            target="networks",
        )
    assert exc.value.message_dict == {"target_networks": ["Elija al menos una red."]}
    campaign = services.create_campaign(
        by=monitoring_world.admin,
        slug="RME-2026",
        name="Encuesta 2026",
        instrument=monitoring_world.instrument,
        year=2026,
        target="networks",
        target_networks=[monitoring_world.network_b],
    )
    assert campaign.slug == "rme-2026"
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    assert set(Invitation.objects.values_list("user__email", flat=True)) == {"bob@escuela.cl"}


def test_directivos_who_join_later_can_be_invited(
    monitoring_world, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.open_campaign(by=monitoring_world.admin, campaign=campaign)
    mail.outbox.clear()
    newcomer = PositionFactory(school=monitoring_world.b1, user__role="utp").user
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invite_new_directivos(by=monitoring_world.admin, campaign=campaign) == 1
    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def test_a_national_analyst_creates_and_opens_a_campaign_in_the_browser(
    monitoring_world, login, django_capture_on_commit_callbacks
):
    client = login(monitoring_world.analyst)
    response = client.post(
        "/monitoring/campaigns/new/",
        {
            "slug": "rme-2026",
            "name": "Encuesta de monitoreo 2026",
            "instrument": monitoring_world.instrument.pk,
            "year": 2026,
            "target": "regions",
            "target_regions": [13],
            "reminder_every_days": 7,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/monitoring/campaigns/rme-2026/"
    page = client.get("/monitoring/campaigns/rme-2026/").content.decode()
    assert "Abrir e invitar" in page and "Región Metropolitana" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/campaigns/rme-2026/open/", follow=True)
    assert "Campaña abierta: 1 invitación enviada por correo." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["bob@escuela.cl"]]
    # A second click is refused with a message, and changes nothing.
    response = client.post("/monitoring/campaigns/rme-2026/open/", follow=True)
    assert "Solo se abre una campaña en borrador." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("analyst_rm", 403),
        ("supervisor_a", 403),
        ("director_a", 403),
        ("admin", 200),
    ],
)
def test_only_national_analysts_and_admins_manage_campaigns(monitoring_world, login, role, status):
    client = login(getattr(monitoring_world, role))
    assert client.get("/monitoring/campaigns/new/").status_code == status
    CampaignFactory(slug="rme-borrador")
    response = client.post("/monitoring/campaigns/rme-borrador/open/")
    # Drafts are visible to analysts (403: not theirs to open) and hidden from others (404).
    expected = {"analyst_rm": 403, "admin": 302}.get(role, 404)
    assert response.status_code == expected
    assert Campaign.objects.get(slug="rme-borrador").status == (
        "open" if role == "admin" else "draft"
    )


def test_the_campaign_list_runs_a_fixed_number_of_queries(
    monitoring_world, login, django_assert_num_queries
):
    client = login(monitoring_world.analyst)
    client.get("/monitoring/")

    def count():
        # The user, the analyst's scope, the annotated campaign list and the
        # user's open invitations (none: so no query for their drafts).
        with django_assert_num_queries(4):
            assert client.get("/monitoring/").status_code == 200

    count()
    for year in (2019, 2020, 2021):
        CampaignFactory(year=year, status="published")
    count()
