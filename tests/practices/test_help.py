"""¿Quién puede ayudarnos? The ranking and reasons on hand-made data, who
is suggested to whom, the fixed number of queries, the panels of the PME
action and plan pages and of the network page, the agenda button and the
API.

The reader's school is a2 (Talca, network A, urban, dependency 6, 300
students, levels 10 and 110), with a delayed action in SUB."""

import pytest
from django.urls import reverse
from django.utils import timezone

from networks.meetings.models import AgendaItem
from networks.practices.help import help_suggestions
from tests.conftest import school_in
from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    MeetingFactory,
    PerformanceCategoryFactory,
    PracticeAdoptionFactory,
    PracticeCommentFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

SUB = "gestion_curricular"
YEAR = timezone.localdate().year


def plan_of(school, shared=True):
    return AnnualPlanFactory(
        cycle__school=school,
        cycle__first_year=YEAR - 1,
        cycle__last_year=YEAR + 1,
        year=YEAR,
        shared_with_network=shared,
    )


def delayed(plan, name="Plan lector atrasado"):
    return ActionFactory(
        plan=plan,
        subdimension_id=SUB,
        name=name,
        start_date=timezone.localdate().replace(month=1, day=1),
        end_date=timezone.localdate().replace(month=1, day=2),
        progress=10,
    )


def done(plan):
    return ActionFactory(plan=plan, subdimension_id=SUB, status="done", progress=100)


@pytest.fixture
def help_world(practice_world):
    w = practice_world
    w.b2 = school_in(13101, name="Escuela Santiago Dos")
    w.p_net = PracticeFactory(school=w.a1, subdimension_id=SUB, title="Lectura en red")
    w.p_deprov = PracticeFactory(
        school=w.c1, subdimension_id=SUB, visibility="deprov", title="Lectura del DEPROV"
    )
    w.p_country = PracticeFactory(
        school=w.b1, subdimension_id=SUB, visibility="all", title="Lectura nacional"
    )
    w.p_hidden = PracticeFactory(school=w.b1, subdimension_id=SUB, title="Lectura oculta")
    w.p_other = PracticeFactory(school=w.a1, subdimension_id="liderazgo_director", title="Otra")
    w.p_own = PracticeFactory(school=w.a2, subdimension_id=SUB, title="Lectura propia")
    PracticeAdoptionFactory(practice=w.p_deprov, school=w.talca_free, stage="adopted")
    PracticeAdoptionFactory(practice=w.p_country, school=w.b2, stage="adopted")
    PracticeAdoptionFactory(practice=w.p_country, school=w.a1, stage="trying")
    PracticeCommentFactory(practice=w.p_country, author=w.director_b)
    w.plan_a2 = plan_of(w.a2)
    w.late = delayed(w.plan_a2)
    w.plan_a1 = plan_of(w.a1)
    done(w.plan_a1)
    return w


def titles(suggestions):
    return [s.title for s in suggestions]


def test_ranking_and_reasons_for_a_directivo(help_world):
    w = help_world
    got = help_suggestions(w.utp_a2, school=w.a2, subdimension=SUB)
    # Own network, then DEPROV, then the country; the practice visible only
    # to network B, another subdimension and a2's own practice are left out;
    # a1's completed action is not named: a directivo reads only own plans.
    assert titles(got) == ["Lectura en red", "Lectura del DEPROV", "Lectura nacional"]
    common = "En común con su establecimiento: zona urbana, un tipo de enseñanza."
    assert [s.reason for s in got] == [
        f"Práctica de un establecimiento de su red. {common}",
        "Práctica de un establecimiento de su departamento provincial. "
        f"La adoptó 1 establecimiento. {common}",
        "Práctica de un establecimiento de otra región. La adoptó 1 establecimiento. "
        f"1 establecimiento la está probando. Tiene 1 comentario. {common}",
    ]
    assert got[2].stages == {"adopted": 1, "trying": 1}


def test_closeness_then_evidence_within_a_reach(help_world):
    w = help_world
    # Another network practice, closer to a2 (same dependency and band).
    close = PracticeFactory(
        school=w.a1, subdimension_id=SUB, title="Lectura cercana", enrollment=300
    )
    # Same closeness as "Lectura en red", but adopted: more evidence.
    adopted = PracticeFactory(school=w.a1, subdimension_id=SUB, title="Lectura probada")
    PracticeAdoptionFactory(practice=adopted, school=w.c1, stage="adopted")
    got = help_suggestions(w.utp_a2, school=w.a2, subdimension=SUB)
    assert titles(got)[:3] == [close.title, adopted.title, "Lectura en red"]
    assert "una matrícula parecida" in got[0].reason


