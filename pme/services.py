"""Operations that change PMEs. Views, the API, the commands and the demo
call these; each checks who acts (`by`; None means the system: a management
command or the demo seeder), validates, runs atomically and raises
ValidationError with a translated message naming the field, or
PermissionDenied when the person may not change the plan."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rme_platform import audit, outbox
from rme_platform.files import validate_upload

from . import permissions
from .cache import bump_pme_for_plan
from .models import (
    SETTABLE_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    AnnualPlan,
    Comment,
    Dimension,
    DimensionAssessment,
    Evidence,
    FundingLine,
    FundingSource,
    Phase,
    PMECycle,
    StrategicGoal,
    StrategicObjective,
    Strategy,
    Subdimension,
)
from .tasks import notify_comment

MIN_YEAR, MAX_YEAR = 2008, 2100  # the SEP law dates from 2008
MAX_CYCLE_YEARS = 4
MAX_COMMENT_LENGTH = 5000
ACTION_FIELDS = {
    "name",
    "description",
    "dimension",
    "subdimension",
    "strategy",
    "start_date",
    "end_date",
    "responsible",
    "resources",
    "ate_provider",
    "verification_means",
    "status",
    "progress",
    "funding",
}


# --- checks ----------------------------------------------------------------------


def _require_school_editor(by, school_id):
    if by is not None and not permissions.can_edit_school(by, school_id):
        raise PermissionDenied(
            _("Solo los directivos del establecimiento pueden modificar su PME.")
        )


def _require_open(plan):
    if plan.is_closed:
        raise ValidationError(
            {
                "phase": _("El plan %(year)s está cerrado: ya no se puede modificar.")
                % {"year": plan.year}
            }
        )


def _require_plan_editor(by, plan):
    _require_school_editor(by, plan.school_id)
    _require_open(plan)


def _year(value, field):
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Indique un año válido.")}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                field: _("El año debe estar entre %(min)s y %(max)s.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            }
        )
    return year


def _integer(value):
    """An int from an int, an integral float or a string of digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value if isinstance(value, int) else None


def _progress(value, field="progress"):
    number = _integer(value)
    if number is None:
        raise ValidationError({field: _("El avance debe ser un número entero entre 0 y 100.")})
    if not 0 <= number <= 100:
        raise ValidationError({field: _("El avance debe estar entre 0 y 100 %.")})
    return number


def clean_amount(value, field):
    """An amount in whole pesos: a non-negative integer."""
    number = _integer(value)
    if number is None:
        raise ValidationError(
            {field: _("El monto debe ser un número entero de pesos, sin decimales.")}
        )
    if number < 0:
        raise ValidationError({field: _("El monto no puede ser negativo.")})
    return number


def _clean_funding(funding):
    """{source: amount} with valid sources and amounts; zero amounts dropped."""
    if funding is None:
        return None
    if not isinstance(funding, dict):
        raise ValidationError({"funding": _("Indique el financiamiento como montos por fuente.")})
    clean = {}
    for source, amount in funding.items():
        if source not in FundingSource.values:
            raise ValidationError(
                {
                    "funding": _(
                        "«%(source)s» no es una fuente de financiamiento; use %(sources)s."
                    )
                    % {"source": source, "sources": ", ".join(FundingSource.values)}
                }
            )
        if amount in (None, ""):
            continue
        value = clean_amount(amount, f"funding_{source}")
        if value:
            clean[source] = value
    return clean


def _date(value, field):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: _("Indique una fecha válida (AAAA-MM-DD).")})


def _touch(plan):
    """Record activity on the plan (for "not updated in 60 days")."""
    now = timezone.now()
    AnnualPlan.objects.filter(pk=plan.pk).update(last_activity_at=now)
    plan.last_activity_at = now
    bump_pme_for_plan(plan)  # update() sends no post_save


# --- cycles ------------------------------------------------------------------------


