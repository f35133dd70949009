"""The access matrix of practices: for a draft and each visibility, who sees
the practice page, finds it in the library and the API, downloads its files;
everyone else gets 404, like for a missing practice. Only its authors and
the school's director edit."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from networks.models import NetworkStatus
from networks.permissions import visible_networks
from networks.practices import permissions as perms
from networks.practices import services as services
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
)
from tests.helpers import pdf_bytes

from .conftest import ROLES, SEES

pytestmark = pytest.mark.django_db

STATES = ["draft", "network", "deprov", "all"]
CASES = [
    pytest.param(state, role, role in SEES[state], id=f"{state}-{role}")
    for state in STATES
    for role in ROLES
]


@pytest.mark.parametrize(("state", "role", "sees"), CASES)
def test_practice_page(practice_world, practice_of, login, state, role, sees):
    practice = practice_of(state, title="Lectura compartida diaria")
    response = login(getattr(practice_world, role)).get(f"/practices/{practice.pk}/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == (200 if sees else 404)
    assert ("Lectura compartida diaria" in response.content.decode()) == sees


@pytest.mark.parametrize(("state", "role", "sees"), CASES)
def test_library_and_api_list_only_what_one_sees(
    practice_world, practice_of, login, state, role, sees
):
    practice = practice_of(state)
    client = login(getattr(practice_world, role))
    page = client.get("/practices/")
    api = client.get("/api/v1/practices/")
    if role == "anonymous":
        assert page.status_code == 302 and api.status_code in (401, 403)
        return
    # The library lists published practices only; drafts are listed aside, for their school.
    listed = sees and state != "draft"
    assert (practice.pk in [row["pk"] for row in page.context["page"].object_list]) == listed
    assert (practice.pk in [row["id"] for row in api.json()["results"]]) == listed
    detail = client.get(f"/api/v1/practices/{practice.pk}/")
    assert detail.status_code == (200 if sees else 404)
    assert perms.can_view_practice(getattr(practice_world, role), practice) == sees


def test_a_hidden_practice_answers_like_a_missing_one(practice_world, practice_of, login):
    practice = practice_of("network")
    client = login(practice_world.director_b)
    hidden, missing = client.get(f"/practices/{practice.pk}/"), client.get("/practices/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.templates[0].name == missing.templates[0].name


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_files_are_served_only_to_who_sees_the_practice(
    practice_world, practice_of, login, state, role
):
    practice = practice_of(state)
    attachment = services.add_attachment(
        by=practice_world.director_a,
        practice=practice,
        file=SimpleUploadedFile("pauta.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    response = login(getattr(practice_world, role)).get(f"/practices/files/{attachment.pk}/")
    assert response.status_code == (200 if role in SEES[state] else 404)
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")


EDITORS = {"director_a", "admin"}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_only_authors_and_the_schools_director_edit(practice_world, practice_of, login, role):
    practice = practice_of("all")
    response = login(getattr(practice_world, role)).get(f"/practices/{practice.pk}/edit/")
    assert response.status_code == (200 if role in EDITORS else 403)
    posted = login(getattr(practice_world, role)).post(f"/practices/{practice.pk}/unpublish/")
    practice.refresh_from_db()
    assert practice.is_published == (role not in EDITORS)
    assert posted.status_code == (302 if role in EDITORS else 403)


def test_the_schools_current_director_edits_a_practice_of_a_former_colleague(practice_world, login):
    from tests.factories import PracticeFactory, UserFactory

    former = UserFactory(role="utp")
    practice = PracticeFactory(school=practice_world.a1, authors=[former])
    assert (
        login(practice_world.director_a).get(f"/practices/{practice.pk}/edit/").status_code == 200
    )
    # The head of UTP of the same school sees it but does not edit it.
    assert login(practice_world.utp_a1).get(f"/practices/{practice.pk}/edit/").status_code == 403


def test_only_directivos_write_practices(practice_world, login):
    for role in ("director_a", "utp_a2"):
        assert login(getattr(practice_world, role)).get("/practices/new/").status_code == 200
    for role in ("supervisor_a", "rep_a", "analyst", "admin"):
        assert login(getattr(practice_world, role)).get("/practices/new/").status_code == 403


PEOPLE = ["alice", "uma", "paula", "sofia", "tomas", "rita", "bob", "oscar", "rafa", "charlie"]


def test_the_scopes_networks_are_the_readers_visible_active_networks(practice_world):
    """permissions._networks writes networks.permissions.visible_networks
    (active ones) as SQL: the same networks for every kind of reader, with
    an ended position, a school that left, a closed network and an inactive
    membership that must not count."""
    w = practice_world
    closed = NetworkFactory(deprov_id=w.network_a.deprov_id, status=NetworkStatus.CLOSED)
    NetworkSchoolFactory(network=closed, school=w.a1)
    left = NetworkFactory()
    NetworkSchoolFactory(network=left, school=w.b1, left_on=datetime.date(2024, 1, 1))
    MembershipFactory(network=left, user=w.uma, role="directivo", school=w.a2, active=False)
    PositionFactory(
        school=w.c1,
        user=w.alice,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    for name in PEOPLE:
        user = getattr(w, name)
        expected = set(
            visible_networks(user)
            .filter(status=NetworkStatus.ACTIVE)
            .values_list("pk", "deprov_id")
        )
        schools = perms.directivo_schools(user)
        assert sorted(set(schools)) == sorted(
            set(perms.directivo_school_ids(user).values_list("school_id", flat=True))
        ), name
        assert set(perms._networks(user, schools)) == expected, name
    assert {pk for pk, _d in perms._networks(w.rafa, [])} == {w.network_b.pk}
    assert {pk for pk, _d in perms._networks(w.alice, perms.directivo_schools(w.alice))} == {
        w.network_a.pk
    }
