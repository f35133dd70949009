"""/api/v1/practices/ and /api/v1/practice-adoptions/: the same scope,
rules and messages as the pages, through the same services."""

import pytest

from networks.practices.models import Practice, PracticeAdoption, PracticeComment
from tests.factories import ActionFactory, AnnualPlanFactory, PMECycleFactory

pytestmark = pytest.mark.django_db

NEW = {
    "title": "Tutorías entre pares",
    "summary": "Estudiantes de 8.º acompañan a los de 4.º.",
    "body": "Dos veces por semana, en la biblioteca.",
    "dimension": "formacion_convivencia",
    "tags": ["tutorías", "convivencia"],
    "visibility": "deprov",
}


def test_a_directivo_writes_publishes_and_comments_through_the_api(practice_world, login):
    client = login(practice_world.director_a)
    created = client.post(
        "/api/v1/practices/",
        {**NEW, "school": practice_world.a1.pk, "coauthors": [practice_world.utp_a1.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["school"] == practice_world.a1.pk
    assert body["levels"] == [10, 110] and body["rural"] is True  # from the school
    assert sorted(body["tags"]) == ["convivencia", "tutorias"]
    pk = body["id"]
    edited = client.patch(
        f"/api/v1/practices/{pk}/",
        {"title": "Tutorías de lectura"},
        content_type="application/json",
    )
    assert edited.json()["title"] == "Tutorías de lectura"
    assert client.post(f"/api/v1/practices/{pk}/publish/").json()["status"] == "published"
    other = login(practice_world.director_c)
    comment = other.post(
        f"/api/v1/practices/{pk}/comments/",
        {"body": "¡Buena idea!"},
        content_type="application/json",
    )
    assert comment.status_code == 201
    assert [c["body"] for c in other.get(f"/api/v1/practices/{pk}/comments/").json()] == [
        "¡Buena idea!"
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": "<script>alert(1)</script>"}, "body"),
        ({"dimension": "inexistente"}, "dimension"),
        ({"visibility": "planeta"}, "visibility"),
    ],
)
def test_bad_input_through_the_api_stores_nothing(practice_world, login, change, field):
    response = login(practice_world.director_a).post(
        "/api/v1/practices/",
        {**NEW, "school": practice_world.a1.pk, **change},
        content_type="application/json",
    )
    assert response.status_code == 400 and field in response.json()
    assert not Practice.objects.exists()


def test_writing_for_another_school_is_forbidden(practice_world, login):
    response = login(practice_world.director_a).post(
        "/api/v1/practices/",
        {**NEW, "school": practice_world.b1.pk},
        content_type="application/json",
    )
    assert response.status_code == 403 and not Practice.objects.exists()


def test_an_outsider_cannot_edit_or_comment_a_hidden_practice(practice_world, practice_of, login):
    practice = practice_of("network")
    client = login(practice_world.director_b)
    assert (
        client.patch(
            f"/api/v1/practices/{practice.pk}/", {"title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/practices/{practice.pk}/comments/",
            {"body": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not PracticeComment.objects.exists()
    # Seeing it is not editing it.
    reader = login(practice_world.utp_a2)
    assert (
        reader.patch(
            f"/api/v1/practices/{practice.pk}/", {"title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_adoptions_through_the_api(practice_world, practice_of, login):
    practice = practice_of("all")
    plan = AnnualPlanFactory(cycle=PMECycleFactory(school=practice_world.b1))
    action = ActionFactory(plan=plan)
    client = login(practice_world.director_b)
    created = client.post(
        "/api/v1/practice-adoptions/",
        {
            "practice": practice.pk,
            "school": practice_world.b1.pk,
            "stage": "trying",
            "pme_action": action.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["pme_action"] == action.pk
    again = client.post(
        "/api/v1/practice-adoptions/",
        {"practice": practice.pk, "school": practice_world.b1.pk},
        content_type="application/json",
    )
    assert again.status_code == 400 and "school" in again.json()
    pk = created.json()["id"]
    noted = client.post(
        f"/api/v1/practice-adoptions/{pk}/notes/",
        {"stage": "adopted", "text": "Funciona."},
        content_type="application/json",
    )
    assert noted.json()["stage"] == "adopted" and len(noted.json()["notes"]) == 2
    # The author reads it; someone who cannot see the practice does not.
    listed = login(practice_world.director_a).get(
        f"/api/v1/practice-adoptions/?practice={practice.pk}"
    )
    assert [row["school"] for row in listed.json()["results"]] == [practice_world.b1.pk]
    own = login(practice_world.director_a).post(
        "/api/v1/practice-adoptions/",
        {"practice": practice.pk, "school": practice_world.a1.pk},
        content_type="application/json",
    )
    assert own.status_code == 400
    assert own.json()["school"] == ["No se puede adoptar una práctica del propio establecimiento."]
    assert PracticeAdoption.objects.count() == 1


def test_adoptions_of_hidden_practices_are_not_listed(practice_world, practice_of, login):
    practice = practice_of("network")
    from tests.factories import PracticeAdoptionFactory

    PracticeAdoptionFactory(practice=practice, school=practice_world.a2)
    assert login(practice_world.director_b).get("/api/v1/practice-adoptions/").json()["count"] == 0
    assert login(practice_world.utp_a2).get("/api/v1/practice-adoptions/").json()["count"] == 1


def test_coauthor_errors_name_no_one_and_do_not_tell_which_ids_exist(practice_world, login):
    """A director of Talca offering a Santiago director (outside their reach)
    as co-author, or an id of no one, gets the same answer, naming nobody."""
    from tests.factories import UserFactory

    stranger = practice_world.director_b
    stranger.first_name, stranger.last_name = "Ernestina", "Forastera"
    stranger.save()
    # Someone of no school at all, too.
    nobody_like = UserFactory(first_name="Teodoro", last_name="Lejano", email="lejano@x.cl")
    client = login(practice_world.director_a)

    def post(ids):
        return client.post(
            "/api/v1/practices/",
            {**NEW, "school": practice_world.a1.pk, "coauthors": ids},
            content_type="application/json",
        )

    outside = post([stranger.pk])
    other = post([nobody_like.pk])
    missing = post([999_999])
    for response in (outside, other, missing):
        assert response.status_code == 400
        text = response.content.decode()
        for secret in ("Ernestina", "Forastera", stranger.email, "Teodoro", "Lejano", "lejano@"):
            assert secret not in text
    assert outside.json() == missing.json() == other.json()
    assert not Practice.objects.exists()
    # A colleague of the same school is still accepted.
    assert post([practice_world.utp_a1.pk]).status_code == 201
