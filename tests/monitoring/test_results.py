"""Aggregation, rounding and small-cell suppression: the figures every
output shares (results_for_scope is what the command, the API, the pages
and the PDF reports print)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from monitoring.results import campaign_results, half_up, results_for_scope, results_for_scopes
from tests.factories import CampaignFactory, NetworkFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db

FIELDS = [
    "code",
    "n",
    "counts",
    "pct_agree",
    "pct_neutral",
    "pct_disagree",
    "mean",
    "suppressed",
]


def question(data, code="RME_META_COMUN", role=None):
    return next(q for q in data["questions"] if q["code"] == code and q.get("role") == role)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_half_up_matches_decimal_round_half_up(numerator, denominator):
    for places in (1, 2):
        exact = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
        # Decimal division keeps 28 digits: enough for these sizes.
        assert half_up(numerator, denominator, places) == float(exact)


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "expected"),
    [
        (100, 8, 1, 12.5),  # exact
        (100, 6, 1, 16.7),  # 16.666…
        (300, 2000, 1, 0.2),  # 0.15: binary floats would round it down to 0.1
        (500, 40, 1, 12.5),
        (2, 8, 1, 0.3),  # 0.25 → 0.3, half up (not half even)
        (29, 8, 2, 3.63),  # 3.625 → 3.63
        (7, 3, 2, 2.33),
    ],
)
def test_rounding_is_half_up(numerator, denominator, places, expected):
    assert half_up(numerator, denominator, places) == expected


def test_national_figures_count_valid_answers_and_round_half_up(monitoring_world):
    campaign = CampaignFactory(status="closed")
    # 8 answers to RME_META_COMUN: 1, 2, 3, 3, 4, 4, 5, 5; one blank answer.
    add_responses(
        campaign,
        monitoring_world.network_a,
        [{"RME_META_COMUN": v} for v in (1, 2, 3, 3, 4, 4, 5, 5)] + [{"RME_META_COMUN": None}],
    )
    data = results_for_scope(campaign, "national")
    assert list(data) == ["campaign", "scope", "n_responses", "questions"]
    assert data["campaign"] == campaign.slug and data["scope"] == "national"
    assert data["n_responses"] == 9
    item = question(data)
    assert list(item) == FIELDS
    assert item == {
        "code": "RME_META_COMUN",
        "n": 8,
        "counts": {"1": 1, "2": 1, "3": 2, "4": 2, "5": 2},
        "pct_agree": 50.0,
        "pct_neutral": 25.0,
        "pct_disagree": 25.0,
        "mean": 3.38,  # 27 / 8 = 3.375 → 3.38
        "suppressed": False,
    }
    # Every Likert question of the instrument is listed, in order.
    assert [q["code"] for q in data["questions"]][:2] == ["RME_META_COMUN", "RME_OBJETIVOS_CLAROS"]
    assert question(data, "RME_OBJETIVOS_CLAROS")["n"] == 0


def test_a_cell_under_the_minimum_is_suppressed_everywhere(monitoring_world, settings):
    campaign = CampaignFactory(status="closed")
    add_responses(campaign, monitoring_world.network_b, [5, 5, 5, 5])
    data = results_for_scope(campaign, "network:RME-13-901")
    item = question(data)
    assert item == {
        "code": "RME_META_COMUN",
        "n": 4,
        "counts": None,
        "pct_agree": None,
        "pct_neutral": None,
        "pct_disagree": None,
        "mean": None,
        "suppressed": True,
    }
    assert question(results_for_scope(campaign, "national"))["suppressed"] is True
    settings.MIN_CELL_SIZE = 4
    assert question(results_for_scope(campaign, "national"))["suppressed"] is False


def test_one_suppressed_network_in_a_region_suppresses_the_next_smallest(monitoring_world):
    """Region 7 shows 20 answers; network C has 3 (suppressed). Showing A
    (the other 17) would let anyone compute C as region − A."""
    campaign = CampaignFactory(status="closed")
    third = NetworkFactory(code="RME-07-903", deprov_id=72)
    add_responses(campaign, monitoring_world.network_a, [4] * 11)
    add_responses(campaign, third, [2] * 6)
    add_responses(campaign, monitoring_world.network_c, [1, 1, 1])
    add_responses(campaign, monitoring_world.network_b, [3] * 9)
    results = campaign_results(campaign)
    a, third_data, c = (
        question(results.for_scope(f"network:{code}"))
        for code in ("RME-07-901", "RME-07-903", "RME-07-902")
    )
    assert c["suppressed"] and c["n"] == 3
    assert third_data["suppressed"], "the next smallest network is suppressed too"
    assert not a["suppressed"] and a["pct_agree"] == 100.0
    region = question(results.for_scope("region:7"))
    assert not region["suppressed"] and region["n"] == 20
    # Region − shown networks = 9 answers hidden together: nothing below 5 leaks.
    assert region["n"] - a["n"] == 9


def test_two_suppressed_networks_holding_enough_answers_need_no_complement(monitoring_world):
    campaign = CampaignFactory(status="closed")
    third = NetworkFactory(code="RME-07-903", deprov_id=72)
    add_responses(campaign, monitoring_world.network_a, [4] * 11)
    add_responses(campaign, third, [2] * 3)
    add_responses(campaign, monitoring_world.network_c, [1] * 4)
    results = campaign_results(campaign)
    assert not question(results.for_scope("network:RME-07-901"))["suppressed"]
    assert question(results.for_scope("network:RME-07-903"))["suppressed"]
    assert question(results.for_scope("network:RME-07-902"))["suppressed"]


def test_answers_without_network_count_as_a_hidden_cell_of_their_region(monitoring_world):
    """An imported response with no network is part of the region only:
    if the region is shown, the networks must not let anyone subtract it."""
    campaign = CampaignFactory(status="closed")
    add_responses(campaign, monitoring_world.network_a, [4] * 8)
    add_responses(campaign, monitoring_world.network_c, [5] * 9)
    add_responses(campaign, None, [1, 1], region=7)
    results = campaign_results(campaign)
    region = question(results.for_scope("region:7"))
    assert region["n"] == 19 and not region["suppressed"]
    assert question(results.for_scope("network:RME-07-901"))["suppressed"]
    assert not question(results.for_scope("network:RME-07-902"))["suppressed"]


def test_a_region_under_the_minimum_gets_a_complement_among_regions(monitoring_world):
    campaign = CampaignFactory(status="closed")
    add_responses(campaign, monitoring_world.network_a, [4] * 8)  # region 7: 8
    add_responses(campaign, monitoring_world.network_b, [5] * 3)  # region 13: 3
    big = NetworkFactory(code="RME-05-001", deprov_id=51)  # region 5: 20
    add_responses(campaign, big, [3] * 20)
    results = campaign_results(campaign)
    assert question(results.for_scope("region:13"))["suppressed"]
    assert question(results.for_scope("region:7"))["suppressed"], "the next smallest region"
    assert not question(results.for_scope("region:5"))["suppressed"]
    assert not question(results.for_scope("national"))["suppressed"]
    # Region 7 is hidden, so its only network must not show it either.
    assert question(results.for_scope("network:RME-07-901"))["suppressed"]


def test_split_by_role_suppresses_the_other_role_when_one_is_small(monitoring_world):
    campaign = CampaignFactory(status="closed")
    add_responses(campaign, monitoring_world.network_a, [4] * 9, role="director")
    add_responses(campaign, monitoring_world.network_a, [1] * 3, role="utp")
    add_responses(campaign, monitoring_world.network_c, [5] * 12)
    data = results_for_scope(campaign, "network:RME-07-901", by_role=True)
    assert data["n_responses"] == 12
    assert data["n_responses_by_role"] == {"director": 9, "utp": 3}
    director, utp = question(data, role="director"), question(data, role="utp")
    assert list(director) == ["code", "role", *FIELDS[1:]]
    assert utp["suppressed"] and director["suppressed"], "9 = 12 − 3 would reveal the utp"
    total = question(results_for_scope(campaign, "network:RME-07-901"))
    assert not total["suppressed"] and total["n"] == 12


def test_results_of_every_scope_come_from_one_grouped_query(monitoring_world, published):
    with CaptureQueriesContext(connection) as queries:
        datas = results_for_scopes(
            published, ["national", "region:7", "region:13", "network:RME-07-901"]
        )
    aggregates = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    # One grouped query over the answers (every level at once) and one over
    # the responses for their numbers.
    assert len(aggregates) == 2
    assert sum("monitoring_answer" in sql for sql in aggregates) == 1
    if connection.vendor == "postgresql":
        assert all("GROUPING SETS" in sql for sql in aggregates)
    assert [d["n_responses"] for d in datas] == [26, 18, 8, 12]


def test_the_same_figures_for_one_scope_alone_or_with_others(monitoring_world, published):
    alone = results_for_scope(published, "network:RME-07-901")
    together = results_for_scopes(published, ["national", "network:RME-07-901"])[1]
    assert alone == together
    national = question(results_for_scope(published, "national"))
    assert national["n"] == 26
    assert sum(national["counts"].values()) == 26


def test_a_new_response_is_seen_at_once_despite_the_cache(monitoring_world, published):
    before = results_for_scope(published, "national")["n_responses"]
    add_responses(published, monitoring_world.network_b, [5])
    assert results_for_scope(published, "national")["n_responses"] == before + 1
