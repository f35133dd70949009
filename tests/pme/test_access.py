"""The access matrix of PMEs: each named user against each object, through
the pages and the API. Directivos edit their own school's plans; supervisors
assigned to the school's network and the sostenedor's representatives read
shared plans and comment; representatives approve; analysts only see
rollups; a plan one may not read answers 404 like a missing one, and one
they may read but not change answers 403. A denied write changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pme import services
from pme.models import Action, ActionUpdate, AnnualPlan, Comment
from tests.factories import MembershipFactory
from tests.helpers import pdf_bytes

from .conftest import ROLES

pytestmark = pytest.mark.django_db

EDITORS_A1 = {"director_a", "utp_a1", "admin"}
READERS_A1 = EDITORS_A1 | {"supervisor_a", "rep_a"}  # plan A1 is shared
READERS_A2 = {"utp_a2", "admin"}  # plan A2 is not shared
READERS_B1 = {"director_b", "supervisor_b", "rep_b", "admin"}
PDF = pdf_bytes()


def by_role(expected):
    return [pytest.param(role, expected(role), id=role) for role in ROLES]


def read_status(readers):
    return lambda role: 200 if role in readers else 404


def write_status(role):
    """Editors succeed, readers are refused (403), the rest see nothing (404)."""
    if role in EDITORS_A1:
        return "ok"
    return 403 if role in READERS_A1 else 404


def plan_state(plan):
    plan = AnnualPlan.objects.get(pk=plan.pk)
    return {
        "plan": (plan.phase, plan.diagnosis, plan.shared_with_network, plan.approved_at),
        "actions": list(Action.objects.filter(plan=plan).values_list("name", "progress")),
        "updates": ActionUpdate.objects.filter(action__plan=plan).count(),
        "comments": Comment.objects.filter(plan=plan).count(),
    }


# --- reading ---------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), by_role(read_status(READERS_A1)))
def test_shared_plan_page(pme_world, login, role, status):
    response = login(getattr(pme_world, role)).get(f"/pme/plans/{pme_world.plan_a1.pk}/")
    assert response.status_code == status
    page = response.content.decode()
    assert ("Acompañamiento al aula" in page) == (status == 200)
    if status == 200:
        # Editing controls only for the school's directivos (and admins).
        assert ("Nueva acción" in page) == (role in EDITORS_A1)
        assert ("Aprobar el plan en nombre del sostenedor" in page) == (role == "rep_a")


@pytest.mark.parametrize(("role", "status"), by_role(read_status(READERS_A2)))
def test_unshared_plan_is_private_to_its_school(pme_world, login, role, status):
    response = login(getattr(pme_world, role)).get(f"/pme/plans/{pme_world.plan_a2.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(read_status(READERS_A1)))
def test_action_page_and_exports(pme_world, login, role, status):
    client = login(getattr(pme_world, role))
    assert client.get(f"/pme/actions/{pme_world.action_a1.pk}/").status_code == status
    assert client.get(f"/pme/plans/{pme_world.plan_a1.pk}/export.xlsx").status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(read_status(READERS_A1)))
def test_cycle_page(pme_world, login, role, status):
    response = login(getattr(pme_world, role)).get(f"/pme/cycles/{pme_world.plan_a1.cycle_id}/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(read_status(READERS_A1)))
def test_evidence_is_served_only_to_readers(pme_world, login, role, status):
    upload = SimpleUploadedFile("acta.pdf", PDF, content_type="application/pdf")
    update = services.record_progress(
        by=pme_world.director_a, action=pme_world.action_a1, progress=40, files=[upload]
    )
    evidence = update.evidence.get()
    response = login(getattr(pme_world, role)).get(f"/pme/evidence/{evidence.pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert 'filename="acta.pdf"' in response["Content-Disposition"]
        api = login(getattr(pme_world, role)).get(f"/api/v1/pme/evidence/{evidence.pk}/")
        assert api.status_code == 200


def test_hidden_plan_answers_like_a_missing_one(pme_world, login):
    client = login(pme_world.director_b)
    hidden = client.get(f"/pme/plans/{pme_world.plan_a1.pk}/")
    missing = client.get("/pme/plans/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.templates[0].name == missing.templates[0].name


def test_anonymous_is_sent_to_sign_in(pme_world, client):
    for url in [f"/pme/plans/{pme_world.plan_a1.pk}/", "/pme/", "/pme/dashboard/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/pme/plans/").status_code in (401, 403)


def test_plan_list_shows_what_each_role_may_read(pme_world, login):
    expected = {
        "director_a": {"Escuela Talca Uno"},
        "utp_a2": {"Liceo Talca Dos"},
        "supervisor_a": {"Escuela Talca Uno"},
        "supervisor_deprov": set(),
        "rep_a": {"Escuela Talca Uno"},
        "rep_b": {"Escuela Santiago Centro"},
        "analyst": set(),
        "admin": {"Escuela Talca Uno", "Liceo Talca Dos", "Escuela Santiago Centro"},
    }
    for role, names in expected.items():
        response = login(getattr(pme_world, role)).get("/pme/")
        shown = {plan.school.name for plan in response.context["page"].object_list}
        assert shown == names, role


# --- writing -----------------------------------------------------------------------


def new_action(client, w):
    return client.post(
        f"/pme/plans/{w.plan_a1.pk}/actions/new/",
        {
            "name": "Nueva acción de lectura",
            "dimension": "gestion_pedagogica",
            "start_date": "2025-04-01",
            "end_date": "2025-08-31",
            "status": "planned",
            "progress": 0,
            "funding_sep": 500000,
        },
    )


def record_progress(client, w):
    return client.post(
        f"/pme/actions/{w.action_a1.pk}/progress/",
        {"date": "2025-05-02", "progress": 60, "note": "Avance"},
    )


def edit_plan(client, w):
    return client.post(
        f"/pme/plans/{w.plan_a1.pk}/edit/", {"phase": "evaluacion", "diagnosis": "Nuevo"}
    )


def stop_sharing(client, w):
    return client.post(f"/pme/plans/{w.plan_a1.pk}/share/", {"shared": "0"})


def edit_action(client, w):
    return client.post(
        f"/pme/actions/{w.action_a1.pk}/edit/",
        {
            "name": "Renombrada",
            "dimension": "liderazgo",
            "start_date": "2025-03-01",
            "end_date": "2025-06-30",
            "status": "planned",
            "progress": 0,
        },
    )


def delete_action(client, w):
    return client.post(f"/pme/actions/{w.action_a1.pk}/delete/")


def copy_plan(client, w):
    return client.post(f"/pme/plans/{w.plan_a1.pk}/copy/")


WRITES = [
    new_action,
    record_progress,
    edit_plan,
    stop_sharing,
    edit_action,
    delete_action,
    copy_plan,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("role", "outcome"), by_role(write_status))
def test_writes_to_a_shared_plan(pme_world, login, write, role, outcome):
    before = plan_state(pme_world.plan_a1)
    plans_before = AnnualPlan.objects.count()
    response = write(login(getattr(pme_world, role)), pme_world)
    if outcome == "ok":
        assert response.status_code == 302, response.content.decode()[:2000]
        changed = (
            plan_state(pme_world.plan_a1) != before or AnnualPlan.objects.count() > plans_before
        )
        assert changed
    else:
        assert response.status_code == outcome
        assert plan_state(pme_world.plan_a1) == before
        assert AnnualPlan.objects.count() == plans_before


@pytest.mark.parametrize(
    ("role", "status"), by_role(lambda role: 302 if role in READERS_A1 else 404)
)
def test_every_reader_may_comment(pme_world, login, role, status):
    response = login(getattr(pme_world, role)).post(
        f"/pme/plans/{pme_world.plan_a1.pk}/comments/", {"body": "¿Cómo va la lectura?"}
    )
    assert response.status_code == status
    assert Comment.objects.filter(plan=pme_world.plan_a1).exists() == (status == 302)


@pytest.mark.parametrize(
    ("role", "status"),
    by_role(lambda role: 302 if role == "rep_a" else 403 if role in READERS_A1 else 404),
)
def test_only_the_sostenedor_approves(pme_world, login, role, status):
    response = login(getattr(pme_world, role)).post(f"/pme/plans/{pme_world.plan_a1.pk}/approve/")
    assert response.status_code == status
    plan = AnnualPlan.objects.get(pk=pme_world.plan_a1.pk)
    if status == 302:
        assert plan.approved_by == pme_world.rep_a and plan.approved_at is not None
    else:
        assert plan.approved_at is None


def test_a_directivo_may_not_create_a_cycle_for_another_school(pme_world, login):
    response = login(pme_world.utp_a2).post(
        "/pme/cycles/new/", {"school": pme_world.a1.rbd, "first_year": 2027, "last_year": 2030}
    )
    assert response.status_code == 200  # the school is not among the choices
    assert "school" in response.context["form"].errors
    assert not pme_world.a1.pme_cycles.filter(first_year=2027).exists()
    assert login(pme_world.supervisor_a).get("/pme/cycles/new/").status_code == 403


# --- dashboards ----------------------------------------------------------------------

DEPROV_72 = {"supervisor_a", "supervisor_deprov", "analyst", "admin"}
REGION_7 = {"supervisor_a", "supervisor_deprov", "analyst", "admin"}
REGION_13 = {"supervisor_b", "analyst", "analyst_rm", "admin"}


@pytest.mark.parametrize(("role", "status"), by_role(read_status(DEPROV_72)))
def test_deprov_dashboard(pme_world, login, role, status):
    assert login(getattr(pme_world, role)).get("/pme/dashboard/deprov/72/").status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(read_status(REGION_7)))
def test_region_dashboard(pme_world, login, role, status):
    assert login(getattr(pme_world, role)).get("/pme/dashboard/region/7/").status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(read_status(REGION_13)))
def test_other_region_dashboard(pme_world, login, role, status):
    assert login(getattr(pme_world, role)).get("/pme/dashboard/region/13/").status_code == status


# --- API -----------------------------------------------------------------------------


def test_api_lists_are_scoped(pme_world, login):
    expected = {
        "director_a": {pme_world.plan_a1.pk},
        "utp_a1": {pme_world.plan_a1.pk},
        "utp_a2": {pme_world.plan_a2.pk},
        "supervisor_a": {pme_world.plan_a1.pk},
        "supervisor_deprov": set(),
        "supervisor_b": {pme_world.plan_b1.pk},
        "rep_a": {pme_world.plan_a1.pk},
        "analyst": set(),
        "admin": {pme_world.plan_a1.pk, pme_world.plan_a2.pk, pme_world.plan_b1.pk},
    }
    for role, plans in expected.items():
        client = login(getattr(pme_world, role))
        listed = {row["id"] for row in client.get("/api/v1/pme/plans/").json()["results"]}
        assert listed == plans, role
        actions = {row["plan"] for row in client.get("/api/v1/pme/actions/").json()["results"]}
        assert actions == plans, role
        cycles = client.get("/api/v1/pme/cycles/").json()["results"]
        assert {row["school"] for row in cycles} == {
            AnnualPlan.objects.get(pk=pk).school_id for pk in plans
        }, role


@pytest.mark.parametrize(("role", "status"), by_role(read_status(READERS_A1)))
def test_api_plan_detail(pme_world, login, role, status):
    client = login(getattr(pme_world, role))
    assert client.get(f"/api/v1/pme/plans/{pme_world.plan_a1.pk}/").status_code == status
    assert client.get(f"/api/v1/pme/actions/{pme_world.action_a1.pk}/").status_code == status


@pytest.mark.parametrize(("role", "outcome"), by_role(write_status))
def test_api_action_update(pme_world, login, role, outcome):
    response = login(getattr(pme_world, role)).patch(
        f"/api/v1/pme/actions/{pme_world.action_a1.pk}/",
        {"progress": 70},
        content_type="application/json",
    )
    action = Action.objects.get(pk=pme_world.action_a1.pk)
    if outcome == "ok":
        assert response.status_code == 200
        assert action.progress == 70
    else:
        assert response.status_code == outcome
        assert action.progress == 0


@pytest.mark.parametrize(
    ("role", "status"), by_role(lambda role: 201 if role in READERS_A1 else 404)
)
def test_api_comments(pme_world, login, role, status):
    response = login(getattr(pme_world, role)).post(
        f"/api/v1/pme/actions/{pme_world.action_a1.pk}/comments/",
        {"body": "Buen trabajo"},
        content_type="application/json",
    )
    assert response.status_code == status


def test_api_updates_with_evidence(pme_world, login):
    client = login(pme_world.utp_a1)
    response = client.post(
        f"/api/v1/pme/actions/{pme_world.action_a1.pk}/updates/",
        {
            "progress": 35,
            "date": "2025-04-10",
            "note": "Primera etapa",
            "evidence": [io.BytesIO(PDF)],
        },
    )
    # A BytesIO has no name: the API answers like the page, naming the field.
    assert response.status_code == 400
    upload = SimpleUploadedFile("lista.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/api/v1/pme/actions/{pme_world.action_a1.pk}/updates/",
        {"progress": 35, "date": "2025-04-10", "note": "Primera etapa", "evidence": [upload]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["progress"] == 35 and body["evidence"][0]["name"] == "lista.pdf"
    listing = client.get(f"/api/v1/pme/actions/{pme_world.action_a1.pk}/updates/").json()
    assert listing["count"] == 1
    assert (
        login(pme_world.supervisor_a)
        .get(f"/api/v1/pme/actions/{pme_world.action_a1.pk}/updates/")
        .status_code
        == 200
    )
    assert (
        login(pme_world.utp_a2)
        .post(
            f"/api/v1/pme/actions/{pme_world.action_a1.pk}/updates/",
            {"progress": 90},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_a_supervisor_of_the_deprov_reads_and_comments_a_schools_pme_once_assigned(
    pme_world, login
):
    """Supervising a network is being assigned to it: a supervisor of the
    DEPROV reads the plans the network's schools share only then."""
    client = login(pme_world.supervisor_deprov)
    assert client.get(f"/pme/plans/{pme_world.plan_a1.pk}/").status_code == 404
    assert client.get(f"/api/v1/pme/plans/{pme_world.plan_a1.pk}/").status_code == 404
    comment = {"body": "¿Cómo va la lectura?"}
    assert client.post(f"/pme/plans/{pme_world.plan_a1.pk}/comments/", comment).status_code == 404
    url = f"/api/v1/pme/actions/{pme_world.action_a1.pk}/comments/"
    assert client.post(url, comment, content_type="application/json").status_code == 404

    MembershipFactory(
        network=pme_world.network_a, user=pme_world.supervisor_deprov, role="supervisor"
    )
    client = login(pme_world.supervisor_deprov)
    assert client.get(f"/pme/plans/{pme_world.plan_a1.pk}/").status_code == 200
    assert client.get(f"/api/v1/pme/plans/{pme_world.plan_a1.pk}/").status_code == 200
    assert client.post(f"/pme/plans/{pme_world.plan_a1.pk}/comments/", comment).status_code == 302
    assert client.post(url, comment, content_type="application/json").status_code == 201
    # The plan a school keeps to itself stays private.
    assert client.get(f"/pme/plans/{pme_world.plan_a2.pk}/").status_code == 404