def test_a_supervisor_gets_schools_of_shared_plans_only(help_world):
    w = help_world
    got = help_suggestions(w.supervisor_a, school=w.a2, subdimension=SUB)
    schools = [s for s in got if s.kind == "school"]
    assert [s.school_rbd for s in schools] == [w.a1.pk]
    assert schools[0].reason == (
        "Establecimiento de su red. Completó 1 acción de esta subdimensión en este ciclo. "
        "En común con su establecimiento: un tipo de enseñanza."
    )
    # Ranked within the network after the closer practice.
    assert titles(got)[:2] == ["Lectura en red", w.a1.name]
    w.plan_a1.shared_with_network = False
    w.plan_a1.save()
    got = help_suggestions(w.supervisor_a, school=w.a2, subdimension=SUB)
    assert all(s.kind == "practice" for s in got)


def test_constant_queries(help_world, django_assert_num_queries):
    w = help_world
    for _i in range(5):
        PracticeAdoptionFactory(
            practice=PracticeFactory(school=w.c1, subdimension_id=SUB, visibility="deprov"),
            school=w.b2,
        )
        done(plan_of(school_in(7101)))
    # The reader's networks (the practices they may see); the reader's
    # school; the best practices, ranked in SQL with their counts and
    # schools' context; the completed actions by school; the chosen
    # practices' adoptions by stage.
    with django_assert_num_queries(5):
        help_suggestions(w.supervisor_a, school=w.a2, subdimension=SUB)


def test_the_cut_in_sql_keeps_the_closest_practice(help_world):
    """The practices are ranked and cut in SQL, closeness of context
    included (a shared teaching level, the school's latest category): an
    old practice without evidence that is closer than a crowd of newer,
    adopted ones comes first, and every shorter list is the start of the
    longer one."""
    w = help_world
    old = timezone.now() - timezone.timedelta(days=400)
    same = {"subdimension_id": SUB, "rural": False, "enrollment": 300}
    # a2's latest category is "alto" (2020); d's too; c1's is "medio" (the
    # first level of 2020), though it had "alto" in 2019 and in media.
    d = school_in(7101, name="Escuela Talca Cuatro", dependency=w.c1.dependency)
    for school, rows in (
        (w.a2, [(2019, "basica", "medio"), (2020, "basica", "alto")]),
        (d, [(2019, "basica", "medio"), (2020, "media", "alto")]),
        (w.c1, [(2019, "basica", "alto"), (2020, "basica", "medio"), (2020, "media", "alto")]),
    ):
        for year, level, category in rows:
            PerformanceCategoryFactory(school=school, year=year, level=level, category=category)
    w.p_net.levels = [310]
    w.p_net.save()
    for i in range(6):
        crowd = PracticeFactory(school=w.a1, levels=[310], title=f"Red {i}", **same)
        PracticeAdoptionFactory(practice=crowd, school=w.c1, stage="adopted")
        crowd = PracticeFactory(school=w.c1, levels=[10], visibility="deprov", **same)
        PracticeAdoptionFactory(practice=crowd, school=w.b2, stage="adopted")
    by_level = PracticeFactory(
        school=w.a1, levels=[110], published_at=old, title="Por nivel", **same
    )
    by_category = PracticeFactory(
        school=d, levels=[10], visibility="all", published_at=old, title="Por categoría", **same
    )
    full = help_suggestions(w.utp_a2, school=w.a2, subdimension=SUB, limit=100)
    assert full[0].title == by_level.title
    assert "un tipo de enseñanza" in full[0].reason
    deprov = [s for s in full if s.reach_name == "deprov"]
    assert deprov[0].title == by_category.title
    assert "la misma categoría de desempeño" in deprov[0].reason
    assert all("categoría" not in s.reason for s in deprov[1:])
    for limit in range(1, len(full)):
        got = help_suggestions(w.utp_a2, school=w.a2, subdimension=SUB, limit=limit)
        assert [(s.kind, s.pk) for s in got] == [(s.kind, s.pk) for s in full[:limit]]


def test_action_and_plan_panels(help_world, login):
    w = help_world
    client = login(w.utp_a2)
    page = client.get(reverse("pme:action_detail", args=[w.late.pk]))
    assert reverse("pme:action_help", args=[w.late.pk]) in page.content.decode()
    panel = client.get(reverse("pme:action_help", args=[w.late.pk]))
    assert panel.status_code == 200
    body = panel.content.decode()
    assert "Esta acción está atrasada" in body and "Lectura en red" in body
    assert "Lectura oculta" not in body
    page = client.get(reverse("pme:plan_detail", args=[w.plan_a2.pk]))
    assert reverse("pme:plan_help", args=[w.plan_a2.pk]) in page.content.decode()
    panel = client.get(reverse("pme:plan_help", args=[w.plan_a2.pk]))
    assert "Lectura del DEPROV" in panel.content.decode()
    other = client.get(reverse("pme:plan_help", args=[w.plan_a2.pk]) + "?subdimension=x")
    assert "Elija una subdimensión" in other.content.decode()
    # Someone who may not read the plan: 404.
    assert login(w.director_b).get(reverse("pme:action_help", args=[w.late.pk])).status_code == 404


