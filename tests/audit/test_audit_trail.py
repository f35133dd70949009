"""The audit trail: who did what, kept for the ministry's accountability,
browsable by admins only, purged after AUDIT_RETENTION_DAYS, and never
holding a password or a survey answer."""

import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from monitoring import services as monitoring_services
from pme import services as pme_services
from rme_platform.accounts import services as account_services
from rme_platform.accounts.models import Invitation
from rme_platform.audit.models import AuditEvent
from rme_platform.audit.tasks import purge_audit_trail
from schools.models import AnalystScope, Position, SupervisorProfile
from tests.factories import (
    PASSWORD,
    AnnualPlanFactory,
    CampaignFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PMECycleFactory,
    PositionFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
)
from tests.helpers import current_totp, login_with_mfa

pytestmark = pytest.mark.django_db


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def one_event(action):
    found = events(action)
    assert len(found) == 1, [str(e) for e in AuditEvent.objects.all()]
    return found[0]


def history(model, obj=None):
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if obj is not None:
        entries = entries.filter(object_pk=str(obj.pk))
    return list(entries.order_by("timestamp", "pk"))


def trail_as_text():
    """Every value the two audit tables hold, as one string."""
    rows = list(AuditEvent.objects.values()) + list(LogEntry.objects.values())
    return json.dumps(rows, default=str, ensure_ascii=False)


# --- sign-in ------------------------------------------------------------------------------------


