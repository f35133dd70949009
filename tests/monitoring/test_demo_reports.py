"""The demo tells the truth about time: it is dated from today's school year
(March to December, America/Santiago), and every report of its published
survey waves has the meetings and PME of the wave's year to show."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from monitoring.models import Campaign, CampaignStatus
from monitoring.reports.data import ReportInputs, campaign_scopes, scope_data
from networks.meetings.models import Meeting, MeetingStatus
from networks.models import Network
from networks.practices.models import Practice, PracticeAdoption
from pme.models import Action, AnnualPlan, PMECycle
from rme_platform.management.demo import demo_years, school_year

pytestmark = pytest.mark.django_db

SANTIAGO = timezone.get_default_timezone()


@pytest.fixture(
    params=[
        None,  # today
        datetime.datetime(2031, 1, 20, 10),  # summer holidays: last calendar year's school year
        datetime.datetime(2031, 3, 2, 10),  # first days of the school year: no meeting yet
    ],
    ids=["today", "january", "march"],
)
def demo(request, settings, monkeypatch):
    """The demo built on a given day (America/Santiago)."""
    settings.RME_DATA_DIR = ""
    if request.param is not None:
        moment = request.param.replace(tzinfo=SANTIAGO)
        monkeypatch.setattr(timezone, "now", lambda: moment)
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    return timezone.localdate()


def test_the_demo_is_dated_from_today_and_its_reports_are_complete(demo):
    """One demo build per day checks both."""
    every_report_of_the_published_waves_has_meetings_and_pme(demo)
    the_demo_is_dated_in_the_current_school_year(demo)


def every_report_of_the_published_waves_has_meetings_and_pme(demo):
    paper, last, current = demo_years(demo)
    statuses = dict(Campaign.objects.values_list("slug", "status"))
    assert statuses == {
        f"rme-{paper}": CampaignStatus.PUBLISHED,
        f"rme-{last}": CampaignStatus.PUBLISHED,
        f"rme-{current}": CampaignStatus.OPEN,
    }
    for campaign in Campaign.objects.filter(status=CampaignStatus.PUBLISHED):
        inputs = ReportInputs(campaign)
        scopes = campaign_scopes(campaign)
        kinds = {scope.kind for scope in scopes}
        assert kinds == {"national", "region", "network"}
        assert len([s for s in scopes if s.kind == "network"]) == 6
        for scope in scopes:
            data = scope_data(inputs, scope, "es")
            where = f"{campaign.slug} {scope}"
            assert data["meetings"] and data["meetings"]["held"] > 0, where
            assert data["meetings"]["agreements"] > 0, where
            assert data["pme"] and data["pme"]["plans"] > 0, where
            assert all(row["actions"] for row in data["pme"]["rows"]), where
            # Last year's wave has the one before for a trend.
            assert data["has_trend"] == (campaign.year == last), where


def the_demo_is_dated_in_the_current_school_year(demo):
    year = school_year(demo)
    now = timezone.now()
    assert set(Network.objects.values_list("year", flat=True)) == {year}
    assert set(AnnualPlan.objects.values_list("year", flat=True)) == set(demo_years(demo))
    assert AnnualPlan.objects.filter(year=year).count() == 60  # every demo school
    assert set(PMECycle.objects.values_list("first_year", "last_year")) == {(year - 2, year + 1)}
    for plan_year in demo_years(demo):
        actions = Action.objects.filter(plan__year=plan_year)
        assert not actions.exclude(start_date__year=plan_year).exists()
        assert not actions.exclude(end_date__year=plan_year).exists()

    school_days = (datetime.date(year, 3, 1), datetime.date(year, 12, 31))
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert not held.filter(starts_at__gte=now).exists()
    this_year = held.filter(starts_at__date__range=school_days)
    # One a month per network, March to December, of the months gone by.
    gone_by = sum(
        1
        for month in range(3, 13)
        if datetime.date(year, month, 8) <= demo  # no second Wednesday before the 8th
    )
    assert this_year.count() >= 6 * max(0, gone_by - 1)
    for earlier in demo_years(demo)[:-1]:
        assert held.filter(starts_at__year=earlier).count() == 6 * 10
    ahead = Meeting.objects.filter(status=MeetingStatus.CONVENED)
    assert ahead.count() == 6
    assert all(m.starts_at > now and m.starts_at.month in range(3, 13) for m in ahead)

    start = datetime.datetime(year, 3, 1, tzinfo=SANTIAGO)
    for practice in Practice.objects.filter(school__network_links__network__code="RME-07-001"):
        assert start <= practice.published_at <= now
    for adoption in PracticeAdoption.objects.all():
        assert start <= adoption.created_at <= now