def test_a_late_action_with_nobody_to_help_does_not_promise_help(help_world, login):
    """With no practice or school to suggest, the panel of a late action says
    it is late and that nobody can help yet, not "these can help:"."""
    w = help_world
    lonely = delayed(w.plan_a2, name="Acción sin ayuda")
    lonely.subdimension_id = "liderazgo_sostenedor"
    lonely.save(update_fields=["subdimension"])
    body = login(w.utp_a2).get(reverse("pme:action_help", args=[lonely.pk])).content.decode()
    assert "Esta acción está atrasada." in body and "Aún no hay prácticas" in body
    assert "pueden ayudar:" not in body
    body = login(w.utp_a2).get(reverse("pme:action_help", args=[w.late.pk])).content.decode()
    assert "pueden ayudar:" in body


def test_the_plan_panel_reads_the_catalogue_from_the_cache(
    help_world, login, django_capture_on_commit_callbacks
):
    """The subdimensions offered by the plan panel are cached under the
    catalogue's version: read once, and shown anew after a write to a
    subdimension or a dimension (the admin), after a migration's write
    through its historical models, and after each migrate."""
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.models.signals import post_migrate
    from django.test.utils import CaptureQueriesContext

    from pme.models import Dimension, Subdimension

    w = help_world
    client = login(w.utp_a2)
    url = reverse("pme:plan_help", args=[w.plan_a2.pk]) + f"?subdimension={SUB}"

    def option():
        body = client.get(url).content.decode()
        return body.split(f'<option value="{SUB}" selected>')[1].split("</option>")[0]

    first = option()
    assert first.endswith(" · Gestión curricular")
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert not any("pme_subdimension" in q["sql"] for q in cached.captured_queries)
    # Another table's write leaves it cached.
    with django_capture_on_commit_callbacks(execute=True):
        PracticeFactory(school=w.a1, subdimension_id=SUB)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert not any("pme_subdimension" in q["sql"] for q in cached.captured_queries)
    sub = Subdimension.objects.get(pk=SUB)
    with django_capture_on_commit_callbacks(execute=True):
        sub.name = "Currículum renovado"
        sub.save()
    assert option().endswith(" · Currículum renovado")
    with django_capture_on_commit_callbacks(execute=True):
        Dimension.objects.filter(pk=sub.dimension_id).get().save()  # unchanged
        dimension = sub.dimension
        dimension.name = "Pedagogía"
        dimension.save()
    assert option() == "Pedagogía · Currículum renovado"
    # A migration writes through historical models (pme.catalog.load_catalog).
    historical = MigrationLoader(connection).project_state().apps.get_model("pme", "Subdimension")
    assert historical is not Subdimension
    with django_capture_on_commit_callbacks(execute=True):
        historical.objects.filter(pk=SUB).update(name="Por migración")  # bulk: no signal
    assert option() == "Pedagogía · Currículum renovado"  # still cached
    with django_capture_on_commit_callbacks(execute=True):
        row = historical.objects.get(pk=SUB)
        row.name = "Por migración"
        row.save()
    assert option() == "Pedagogía · Por migración"
    # Whatever a migration wrote in bulk: migrate's end invalidates it.
    Subdimension.objects.filter(pk=SUB).update(name="En bloque")
    with django_capture_on_commit_callbacks(execute=True):
        pme = global_apps.get_app_config("pme")
        post_migrate.send(sender=pme, app_config=pme, verbosity=0, using="default")
    assert option() == "Pedagogía · En bloque"


def test_network_panel_and_agenda_button(help_world, login):
    w = help_world
    client = login(w.supervisor_a)
    url = reverse("networks:help_panel", args=[w.network_a.code])
    body = client.get(url).content.decode()
    assert "Gestión curricular" in body and "La red no tiene una reunión convocada" in body
    assert "Proponer para la tabla" not in body
    meeting = MeetingFactory(network=w.network_a)
    body = client.get(url).content.decode()
    assert "Proponer para la tabla" in body and "Lectura en red" in body
    agenda = reverse("networks:help_agenda", args=[w.network_a.code])
    response = client.post(agenda, {"subdimension": SUB})
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.title == "¿Quién puede ayudarnos? Gestión curricular"
    assert "Lectura en red" in item.description
    assert "En la tabla" in client.get(url).content.decode()
    # A directivo of the network: no panel and no button.
    member = login(w.director_a)
    assert member.get(url).content == b""
    assert member.post(agenda, {"subdimension": SUB}).status_code == 403


def test_api(help_world, login):
    w = help_world
    client = login(w.utp_a2)
    url = "/api/v1/practices/help/"
    data = client.get(url, {"school": w.a2.pk, "subdimension": SUB}).json()
    assert [row["title"] for row in data] == [
        "Lectura en red",
        "Lectura del DEPROV",
        "Lectura nacional",
    ]
    assert data[0]["reach"] == "network" and data[0]["reason"].startswith("Práctica")
    assert client.get(url, {"action": w.late.pk}).json()[0]["title"] == "Lectura en red"
    assert client.get(url, {"school": w.b1.pk, "subdimension": SUB}).status_code == 404
    assert client.get(url, {"school": w.a2.pk}).status_code == 400
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/practices/help/" in schema
