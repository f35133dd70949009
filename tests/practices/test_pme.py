"""A directivo copies a practice they can see into an action of their
school's annual plan; the action remembers the practice."""

import pytest

from pme.models import Action
from tests.factories import AnnualPlanFactory, PMECycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(practice_world):
    return AnnualPlanFactory(cycle=PMECycleFactory(school=practice_world.b1), year=2025)


def test_an_action_is_prefilled_from_a_practice(practice_world, practice_of, login, plan):
    practice = practice_of(
        "all", title="Recreos entretenidos", dimension_id="formacion_convivencia"
    )
    practice.subdimension_id = "convivencia"
    practice.save()
    client = login(practice_world.director_b)
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "Crear una acción a partir de esta práctica" in page
    url = f"/pme/practices/{practice.pk}/action/?plan={plan.pk}"
    form = client.get(url).context["form"]
    assert form.initial["name"] == "Recreos entretenidos"
    assert form.initial["dimension"] == "formacion_convivencia"
    assert form.initial["subdimension"] == "convivencia"
    assert f"/practices/{practice.pk}/" in form.initial["description"]
    response = client.post(
        url,
        {
            "name": "Recreos entretenidos en nuestra escuela",
            "description": form.initial["description"],
            "dimension": "formacion_convivencia",
            "subdimension": "convivencia",
            "start_date": "2025-04-01",
            "end_date": "2025-11-30",
            "status": "planned",
            "progress": "0",
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pme/actions/{action.pk}/"
    assert action.practice_source.practice == practice and action.plan == plan
    assert "Ver la práctica compartida" in client.get(response["Location"]).content.decode()


def test_the_copy_needs_a_practice_one_sees_and_a_plan_one_edits(
    practice_world, practice_of, login, plan
):
    hidden = practice_of("network")
    client = login(practice_world.director_b)
    assert client.get(f"/pme/practices/{hidden.pk}/action/?plan={plan.pk}").status_code == 404
    visible = practice_of("all")
    other_plan = AnnualPlanFactory(cycle=PMECycleFactory(school=practice_world.c1))
    assert (
        client.get(f"/pme/practices/{visible.pk}/action/?plan={other_plan.pk}").status_code == 404
    )
    # Bad dates: the PME rules apply, nothing stored.
    response = client.post(
        f"/pme/practices/{visible.pk}/action/?plan={plan.pk}",
        {
            "name": "X",
            "dimension": "liderazgo",
            "start_date": "2024-01-01",
            "end_date": "2024-02-01",
            "status": "planned",
            "progress": "0",
        },
    )
    assert response.status_code == 400 and not Action.objects.exists()