def _clean_cycle_years(school, first_year, last_year, exclude=None):
    first_year = _year(first_year, "first_year")
    last_year = _year(last_year, "last_year")
    if last_year < first_year:
        raise ValidationError(
            {"last_year": _("El último año no puede ser anterior al primer año del ciclo.")}
        )
    if last_year - first_year + 1 > MAX_CYCLE_YEARS:
        raise ValidationError(
            {"last_year": _("Un ciclo de mejoramiento dura a lo más cuatro años.")}
        )
    overlapping = PMECycle.objects.filter(
        school=school, first_year__lte=last_year, last_year__gte=first_year
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    other = overlapping.first()
    if other is not None:
        raise ValidationError(
            {
                "first_year": _(
                    "El establecimiento ya tiene un ciclo %(first)s–%(last)s que se superpone."
                )
                % {"first": other.first_year, "last": other.last_year}
            }
        )
    return first_year, last_year


def create_cycle(
    *, by, school, first_year, last_year, pei_vision="", pei_mission="", pei_sellos=""
):
    """Create the school's strategic phase (at most four years, not
    overlapping another cycle of the school)."""
    _require_school_editor(by, school.pk)
    with transaction.atomic():
        first_year, last_year = _clean_cycle_years(school, first_year, last_year)
        return PMECycle.objects.create(
            school=school,
            first_year=first_year,
            last_year=last_year,
            pei_vision=pei_vision or "",
            pei_mission=pei_mission or "",
            pei_sellos=pei_sellos or "",
        )


def update_cycle(*, by, cycle, **fields):
    """Change the PEI summary or the years (the cycle's plans must stay inside)."""
    _require_school_editor(by, cycle.school_id)
    allowed = {"first_year", "last_year", "pei_vision", "pei_mission", "pei_sellos"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("Campos no modificables: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        first = fields.get("first_year", cycle.first_year)
        last = fields.get("last_year", cycle.last_year)
        first, last = _clean_cycle_years(cycle.school, first, last, exclude=cycle)
        outside = cycle.plans.exclude(year__gte=first, year__lte=last).order_by("year").first()
        if outside is not None:
            raise ValidationError(
                {
                    "first_year": _("El plan %(year)s quedaría fuera del ciclo; ajuste los años.")
                    % {"year": outside.year}
                }
            )
        cycle.first_year, cycle.last_year = first, last
        for key in ("pei_vision", "pei_mission", "pei_sellos"):
            if key in fields:
                setattr(cycle, key, fields[key] or "")
        cycle.save()
    return cycle


def save_assessments(*, by, cycle, texts):
    """Write the self-assessment of each dimension given ({code: text})."""
    _require_school_editor(by, cycle.school_id)
    dimensions = {d.code: d for d in Dimension.objects.all()}
    with transaction.atomic():
        for code, text in texts.items():
            if code not in dimensions:
                raise ValidationError({"dimension": _("Dimensión no válida.")})
            DimensionAssessment.objects.update_or_create(
                cycle=cycle, dimension=dimensions[code], defaults={"text": text or ""}
            )


def add_objective(*, by, cycle, dimension, text):
    _require_school_editor(by, cycle.school_id)
    if not (text or "").strip():
        raise ValidationError({"text": _("Escriba el objetivo estratégico.")})
    if dimension is None:
        raise ValidationError({"dimension": _("Elija la dimensión del objetivo.")})
    return StrategicObjective.objects.create(cycle=cycle, dimension=dimension, text=text.strip())


def remove_objective(*, by, objective):
    """Delete an objective with its goals and strategies (actions keep
    existing, without a strategy)."""
    _require_school_editor(by, objective.cycle.school_id)
    objective.delete()


def add_goal(*, by, objective, indicator, target, baseline=None, unit=""):
    _require_school_editor(by, objective.cycle.school_id)
    if not (indicator or "").strip():
        raise ValidationError({"indicator": _("Escriba el indicador de la meta.")})
    if target is None:
        raise ValidationError({"target": _("Indique el valor de la meta.")})
    return StrategicGoal.objects.create(
        objective=objective,
        indicator=indicator.strip(),
        baseline=baseline,
        target=target,
        unit=(unit or "").strip(),
    )


def remove_goal(*, by, goal):
    _require_school_editor(by, goal.objective.cycle.school_id)
    goal.delete()


def add_strategy(*, by, objective, text):
    _require_school_editor(by, objective.cycle.school_id)
    if not (text or "").strip():
        raise ValidationError({"text": _("Escriba la estrategia.")})
    return Strategy.objects.create(objective=objective, text=text.strip())


def remove_strategy(*, by, strategy):
    _require_school_editor(by, strategy.objective.cycle.school_id)
    strategy.delete()


# --- annual plans --------------------------------------------------------------------


def create_plan(*, by, cycle, year, diagnosis=""):
    """Start the annual plan of a year of the cycle (one per school and year)."""
    _require_school_editor(by, cycle.school_id)
    year = _year(year, "year")
    if not cycle.first_year <= year <= cycle.last_year:
        raise ValidationError(
            {
                "year": _("El año %(year)s no pertenece al ciclo %(first)s–%(last)s.")
                % {"year": year, "first": cycle.first_year, "last": cycle.last_year}
            }
        )
    with transaction.atomic():
        if AnnualPlan.objects.filter(school_id=cycle.school_id, year=year).exists():
            raise ValidationError(
                {"year": _("El establecimiento ya tiene un plan anual %(year)s.") % {"year": year}}
            )
        return AnnualPlan.objects.create(
            cycle=cycle, school_id=cycle.school_id, year=year, diagnosis=diagnosis or ""
        )


def update_plan(*, by, plan, phase=None, diagnosis=None):
    """Move the plan to another phase or rewrite its diagnosis. A closed
    plan cannot change any more."""
    _require_plan_editor(by, plan)
    if phase is not None and phase not in Phase.values:
        raise ValidationError({"phase": _("Fase no válida.")})
    with transaction.atomic():
        if phase is not None:
            plan.phase = phase
        if diagnosis is not None:
            plan.diagnosis = diagnosis
        plan.last_activity_at = timezone.now()
        plan.save(update_fields=["phase", "diagnosis", "last_activity_at"])
    return plan


def set_plan_sharing(*, by, plan, shared):
    """Share (or stop sharing) the plan's progress with the school's networks:
    their supervisors and the sostenedor's representatives then read it."""
    _require_school_editor(by, plan.school_id)
    AnnualPlan.objects.filter(pk=plan.pk).update(shared_with_network=bool(shared))
    plan.shared_with_network = bool(shared)
    bump_pme_for_plan(plan)  # update() sends no post_save
    return plan


def approve_plan(*, by, plan):
    """Record that the sostenedor approves the plan (who and when). Only a
    representative of the school's sostenedor may; approving twice is refused."""
    if not permissions.can_approve(by, plan):
        raise PermissionDenied(
            _("Solo un representante del sostenedor del establecimiento puede aprobar el plan.")
        )
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.approved_at is not None:
            raise ValidationError(
                {
                    "approved_at": _("El plan %(year)s ya fue aprobado por el sostenedor.")
                    % {"year": plan.year}
                }
            )
        plan.approved_by, plan.approved_at = by, timezone.now()
        plan.save(update_fields=["approved_by", "approved_at"])
        audit.record(by, "pme.plan_approved", plan, school=plan.school_id)
    return plan


def _shift_year(day, years=1):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def copy_plan_to_next_year(*, by, plan):
    """Draft next year's plan from this one: the actions are carried with
    their dates moved one year, their funding and provider, progress reset
    to 0 and status planned. Needs a cycle covering next year and no plan
    for it yet. Atomic; returns the new plan."""
    _require_school_editor(by, plan.school_id)
    year = plan.year + 1
    with transaction.atomic():
        if AnnualPlan.objects.filter(school_id=plan.school_id, year=year).exists():
            raise ValidationError(
                {"year": _("El establecimiento ya tiene un plan anual %(year)s.") % {"year": year}}
            )
        cycle = PMECycle.objects.filter(
            school_id=plan.school_id, first_year__lte=year, last_year__gte=year
        ).first()
        if cycle is None:
            raise ValidationError(
                {
                    "year": _(
                        "Ningún ciclo del establecimiento incluye el año %(year)s: cree primero "
                        "el ciclo siguiente."
                    )
                    % {"year": year}
                }
            )
        new = AnnualPlan.objects.create(cycle=cycle, school_id=plan.school_id, year=year)
        originals = list(plan.actions.prefetch_related("funding").order_by("pk"))
        copies = [
            Action(
                plan=new,
                dimension_id=a.dimension_id,
                subdimension_id=a.subdimension_id,
                strategy_id=a.strategy_id if cycle.pk == plan.cycle_id else None,
                name=a.name,
                description=a.description,
                start_date=_shift_year(a.start_date),
                end_date=_shift_year(a.end_date),
                responsible=a.responsible,
                resources=a.resources,
                ate_provider_id=a.ate_provider_id,
                verification_means=a.verification_means,
            )
            for a in originals
        ]
        Action.objects.bulk_create(copies)
        FundingLine.objects.bulk_create(
            [
                FundingLine(action=copy, source=line.source, amount=line.amount)
                for original, copy in zip(originals, copies, strict=True)
                for line in original.funding.all()
            ]
        )
        bump_pme_for_plan(new)  # bulk_create() sends no post_save
    return new


# --- actions -------------------------------------------------------------------------


def _clean_action(plan, data):
    """Validate action fields (a complete set) against the plan; returns the
    cleaned dict. Raises ValidationError naming the first field in error."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Escriba el nombre de la acción.")})
    if len(name) > 300:
        raise ValidationError({"name": _("El nombre admite hasta 300 caracteres.")})
    dimension = data.get("dimension")
    if isinstance(dimension, str):
        dimension = Dimension.objects.filter(code=dimension).first()
    if dimension is None:
        raise ValidationError({"dimension": _("Elija la dimensión de la acción.")})
    subdimension = data.get("subdimension")
    if isinstance(subdimension, str):
        subdimension = (
            Subdimension.objects.filter(code=subdimension).first() if subdimension else None
        )
    if subdimension is not None and subdimension.dimension_id != dimension.code:
        raise ValidationError(
            {
                "subdimension": _(
                    "La subdimensión «%(sub)s» no pertenece a la dimensión «%(dim)s»."
                )
                % {"sub": subdimension, "dim": dimension}
            }
        )
    strategy = data.get("strategy")
    if strategy is not None and strategy.objective.cycle_id != plan.cycle_id:
        raise ValidationError(
            {"strategy": _("La estrategia debe ser del ciclo de mejoramiento de este plan.")}
        )
    start = _date(data.get("start_date"), "start_date")
    end = _date(data.get("end_date"), "end_date")
    if start.year != plan.year:
        raise ValidationError(
            {
                "start_date": _("La acción debe comenzar dentro del año del plan (%(year)s).")
                % {"year": plan.year}
            }
        )
    if end.year != plan.year:
        raise ValidationError(
            {
                "end_date": _("La acción debe terminar dentro del año del plan (%(year)s).")
                % {"year": plan.year}
            }
        )
    if end < start:
        raise ValidationError(
            {"end_date": _("La fecha de término no puede ser anterior a la de inicio.")}
        )
    status = data.get("status") or ActionStatus.PLANNED
    if status == ActionStatus.DELAYED:
        raise ValidationError(
            {
                "status": _(
                    "«Atrasada» no se elige: se calcula cuando pasa la fecha de término sin "
                    "completar la acción."
                )
            }
        )
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": _("Estado no válido.")})
    progress = _progress(0 if data.get("progress") in (None, "") else data["progress"])
    if status == ActionStatus.DONE:
        progress = 100
    elif progress == 100 and status != ActionStatus.CANCELLED:
        status = ActionStatus.DONE
    elif progress > 0 and status == ActionStatus.PLANNED:
        status = ActionStatus.IN_PROGRESS
    provider = data.get("ate_provider")
    return {
        "name": name,
        "description": data.get("description") or "",
        "dimension": dimension,
        "subdimension": subdimension,
        "strategy": strategy,
        "start_date": start,
        "end_date": end,
        "responsible": (data.get("responsible") or "").strip()[:200],
        "resources": data.get("resources") or "",
        "ate_provider": provider,
        "verification_means": data.get("verification_means") or "",
        "status": status,
        "progress": progress,
    }


def _write_funding(action, funding):
    FundingLine.objects.filter(action=action).exclude(source__in=list(funding)).delete()
    for source, amount in funding.items():
        FundingLine.objects.update_or_create(
            action=action, source=source, defaults={"amount": amount}
        )


def create_action(*, by, plan, funding=None, **fields):
    """Add an action to an open plan. Its dates must fall within the plan's
    year, end after start; funding is {source: whole pesos ≥ 0}."""
    _require_plan_editor(by, plan)
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValidationError(
            _("Campos desconocidos: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    data = _clean_action(plan, fields)
    funding = _clean_funding(funding) or {}
    with transaction.atomic():
        action = Action.objects.create(plan=plan, **data)
        _write_funding(action, funding)
        _touch(plan)
    return action


def action_values(action):
    """The action's editable fields but funding, in a new dict: what update_action
    starts from and the edit form shows."""
    return {
        "name": action.name,
        "description": action.description,
        "dimension": action.dimension,
        "subdimension": action.subdimension,
        "strategy": action.strategy,
        "start_date": action.start_date,
        "end_date": action.end_date,
        "responsible": action.responsible,
        "resources": action.resources,
        "ate_provider": action.ate_provider,
        "verification_means": action.verification_means,
        "status": action.status,
        "progress": action.progress,
    }


def update_action(*, by, action, funding=None, **fields):
    """Change some fields of an action (funding, when given, replaces all
    its lines). Same rules as create_action."""
    plan = action.plan
    _require_plan_editor(by, plan)
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValidationError(
            _("Campos no modificables: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    current = action_values(action)
    if "dimension" in fields and "subdimension" not in fields:
        new_dimension = fields["dimension"]
        code = (
            new_dimension
            if isinstance(new_dimension, str)
            else getattr(new_dimension, "code", None)
        )
        if action.subdimension is not None and action.subdimension.dimension_id != code:
            current["subdimension"] = None
    data = _clean_action(plan, {**current, **fields})
    funding = _clean_funding(funding)
    with transaction.atomic():
        for key, value in data.items():
            setattr(action, key, value)
        action.save()
        if funding is not None:
            _write_funding(action, funding)
        _touch(plan)
    return action


def delete_action(*, by, action):
    _require_plan_editor(by, action.plan)
    with transaction.atomic():
        plan = action.plan
        action.delete()
        _touch(plan)


def record_progress(*, by, action, progress, date=None, note="", files=()):
    """Report progress on an action with optional evidence files: the action
    takes the reported progress (100 marks it done; above 0 moves a planned
    action in progress). The date may not be in the future nor before the
    plan's year. Files are checked (type and size) before anything is
    written. Atomic; returns the ActionUpdate."""
    plan = action.plan
    _require_plan_editor(by, plan)
    progress = _progress(progress)
    date = _date(date or timezone.localdate(), "date")
    if date > timezone.localdate():
        raise ValidationError({"date": _("La fecha del avance no puede ser futura.")})
    if date.year < plan.year:
        raise ValidationError(
            {
                "date": _("La fecha del avance no puede ser anterior al año del plan (%(year)s).")
                % {"year": plan.year}
            }
        )
    files = list(files or [])
    if files:
        for upload in files:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                raise ValidationError({"evidence": exc.messages}) from None
    with transaction.atomic():
        update = ActionUpdate.objects.create(
            action=action, date=date, progress=progress, note=note or "", author=by
        )
        for upload in files:
            Evidence.objects.create(
                update=update,
                file=upload,
                original_name=(getattr(upload, "name", "") or "evidencia")[:255],
                size=getattr(upload, "size", 0) or 0,
            )
        action.progress = progress
        if progress == 100 and action.status != ActionStatus.CANCELLED:
            action.status = ActionStatus.DONE
        elif (progress < 100 and action.status == ActionStatus.DONE) or (
            progress > 0 and action.status == ActionStatus.PLANNED
        ):
            action.status = ActionStatus.IN_PROGRESS
        action.save(update_fields=["progress", "status", "updated_at"])
        _touch(plan)
    return update


# --- comments --------------------------------------------------------------------------


def add_comment(*, by, plan, body, action=None):
    """Comment on a plan (or one of its actions). Everyone who may read the
    plan may comment; a comment by someone outside the school is emailed to
    its directivos once the transaction commits."""
    if not permissions.can_comment(by, plan):
        raise PermissionDenied(_("No puede comentar este plan."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Escriba el comentario.")})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"body": _("El comentario admite hasta %(n)s caracteres.") % {"n": MAX_COMMENT_LENGTH}}
        )
    if action is not None and action.plan_id != plan.pk:
        raise ValidationError({"action": _("La acción no pertenece a este plan.")})
    with transaction.atomic():
        comment = Comment.objects.create(plan=plan, action=action, author=by, body=body)
        if not permissions.own_school_ids(by).filter(school_id=plan.school_id).exists():
            outbox.send(notify_comment, [comment.pk])
    return comment
