"""The rules of PMEs, through the services (which the pages, the API and the
commands share): bad input is refused with a translated message naming the
field, and nothing changes."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pme import services
from pme.models import Action, ActionStatus, AnnualPlan, Comment, FundingLine, Phase
from tests.factories import ActionFactory, ATEProviderFactory, FundingLineFactory

from .conftest import day

pytestmark = pytest.mark.django_db


def create(w, **overrides):
    fields = {
        "name": "Tutorías de lectura",
        "dimension": "gestion_pedagogica",
        "start_date": day(4, 1),
        "end_date": day(9, 30),
        "funding": {"sep": 1_200_000},
    }
    fields.update(overrides)
    return services.create_action(by=w.director_a, plan=w.plan_a1, **fields)


def refused(w, field, fragment, **overrides):
    before = (Action.objects.count(), FundingLine.objects.count())
    with pytest.raises(ValidationError) as caught:
        create(w, **overrides)
    assert field in caught.value.message_dict, caught.value.message_dict
    assert fragment in " ".join(caught.value.message_dict[field])
    assert (Action.objects.count(), FundingLine.objects.count()) == before


def test_an_action_with_funding_lines(pme_world):
    action = create(pme_world, funding={"sep": 1_200_000, "pie": 300_000, "faep": 0})
    assert action.status == ActionStatus.PLANNED and action.progress == 0
    assert dict(action.funding.values_list("source", "amount")) == {
        "sep": 1_200_000,
        "pie": 300_000,
    }
    assert action.total_funding == 1_500_000


@pytest.mark.parametrize(
    ("field", "fragment", "overrides"),
    [
        ("end_date", "anterior a la de inicio", {"end_date": day(3, 1)}),
        ("start_date", "dentro del año del plan (2025)", {"start_date": day(12, 1, 2024)}),
        ("end_date", "dentro del año del plan (2025)", {"end_date": day(1, 15, 2026)}),
        ("progress", "entre 0 y 100", {"progress": 101}),
        ("progress", "entre 0 y 100", {"progress": -1}),
        ("progress", "número entero", {"progress": 12.5}),
        ("funding_sep", "negativo", {"funding": {"sep": -100}}),
        ("funding_sep", "sin decimales", {"funding": {"sep": 1500.5}}),
        ("funding_pie", "sin decimales", {"funding": {"pie": "mil"}}),
        ("funding", "fuente de financiamiento", {"funding": {"bono": 10}}),
        ("name", "nombre", {"name": "  "}),
        ("status", "se calcula", {"status": "delayed"}),
        ("subdimension", "no pertenece", {"subdimension": "convivencia"}),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(pme_world, field, fragment, overrides):
    refused(pme_world, field, fragment, **overrides)


def test_a_strategy_of_another_cycle_is_refused(pme_world):
    from pme.models import StrategicObjective, Strategy

    objective = StrategicObjective.objects.create(
        cycle=pme_world.plan_b1.cycle, dimension_id="liderazgo", text="Otro"
    )
    strategy = Strategy.objects.create(objective=objective, text="Ajena")
    refused(pme_world, "strategy", "ciclo", strategy=strategy)


def test_another_schools_plan_cannot_be_edited(pme_world):
    before = Action.objects.filter(plan=pme_world.plan_a1).count()
    with pytest.raises(PermissionDenied, match="directivos del establecimiento"):
        services.create_action(
            by=pme_world.director_b,
            plan=pme_world.plan_a1,
            name="Intrusa",
            dimension="liderazgo",
            start_date=day(3, 1),
            end_date=day(4, 1),
        )
    with pytest.raises(PermissionDenied):
        services.record_progress(by=pme_world.supervisor_a, action=pme_world.action_a1, progress=50)
    with pytest.raises(PermissionDenied):
        services.update_plan(by=pme_world.rep_a, plan=pme_world.plan_a1, phase=Phase.CLOSED)
    assert Action.objects.filter(plan=pme_world.plan_a1).count() == before
    assert AnnualPlan.objects.get(pk=pme_world.plan_a1.pk).phase == Phase.IMPLEMENTATION


def test_a_closed_plan_cannot_change(pme_world):
    services.update_plan(by=pme_world.director_a, plan=pme_world.plan_a1, phase=Phase.CLOSED)
    attempts = [
        lambda: create(pme_world),
        lambda: services.update_action(
            by=pme_world.director_a, action=pme_world.action_a1, progress=50
        ),
        lambda: services.record_progress(
            by=pme_world.director_a, action=pme_world.action_a1, progress=50
        ),
        lambda: services.delete_action(by=pme_world.director_a, action=pme_world.action_a1),
        lambda: services.update_plan(
            by=pme_world.director_a, plan=pme_world.plan_a1, phase=Phase.EVALUATION
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "está cerrado" in caught.value.message_dict["phase"][0]
    action = Action.objects.get(pk=pme_world.action_a1.pk)
    assert action.progress == 0 and Action.objects.filter(plan=pme_world.plan_a1).count() == 1


def test_progress_updates_move_the_action(pme_world):
    action = pme_world.action_a1
    services.record_progress(
        by=pme_world.utp_a1, action=action, progress=40, date=day(4, 15), note="Mitad"
    )
    action.refresh_from_db()
    assert (action.progress, action.status) == (40, ActionStatus.IN_PROGRESS)
    services.record_progress(by=pme_world.utp_a1, action=action, progress=100, date=day(6, 1))
    action.refresh_from_db()
    assert (action.progress, action.status) == (100, ActionStatus.DONE)
    assert list(action.updates.values_list("progress", flat=True)) == [100, 40]
    plan = AnnualPlan.objects.get(pk=pme_world.plan_a1.pk)
    assert plan.last_activity_at > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"progress": 140}, "progress"),
        ({"progress": 50, "date": timezone.localdate() + datetime.timedelta(days=2)}, "date"),
        ({"progress": 50, "date": day(12, 31, 2024)}, "date"),
    ],
)
def test_bad_progress_updates(pme_world, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        services.record_progress(by=pme_world.utp_a1, action=pme_world.action_a1, **kwargs)
    assert field in caught.value.message_dict
    assert pme_world.action_a1.updates.count() == 0


def test_evidence_of_a_wrong_type_is_refused_before_anything_is_written(pme_world):
    fake = SimpleUploadedFile("acta.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.record_progress(
            by=pme_world.utp_a1, action=pme_world.action_a1, progress=20, files=[fake]
        )
    assert "no corresponde" in caught.value.message_dict["evidence"][0]
    assert pme_world.action_a1.updates.count() == 0


def test_delayed_is_computed_and_never_stored(pme_world):
    late = ActionFactory(
        plan=pme_world.plan_a1, start_date=day(3, 1), end_date=day(4, 30), progress=60
    )
    done = ActionFactory(
        plan=pme_world.plan_a1, end_date=day(4, 30), progress=100, status=ActionStatus.DONE
    )
    cancelled = ActionFactory(
        plan=pme_world.plan_a1, end_date=day(4, 30), progress=10, status=ActionStatus.CANCELLED
    )
    today = datetime.date(2025, 6, 1)
    states = dict(
        Action.objects.filter(plan=pme_world.plan_a1).with_state(today).values_list("pk", "state")
    )
    assert states[late.pk] == ActionStatus.DELAYED
    assert states[done.pk] == ActionStatus.DONE
    assert states[cancelled.pk] == ActionStatus.CANCELLED
    # Before its end date the same action is simply planned.
    early = Action.objects.with_state(datetime.date(2025, 4, 1)).get(pk=late.pk)
    assert early.state == ActionStatus.PLANNED
    assert Action.objects.get(pk=late.pk).status == ActionStatus.PLANNED
    assert set(Action.objects.in_state("delayed", today).values_list("pk", flat=True)) >= {late.pk}


def test_copy_last_years_plan_as_next_years_draft(pme_world):
    provider = ATEProviderFactory()
    action = pme_world.action_a1
    action.progress, action.status, action.ate_provider = 80, ActionStatus.IN_PROGRESS, provider
    action.save()
    FundingLineFactory(action=action, source="pie", amount=250_000)
    services.record_progress(by=pme_world.director_a, action=action, progress=90, date=day(5, 1))
    new = services.copy_plan_to_next_year(by=pme_world.director_a, plan=pme_world.plan_a1)
    assert (new.year, new.phase, new.shared_with_network) == (2026, Phase.DIAGNOSIS, False)
    (copy,) = new.actions.all()
    assert copy.name == action.name and copy.ate_provider == provider
    assert (copy.start_date, copy.end_date) == (day(3, 1, 2026), day(6, 30, 2026))
    assert (copy.progress, copy.status) == (0, ActionStatus.PLANNED)
    assert dict(copy.funding.values_list("source", "amount")) == {
        "sep": 1_500_000,
        "pie": 250_000,
    }
    assert copy.updates.count() == 0
    # The original is untouched; a second copy is refused.
    assert Action.objects.get(pk=action.pk).progress == 90
    with pytest.raises(ValidationError, match="ya tiene un plan anual 2026"):
        services.copy_plan_to_next_year(by=pme_world.director_a, plan=pme_world.plan_a1)


def test_copy_needs_a_cycle_covering_next_year(pme_world):
    plan_2026 = services.copy_plan_to_next_year(by=pme_world.director_a, plan=pme_world.plan_a1)
    with pytest.raises(ValidationError, match="Ningún ciclo"):
        services.copy_plan_to_next_year(by=pme_world.director_a, plan=plan_2026)


def test_cycles_and_plans(pme_world):
    cycle = pme_world.plan_a1.cycle
    with pytest.raises(ValidationError, match="a lo más cuatro años"):
        services.create_cycle(
            by=pme_world.director_a, school=pme_world.a1, first_year=2027, last_year=2031
        )
    with pytest.raises(ValidationError, match="se superpone"):
        services.create_cycle(
            by=pme_world.director_a, school=pme_world.a1, first_year=2026, last_year=2029
        )
    with pytest.raises(ValidationError, match="no pertenece al ciclo"):
        services.create_plan(by=pme_world.director_a, cycle=cycle, year=2027)
    with pytest.raises(ValidationError, match="ya tiene un plan anual 2025"):
        services.create_plan(by=pme_world.director_a, cycle=cycle, year=2025)
    with pytest.raises(ValidationError, match="quedaría fuera"):
        services.update_cycle(by=pme_world.director_a, cycle=cycle, first_year=2026)
    nxt = services.create_cycle(
        by=pme_world.director_a, school=pme_world.a1, first_year=2027, last_year=2030
    )
    assert nxt.years == range(2027, 2031)
    plan = services.create_plan(by=pme_world.utp_a1, cycle=nxt, year=2027)
    assert plan.school == pme_world.a1 and plan.phase == Phase.DIAGNOSIS


def test_approval_records_who_and_when_once(pme_world):
    services.approve_plan(by=pme_world.rep_a, plan=pme_world.plan_a1)
    plan = AnnualPlan.objects.get(pk=pme_world.plan_a1.pk)
    assert plan.approved_by == pme_world.rep_a
    assert plan.approved_at > timezone.now() - datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="ya fue aprobado"):
        services.approve_plan(by=pme_world.rep_a, plan=pme_world.plan_a1)
    with pytest.raises(PermissionDenied):
        services.approve_plan(by=pme_world.rep_b, plan=pme_world.plan_a1)
    # An unshared plan is not even readable by the sostenedor.
    with pytest.raises(PermissionDenied):
        services.approve_plan(by=pme_world.rep_a, plan=pme_world.plan_a2)


def test_a_readers_comment_is_emailed_to_the_school(pme_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.add_comment(
            by=pme_world.supervisor_a,
            plan=pme_world.plan_a1,
            action=pme_world.action_a1,
            body="¿Podemos revisar esta acción en la próxima reunión?",
        )
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([pme_world.director_a.email, pme_world.utp_a1.email])
    message = mail.outbox[0]
    assert "PME 2025" in message.subject and "Escuela Talca Uno" in message.subject
    assert message.subject.startswith("[RME] Nuevo comentario en el PME")  # as every email
    assert "revisar esta acción" in message.body
    assert f"/pme/actions/{pme_world.action_a1.pk}/" in message.body
    assert Comment.objects.get(pk=comment.pk).notified_at is not None
    # The task is idempotent: running it again sends nothing.
    from pme.tasks import notify_comment

    assert notify_comment(comment.pk) == 0
    assert len(mail.outbox) == 2


def test_the_schools_own_comment_notifies_nobody(pme_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(by=pme_world.director_a, plan=pme_world.plan_a1, body="Respondemos.")
    assert mail.outbox == []


def test_comments_need_a_body_and_a_matching_action(pme_world):
    with pytest.raises(ValidationError) as caught:
        services.add_comment(by=pme_world.supervisor_a, plan=pme_world.plan_a1, body="  ")
    assert "body" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.add_comment(
            by=pme_world.supervisor_a,
            plan=pme_world.plan_a1,
            action=pme_world.action_b1,
            body="Hola",
        )
    with pytest.raises(PermissionDenied):
        services.add_comment(by=pme_world.supervisor_b, plan=pme_world.plan_a1, body="Hola")
    assert Comment.objects.count() == 0


def test_sharing_opens_the_plan_to_its_readers(pme_world):
    from pme.permissions import can_view_plan

    assert not can_view_plan(pme_world.supervisor_a, pme_world.plan_a2)
    services.set_plan_sharing(by=pme_world.utp_a2, plan=pme_world.plan_a2, shared=True)
    assert can_view_plan(pme_world.supervisor_a, pme_world.plan_a2)
    assert can_view_plan(pme_world.utp_a2, pme_world.plan_a2)
    assert not can_view_plan(pme_world.director_a, pme_world.plan_a2)  # peers read rollups only
    with pytest.raises(PermissionDenied):
        services.set_plan_sharing(by=pme_world.supervisor_a, plan=pme_world.plan_a2, shared=False)