def test_a_sign_in_is_recorded_with_the_person_and_address(client, director):
    client.post("/accounts/login/", {"login": director.email, "password": PASSWORD})
    event = one_event("auth.login")
    assert event.actor == director
    assert event.actor_email == director.email
    assert event.ip == "127.0.0.1"


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(client, director):
    # Without ALLAUTH_TRUSTED_PROXY_COUNT no X-Forwarded-For entry is trusted.
    client.post(
        "/accounts/login/",
        {"login": director.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert one_event("auth.login").ip == "127.0.0.1"


def test_a_failed_sign_in_is_recorded_with_the_address_typed_but_never_the_password(
    client, director
):
    wrong = "clave-equivocada-Zq81"
    client.post("/accounts/login/", {"login": director.email, "password": wrong})
    event = one_event("auth.login_failed")
    assert event.actor is None
    assert event.details == {"email": director.email}
    assert event.ip == "127.0.0.1"
    assert wrong not in trail_as_text()
    assert not events("auth.login")


def test_a_sign_in_with_second_factor_is_recorded_once_and_a_wrong_code_as_a_failure(
    client, analyst
):
    client.post("/accounts/login/", {"login": analyst.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert one_event("mfa.failed").actor == analyst
    assert not events("auth.login")  # the password alone does not sign in
    client.post("/accounts/2fa/authenticate/", {"code": current_totp()})
    assert one_event("auth.login").actor == analyst


def test_signing_out_is_recorded(client, director):
    client.force_login(director)
    client.post("/accounts/logout/")
    assert one_event("auth.logout").actor == director


# --- second factor --------------------------------------------------------------------------------


def test_activating_and_deactivating_totp_are_recorded(
    client, director, django_capture_on_commit_callbacks
):
    # allauth sends its second-factor signals once the change is committed.
    client.post("/accounts/login/", {"login": director.email, "password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302:  # allauth asks for the password again first
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": current_totp(secret)})
    assert response.status_code == 302
    added = events("mfa.added")
    assert {e.details["kind"] for e in added} == {"totp", "recovery_codes"}
    assert all(e.actor == director for e in added)
    assert secret not in trail_as_text()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/recovery-codes/generate/")
    assert one_event("mfa.reset").details == {"kind": "recovery_codes"}

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/deactivate/")
    # Without TOTP, allauth drops the recovery codes too: both are recorded.
    removed = events("mfa.removed")
    assert {e.details["kind"] for e in removed} == {"totp", "recovery_codes"}
    assert all(e.actor == director for e in removed)


# --- tokens and invitations -------------------------------------------------------------------


def test_creating_and_revoking_an_api_token_are_recorded_without_the_key(client, supervisor):
    client.force_login(supervisor)
    client.post("/accounts/profile/tokens/", {"name": "Planilla"})
    created = one_event("token.created")
    assert created.actor == supervisor
    assert created.object_type == "accounts.apitoken"
    key = client.session["new_token_key"]
    assert key not in trail_as_text()
    client.post(f"/accounts/profile/tokens/{created.object_id}/revoke/")
    client.post(f"/accounts/profile/tokens/{created.object_id}/revoke/")  # idempotent
    assert one_event("token.revoked").object_id == created.object_id


def test_invitations_sent_replaced_and_accepted_are_recorded(admin_user):
    first = account_services.invite_user(
        email="nueva@mineduc.cl", role="supervisor", invited_by=admin_user, send=False
    )
    sent = one_event("invitation.sent")
    assert (sent.actor, sent.object_id, sent.details) == (
        admin_user,
        str(first.pk),
        {"role": "supervisor"},
    )
    second = account_services.invite_user(
        email="nueva@mineduc.cl", role="supervisor", invited_by=admin_user, send=False
    )
    assert one_event("invitation.revoked").actor == admin_user
    assert len(events("invitation.sent")) == 2

    from rme_platform.accounts.services import issue_invitation_token

    token = issue_invitation_token(second)
    user = account_services.accept_invitation(token=token, password="Una-Clave-Larga-2025")
    accepted = one_event("invitation.accepted")
    assert (accepted.actor, accepted.object_id) == (user, str(second.pk))
    assert token not in trail_as_text()
    assert "Una-Clave-Larga-2025" not in trail_as_text()
    assert Invitation.objects.get(pk=first.pk).revoked_at is not None


def test_revoking_an_invitation_on_its_page_is_recorded_once_with_who_revoked_it(
    client, admin_user
):
    invitation = account_services.invite_user(
        email="revocada@mineduc.cl", role="supervisor", invited_by=admin_user, send=False
    )
    login_with_mfa(client, admin_user, PASSWORD)
    client.post(f"/accounts/invite/{invitation.pk}/revoke/")
    client.post(f"/accounts/invite/{invitation.pk}/revoke/")  # already revoked
    event = one_event("invitation.revoked")
    assert (event.actor, event.object_id) == (admin_user, str(invitation.user_id))
    assert event.ip == "127.0.0.1"


# --- role, position, membership and scope history (django-auditlog) -----------------------------


def test_a_role_change_in_the_admin_is_kept_with_who_made_it(client, admin_user, director):
    login_with_mfa(client, admin_user, PASSWORD)
    page = client.get(f"/admin/accounts/user/{director.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data.update(
        role="supervisor",
        last_login_0="",
        last_login_1="",
        date_joined_0=director.date_joined.strftime("%Y-%m-%d"),
        date_joined_1="00:00:00",
    )
    response = client.post(f"/admin/accounts/user/{director.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = [e for e in history(type(director), director) if e.action == LogEntry.Action.UPDATE]
    assert entry.actor == admin_user
    assert entry.changes_dict["role"] == ["director", "supervisor"]
    assert entry.remote_addr == "127.0.0.1"
    assert "password" not in entry.changes_dict


def test_positions_scopes_and_representatives_keep_their_history(admin_user):
    from auditlog.context import set_actor

    with set_actor(admin_user):
        position = PositionFactory()
        profile = SupervisorProfileFactory()
        rep = SostenedorRepresentativeFactory()
        scope = AnalystScope.objects.create(user=UserFactory(role="analyst"), national=False)
        scope.regions.set([7, 13])
        position.end_date = timezone.localdate()
        position.save()
    assert [e.action for e in history(Position, position)] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
    ]
    assert history(SupervisorProfile, profile)[0].actor == admin_user
    assert history(type(rep), rep)[0].actor == admin_user
    scope_history = history(AnalystScope, scope)
    assert scope_history[0].action == LogEntry.Action.CREATE
    assert any("regions" in e.changes_dict for e in scope_history)


def test_a_membership_added_through_the_api_with_a_token_names_the_token_owner(client):
    network = NetworkFactory()
    school = NetworkSchoolFactory(network=network).school
    supervisor = SupervisorProfileFactory(deprov=network.deprov).user
    MembershipFactory(network=network, user=supervisor, role="supervisor")
    director = PositionFactory(school=school).user
    _token, key = account_services.create_api_token(user=supervisor, name="script")
    response = client.post(
        f"/api/v1/networks/{network.code}/members/",
        {"email": director.email, "role": "directivo"},
        headers={"Authorization": f"Token {key}"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    membership = network.memberships.get(user=director)
    (entry,) = history(type(membership), membership)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == supervisor


def test_removing_a_member_is_recorded(client):
    network = NetworkFactory()
    supervisor = SupervisorProfileFactory(deprov=network.deprov).user
    MembershipFactory(network=network, user=supervisor, role="supervisor")
    guest = MembershipFactory(network=network).user
    client.force_login(supervisor)
    client.post(f"/networks/{network.code}/members/{guest.pk}/remove/")
    client.post(f"/networks/{network.code}/members/{guest.pk}/remove/")  # already out
    event = one_event("membership.removed")
    assert (event.actor, event.object_id) == (supervisor, str(network.pk))
    assert event.details["user"] == guest.pk


# --- PME and campaigns ----------------------------------------------------------------------------


def test_a_pme_approval_is_recorded():
    plan = AnnualPlanFactory(cycle=PMECycleFactory(), shared_with_network=True)
    rep = SostenedorRepresentativeFactory(sostenedor=plan.school.sostenedor).user
    pme_services.approve_plan(by=rep, plan=plan)
    event = one_event("pme.plan_approved")
    assert (event.actor, event.object_type) == (rep, "pme.annualplan")
    assert event.object_id == str(plan.pk)


def test_opening_closing_publishing_and_raw_download_of_a_campaign_are_recorded(client, admin_user):
    campaign = CampaignFactory(closes_on=timezone.localdate() + timedelta(days=10))
    monitoring_services.open_campaign(by=admin_user, campaign=campaign, send=False)
    monitoring_services.close_campaign(by=admin_user, campaign=campaign)
    monitoring_services.publish_campaign(by=admin_user, campaign=campaign)
    for action in ["campaign.opened", "campaign.closed", "campaign.published"]:
        event = one_event(action)
        assert (event.actor, event.object_id) == (admin_user, str(campaign.pk))
    login_with_mfa(client, admin_user, PASSWORD)
    response = client.get(f"/monitoring/campaigns/{campaign.slug}/responses.csv")
    assert response.status_code == 200
    event = one_event("campaign.raw_downloaded")
    assert (event.actor, event.ip, event.details) == (
        admin_user,
        "127.0.0.1",
        {"file": "responses"},
    )
    response = client.get(f"/monitoring/campaigns/{campaign.slug}/texts.csv")
    assert response.status_code == 200
    downloads = events("campaign.raw_downloaded")
    assert sorted(e.details["file"] for e in downloads) == ["responses", "texts"]


def test_a_campaign_closed_by_the_daily_task_is_recorded_without_a_person():
    campaign = CampaignFactory(closes_on=timezone.localdate() + timedelta(days=1))
    monitoring_services.open_campaign(by=None, campaign=campaign, send=False)
    monitoring_services.close_due_campaigns(today=timezone.localdate() + timedelta(days=2))
    assert one_event("campaign.closed").actor is None


# --- browsing -------------------------------------------------------------------------------------


def test_admins_browse_and_filter_the_trail_and_cannot_edit_it(client, admin_user, director):
    client.post("/accounts/login/", {"login": director.email, "password": "mala"})
    login_with_mfa(client, admin_user, PASSWORD)
    page = client.get(
        "/admin/audit/auditevent/", {"action__exact": "auth.login_failed", "q": director.email}
    )
    assert page.status_code == 200
    assert director.email in page.content.decode()
    event = one_event("auth.login_failed")
    detail = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/auditlog/logentry/").status_code == 200


def test_people_who_are_not_staff_cannot_see_the_trail(client, director, supervisor):
    client.force_login(director)
    response = client.get("/admin/audit/auditevent/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    staff = UserFactory(role="supervisor", is_staff=True, with_totp=True)
    client.logout()
    login_with_mfa(client, staff, PASSWORD)
    assert client.get("/admin/audit/auditevent/").status_code == 403


# --- retention ------------------------------------------------------------------------------------


def test_the_daily_purge_deletes_only_rows_older_than_the_retention(settings, admin_user):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = AuditEvent.objects.create(action="auth.login", created_at=now - timedelta(days=31))
    recent = AuditEvent.objects.create(action="auth.login", created_at=now - timedelta(days=29))
    PositionFactory()
    PositionFactory()
    old_entry, recent_entry = LogEntry.objects.order_by("pk")[:2]
    LogEntry.objects.filter(pk=old_entry.pk).update(timestamp=now - timedelta(days=31))

    assert purge_audit_trail.delay().get() == {"events": 1, "history": 1}
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert not LogEntry.objects.filter(pk=old_entry.pk).exists()
    assert LogEntry.objects.filter(pk=recent_entry.pk).exists()

    settings.AUDIT_RETENTION_DAYS = 0  # keep everything
    assert purge_audit_trail.delay().get() == {"events": 0, "history": 0}


def test_the_purge_runs_daily_from_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "rme_platform.audit.tasks.purge_audit_trail" in tasks


def test_details_never_keep_a_password_token_key_or_answer(admin_user):
    from rme_platform import audit

    event = audit.record(
        admin_user,
        "auth.login",
        password="x",
        token="y",
        api_key="z",
        answers={"Q": 1},
        network="RME-1",
    )
    event.refresh_from_db()
    assert event.details == {"network": "RME-1"}
    with pytest.raises(ValueError):
        audit.record(admin_user, "no.such.action")
