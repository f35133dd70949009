"""Cycles: PEI, self-assessment, objectives, goals, strategies; new plans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rme_platform.forms import add_service_errors
from schools.models import School

from .. import permissions, selectors, services
from ..forms import (
    CycleForm,
    GoalForm,
    ObjectiveForm,
    PlanCreateForm,
    StrategyForm,
)
from ..models import (
    Dimension,
    StrategicGoal,
    StrategicObjective,
    Strategy,
)
from .common import (
    _cycle,
    _editable_cycle,
)


def _cycle_fields(data):
    """The cycle's own fields from a valid CycleForm, for create_cycle and update_cycle."""
    return {
        name: data[name]
        for name in ("first_year", "last_year", "pei_vision", "pei_mission", "pei_sellos")
    }


@login_required
def cycle_create(request):
    user = request.user
    schools = list(School.objects.filter(rbd__in=permissions.own_school_ids(user)).order_by("name"))
    if not schools:
        raise PermissionDenied
    dimensions = list(Dimension.objects.all())
    year = timezone.localdate().year
    initial = {"first_year": year, "last_year": year + 3, "school": request.GET.get("school")}
    form = CycleForm(request.POST or None, initial=initial, schools=schools, dimensions=dimensions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = next(s for s in schools if s.rbd == data["school"])
        try:
            cycle = services.create_cycle(
                by=user,
                school=school,
                **_cycle_fields(data),
            )
            services.save_assessments(by=user, cycle=cycle, texts=form.assessment_texts())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Ciclo de mejoramiento %(first)s–%(last)s creado.")
                % {"first": cycle.first_year, "last": cycle.last_year},
            )
            return redirect("pme:cycle_detail", pk=cycle.pk)
    return render(request, "pme/cycle_form.html", {"form": form, "creating": True})


@login_required
def cycle_detail(request, pk, forms=None):
    user = request.user
    cycle = _cycle(user, pk)
    can_edit = permissions.can_edit_cycle(user, cycle)
    assessments = {a.dimension_id: a for a in cycle.assessments.all()}
    dimensions = list(Dimension.objects.all())
    objectives = {}
    for objective in cycle.objectives.all():
        objectives.setdefault(objective.dimension_id, []).append(objective)
    forms = forms or {}
    context = {
        "cycle": cycle,
        "school": cycle.school,
        "can_edit": can_edit,
        "dimensions": [
            (d, assessments.get(d.code), objectives.get(d.code, [])) for d in dimensions
        ],
        "plans": list(selectors.cycle_plans(user, cycle)),
    }
    if can_edit:
        existing = {p.year for p in context["plans"]}
        free_years = [y for y in cycle.years if y not in existing]
        # Suggest the year after the latest plan (or this year), when free.
        after = max(existing, default=timezone.localdate().year - 1) + 1
        later = [y for y in free_years if y >= after]
        context.update(
            objective_form=forms.get("objective") or ObjectiveForm(),
            goal_form=forms.get("goal") or GoalForm(),
            strategy_form=forms.get("strategy") or StrategyForm(),
            plan_form=forms.get("plan")
            or PlanCreateForm(initial={"year": (later or free_years or [None])[0]}),
            free_years=free_years,
            failed_objective=forms.get("objective_id"),
        )
    return render(request, "pme/cycle_detail.html", context, status=400 if forms else 200)


@login_required
def cycle_edit(request, pk):
    user = request.user
    cycle = _editable_cycle(user, pk)
    dimensions = list(Dimension.objects.all())
    assessments = {a.dimension_id: a.text for a in cycle.assessments.all()}
    initial = {
        "first_year": cycle.first_year,
        "last_year": cycle.last_year,
        "pei_vision": cycle.pei_vision,
        "pei_mission": cycle.pei_mission,
        "pei_sellos": cycle.pei_sellos,
    }
    form = CycleForm(
        request.POST or None, initial=initial, dimensions=dimensions, assessments=assessments
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_cycle(
                by=user,
                cycle=cycle,
                **_cycle_fields(data),
            )
            services.save_assessments(by=user, cycle=cycle, texts=form.assessment_texts())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect("pme:cycle_detail", pk=cycle.pk)
    return render(request, "pme/cycle_form.html", {"form": form, "cycle": cycle, "creating": False})


@login_required
@require_POST
def objective_add(request, pk):
    cycle = _editable_cycle(request.user, pk)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            services.add_objective(by=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Objetivo estratégico agregado."))
            return redirect("pme:cycle_detail", pk=cycle.pk)
    return cycle_detail(request, pk, forms={"objective": form})


def _objective(user, pk):
    objective = get_object_or_404(
        StrategicObjective.objects.filter(
            cycle__in=permissions.visible_cycles(user)
        ).select_related("cycle"),
        pk=pk,
    )
    if not permissions.can_edit_cycle(user, objective.cycle):
        raise PermissionDenied
    return objective


@login_required
@require_POST
def objective_remove(request, pk):
    objective = _objective(request.user, pk)
    cycle_id = objective.cycle_id
    services.remove_objective(by=request.user, objective=objective)
    messages.success(request, _("Objetivo estratégico eliminado."))
    return redirect("pme:cycle_detail", pk=cycle_id)


@login_required
@require_POST
def goal_add(request, pk):
    objective = _objective(request.user, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.add_goal(by=request.user, objective=objective, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meta agregada."))
            return redirect("pme:cycle_detail", pk=objective.cycle_id)
    return cycle_detail(request, objective.cycle_id, forms={"goal": form, "objective_id": pk})


@login_required
@require_POST
def goal_remove(request, pk):
    goal = get_object_or_404(StrategicGoal.objects.select_related("objective"), pk=pk)
    objective = _objective(request.user, goal.objective_id)
    services.remove_goal(by=request.user, goal=goal)
    messages.success(request, _("Meta eliminada."))
    return redirect("pme:cycle_detail", pk=objective.cycle_id)


@login_required
@require_POST
def strategy_add(request, pk):
    objective = _objective(request.user, pk)
    form = StrategyForm(request.POST)
    if form.is_valid():
        try:
            services.add_strategy(by=request.user, objective=objective, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Estrategia agregada."))
            return redirect("pme:cycle_detail", pk=objective.cycle_id)
    return cycle_detail(request, objective.cycle_id, forms={"strategy": form, "objective_id": pk})


@login_required
@require_POST
def strategy_remove(request, pk):
    strategy = get_object_or_404(Strategy.objects.select_related("objective"), pk=pk)
    objective = _objective(request.user, strategy.objective_id)
    services.remove_strategy(by=request.user, strategy=strategy)
    messages.success(request, _("Estrategia eliminada."))
    return redirect("pme:cycle_detail", pk=objective.cycle_id)


@login_required
@require_POST
def plan_create(request, pk):
    cycle = _editable_cycle(request.user, pk)
    form = PlanCreateForm(request.POST)
    if form.is_valid():
        try:
            plan = services.create_plan(by=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan anual %(year)s creado.") % {"year": plan.year})
            return redirect("pme:plan_detail", pk=plan.pk)
    return cycle_detail(request, pk, forms={"plan": form})
