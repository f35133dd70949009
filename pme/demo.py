"""Demo and national-scale PME data, on top of networks.demo.

- `seed_demo_pme()`: for each school of the Maule demo networks, a
  four-year cycle from two school years ago to next year (PEI,
  self-assessment, an objective per dimension with goals and strategies)
  and an annual plan for each school year the demo holds (the current one
  and the two before, from timezone.localdate()), each with about twelve
  actions across dimensions, funding, progress updates (some actions
  delayed), shared with the network for most schools; an ATE registry of a
  few providers; comments of the supervisor on the demo director's plan of
  this year.
- `seed_national_pme()`: the benchmark's shape: a cycle and a plan of the
  current school year (about fifteen actions, bulk-created) for every
  school of the national networks (10,777 at full scale).

Both are repeatable: the same seed gives the same data; the demo keeps what
exists, the national seeder first removes what it created before.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from networks.demo import demo_networks
from networks.models import Network, NetworkSchool
from rme_platform.accounts.models import User
from rme_platform.management.demo import DEMO_SEED, demo_years, school_year
from schools.models import Region
from schools.validators import modulo11_check_digit

from .cache import bulk_writes, bump_pme_version
from .catalog import DIMENSIONS
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AnnualPlan,
    ATEProvider,
    Comment,
    DimensionAssessment,
    FundingLine,
    FundingSource,
    Phase,
    PMECycle,
    StrategicGoal,
    StrategicObjective,
    Strategy,
)


def cycle_years(today=None):
    """The demo's four-year PME cycle: from the oldest school year the demo
    holds (two years ago) to next year."""
    first = demo_years(today)[0]
    return first, first + 3


ACTIONS = {
    "gestion_pedagogica": [
        ("gestion_curricular", "Planificación curricular colaborativa por nivel"),
        ("gestion_curricular", "Cobertura curricular monitoreada cada mes"),
        ("ensenanza_aprendizaje", "Acompañamiento al aula con retroalimentación"),
        ("ensenanza_aprendizaje", "Plan lector en primer ciclo básico"),
        ("apoyo_estudiantes", "Reforzamiento en matemática para 4.º y 6.º básico"),
        ("apoyo_estudiantes", "Tutorías entre pares en lenguaje"),
    ],
    "liderazgo": [
        ("liderazgo_director", "Consejos técnicos centrados en el aprendizaje"),
        ("planificacion_resultados", "Análisis de resultados SIMCE y DIA con docentes"),
        ("liderazgo_sostenedor", "Reuniones trimestrales de seguimiento con el sostenedor"),
    ],
    "formacion_convivencia": [
        ("convivencia", "Plan de convivencia escolar con mediación entre pares"),
        ("formacion", "Talleres de habilidades socioemocionales"),
        ("participacion", "Consejo escolar y centro de estudiantes activos"),
        ("convivencia", "Escuela para familias: encuentros mensuales"),
    ],
    "gestion_recursos": [
        ("gestion_personal", "Formación docente en evaluación formativa"),
        ("recursos_educativos", "Renovación de la biblioteca CRA"),
        ("recursos_financieros", "Seguimiento mensual de la ejecución de recursos SEP"),
        ("recursos_educativos", "Equipamiento tecnológico para aulas"),
    ],
}
OBJECTIVES = {
    "gestion_pedagogica": (
        "Mejorar los aprendizajes en lectura y matemática en todos los niveles.",
        ("Estudiantes en nivel adecuado en lectura, 4.º básico", 38, 50, "%"),
        [
            "Acompañamiento sistemático al aula.",
            "Apoyo diferenciado a estudiantes rezagados.",
        ],
    ),
    "liderazgo": (
        "Consolidar un liderazgo pedagógico que use datos para decidir.",
        ("Consejos técnicos con análisis de datos", 4, 10, "por año"),
        ["Ciclo de análisis de resultados con el equipo docente."],
    ),
    "formacion_convivencia": (
        "Fortalecer un clima de convivencia respetuoso e inclusivo.",
        ("Índice de clima de convivencia (IDPS)", 72, 78, "puntos"),
        ["Formación socioemocional y mediación escolar.", "Vínculo con las familias."],
    ),
    "gestion_recursos": (
        "Asegurar recursos humanos y materiales al servicio de los aprendizajes.",
        ("Docentes formados en evaluación formativa", 30, 80, "%"),
        ["Desarrollo profesional docente.", "Gestión eficiente de los recursos SEP."],
    ),
}
ASSESSMENTS = {
    "gestion_pedagogica": "La cobertura curricular es dispar entre cursos; falta acompañamiento "
    "al aula sistemático.",
    "liderazgo": "El equipo directivo conduce los consejos, pero los datos se analizan poco.",
    "formacion_convivencia": "Buen clima general; persisten conflictos en el segundo ciclo.",
    "gestion_recursos": "Los recursos SEP se ejecutan, con seguimiento irregular.",
}
ATE_PROVIDERS = [
    # name, areas, regions (None: national)
    ("Fundación Aprender Juntos", ["gestion_pedagogica"], None),
    ("Centro de Liderazgo Educativo del Maule", ["liderazgo"], [7]),
    ("Consultora Convivir", ["formacion_convivencia"], [6, 7, 8]),
    ("Universidad Regional de Talca, Extensión", ["gestion_pedagogica", "liderazgo"], [7]),
    ("Gestión Escolar Integral Ltda.", ["gestion_recursos", "liderazgo"], None),
    ("Fundación Lectura Viva", ["gestion_pedagogica", "formacion_convivencia"], None),
]
RESPONSIBLE = ["Jefe/a de UTP", "Director/a", "Encargado/a de convivencia", "Coordinador/a PIE"]


def _date_between(rng, start, end):
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def ensure_ate_registry():
    """The demo ATE providers (idempotent); returns them in order."""
    regions = {r.code: r for r in Region.objects.all()}
    registered = demo_years()[0]
    providers = []
    for index, (name, areas, region_codes) in enumerate(ATE_PROVIDERS, start=1):
        rut = 65_100_000 + index * 1_117
        provider, created = ATEProvider.objects.get_or_create(
            rut=rut,
            defaults={
                "check_digit": modulo11_check_digit(rut),
                "name": name,
                "registry_number": f"ATE-{registered}-{index:04d}",
            },
        )
        if created:
            provider.service_areas.set(areas)
            codes = region_codes or list(regions)
            provider.regions.set([regions[c] for c in codes if c in regions])
        providers.append(provider)
    return providers


def _plan_actions(rng, plan, strategies, providers, today, activity_day, *, count):
    """Unsaved actions, funding lines (by action index) and updates (by
    action index) for a plan: dates within the plan's year, a few laggards
    whose progress stays below 100."""
    pool = [(dim, sub, name) for dim, items in ACTIONS.items() for sub, name in items]
    chosen = rng.sample(pool, min(count, len(pool)))
    # Every dimension is represented.
    for dim in ACTIONS:
        if not any(c[0] == dim for c in chosen):
            chosen[rng.randrange(len(chosen))] = (dim, *ACTIONS[dim][0])
    laggards = set(rng.sample(range(len(chosen)), k=min(len(chosen), rng.choice([1, 2, 2, 3]))))
    cancelled = rng.randrange(len(chosen)) if rng.random() < 0.25 else None
    actions, funding, updates = [], [], []
    year_start = datetime.date(plan.year, 1, 1)
    for index, (dim, sub, name) in enumerate(chosen):
        start = datetime.date(plan.year, rng.choice([3, 3, 4, 5, 6]), rng.randint(1, 28))
        end = min(
            start + datetime.timedelta(days=rng.randint(60, 240)), datetime.date(plan.year, 12, 20)
        )
        horizon = min(end, activity_day, today)
        if horizon < start:
            progress = 0
        elif index in laggards:
            progress = rng.choice([20, 30, 40, 50, 60, 70, 80])
        else:
            elapsed = (horizon - start).days / max(1, (end - start).days)
            progress = 100 if elapsed >= 1 else int(elapsed * 100) // 5 * 5
        status = (
            ActionStatus.DONE
            if progress == 100
            else ActionStatus.IN_PROGRESS
            if progress
            else ActionStatus.PLANNED
        )
        if index == cancelled:
            status = ActionStatus.CANCELLED
        provider = rng.choice(providers) if providers and rng.random() < 0.2 else None
        actions.append(
            Action(
                plan=plan,
                dimension_id=dim,
                subdimension_id=sub,
                strategy=strategies.get(dim),
                name=name,
                description=f"{name}: acción del plan anual {plan.year}.",
                start_date=start,
                end_date=end,
                responsible=rng.choice(RESPONSIBLE),
                resources="Horas docentes, materiales y espacios del establecimiento.",
                ate_provider=provider,
                verification_means="Actas, listas de asistencia y registros fotográficos.",
                status=status,
                progress=progress,
            )
        )
        sources = rng.sample(
            [FundingSource.SEP] * 4
            + [
                FundingSource.PIE,
                FundingSource.FAEP,
                FundingSource.SOSTENEDOR,
                FundingSource.OTHER,
            ],
            k=rng.choice([1, 1, 2]),
        )
        for source in dict.fromkeys(sources):
            funding.append((index, source, rng.randrange(200_000, 6_000_000, 50_000)))
        if progress:
            steps = rng.choice([1, 2, 3])
            last = max(horizon, year_start)
            days = sorted(_date_between(rng, start, last) for _ in range(steps - 1)) + [last]
            for step, day in enumerate(days, start=1):
                updates.append((index, day, progress * step // steps))
    return actions, funding, updates


def _seed_school(
    rng, school, today, providers, *, year, cycle_span, shared, activity_day, author, count=12
):
    cycle, _created = PMECycle.objects.get_or_create(
        school=school,
        first_year=cycle_span[0],
        defaults={
            "last_year": cycle_span[1],
            "pei_vision": "Ser una comunidad que aprende y convive con respeto.",
            "pei_mission": (
                "Formar estudiantes críticos, solidarios y comprometidos con su entorno."
            ),
            "pei_sellos": "Inclusión\nVida sana\nVínculo con la comunidad",
        },
    )
    if AnnualPlan.objects.filter(school=school, year=year).exists():
        return None
    strategies = {}
    for code, _name, _subs in DIMENSIONS:
        DimensionAssessment.objects.get_or_create(
            cycle=cycle, dimension_id=code, defaults={"text": ASSESSMENTS[code]}
        )
        text, (indicator, baseline, target, unit), strategy_texts = OBJECTIVES[code]
        objective, created = StrategicObjective.objects.get_or_create(
            cycle=cycle, dimension_id=code, defaults={"text": text}
        )
        if created:
            StrategicGoal.objects.create(
                objective=objective,
                indicator=indicator,
                baseline=baseline,
                target=target,
                unit=unit,
            )
            for strategy_text in strategy_texts:
                Strategy.objects.create(objective=objective, text=strategy_text)
        strategies[code] = objective.strategies.order_by("pk").first()
    plan = AnnualPlan.objects.create(
        cycle=cycle,
        school=school,
        year=year,
        phase=Phase.EVALUATION if today.year > year else Phase.IMPLEMENTATION,
        diagnosis=(
            "Los resultados de lectura en 4.º básico siguen bajo la meta; "
            "la asistencia mejoró. Priorizamos el acompañamiento al aula y la convivencia."
        ),
        shared_with_network=shared,
    )
    actions, funding, updates = _plan_actions(
        rng, plan, strategies, providers, today, activity_day, count=count
    )
    Action.objects.bulk_create(actions)
    FundingLine.objects.bulk_create(
        [FundingLine(action=actions[i], source=s, amount=a) for i, s, a in funding]
    )
    ActionUpdate.objects.bulk_create(
        [
            ActionUpdate(
                action=actions[i],
                date=day,
                progress=progress,
                note="Avance registrado por el equipo directivo.",
                author=author,
            )
            for i, day, progress in updates
        ]
    )
    last = timezone.make_aware(datetime.datetime.combine(activity_day, datetime.time(12)))
    AnnualPlan.objects.filter(pk=plan.pk).update(last_activity_at=last)
    return plan


@transaction.atomic
def seed_demo_pme(stdout=None):
    """The PME of every demo school; see the module docstring. Repeatable:
    a school that already has its plan of a year keeps it as it is."""
    today = timezone.localdate()
    years = demo_years(today)
    providers = ensure_ate_registry()
    directora = User.objects.filter(email="directora@demo.rme.cl").first()
    supervisora = User.objects.filter(email="supervisora@demo.rme.cl").first()
    created = 0
    for year in years:
        links = (
            NetworkSchool.objects.filter(network__in=demo_networks(), left_on__isnull=True)
            .select_related("school", "network")
            .order_by("network__code", "school_id")
        )
        first = links.first()
        for link in links:
            is_first = first is not None and link.pk == first.pk
            plan = _seed_demo_plan(
                link.school,
                year,
                today,
                providers,
                is_first=is_first,
                author=directora if is_first else None,
            )
            if plan is None:
                continue
            created += 1
            if is_first and year == years[-1] and supervisora is not None:
                _comment(plan, supervisora)
    if stdout:
        stdout.write(
            f"PME: {created} annual plans ({years[0]}–{years[-1]}) created for the demo schools."
        )
    bump_pme_version()  # bulk writes send no post_save
    return {"plans": created, "providers": len(providers)}


def _seed_demo_plan(school, year, today, providers, *, is_first, author):
    """A school's plan of `year`: dated up to today in the current school
    year, over the whole year (its activity in December) in an earlier one."""
    rng = random.Random(f"rme-demo-pme:{school.rbd}:{year}")
    stale = rng.random() < 0.15 and not is_first
    offset = rng.randint(75, 200) if stale else rng.randint(1, 40)
    if year < school_year(today):
        # Seen from January after its year: the plan is in its evaluation.
        horizon = datetime.date(year + 1, 1, 1)
        activity_day = datetime.date(year, 12, 20) - datetime.timedelta(days=offset if stale else 0)
    else:
        horizon = today
        activity_day = max(datetime.date(year, 3, 1), today - datetime.timedelta(days=offset))
    return _seed_school(
        rng,
        school,
        horizon,
        providers,
        year=year,
        cycle_span=cycle_years(today),
        shared=is_first or rng.random() < 0.85,
        activity_day=min(activity_day, today),
        author=author,
    )


def _comment(plan, supervisora):
    """The supervisor's comments on the demo director's plan."""
    now = timezone.now()
    Comment.objects.create(
        plan=plan,
        author=supervisora,
        body="Buen avance del plan. ¿Podemos revisar en la próxima reunión de red "
        "las acciones atrasadas de convivencia?",
        notified_at=now,
    )
    action = plan.actions.order_by("pk").first()
    Comment.objects.create(
        plan=plan,
        action=action,
        author=supervisora,
        body="Sería útil compartir esta experiencia como práctica con la red.",
        notified_at=now,
    )


def seed_national_pme(*, seed=DEMO_SEED, stdout=None, actions_per_plan=15):
    """A plan of the current school year of about `actions_per_plan` actions for every school of
    the national networks (codes RME-N…), bulk-created; most are shared.
    Repeatable: it first removes the cycles it created before."""
    rng = random.Random(seed)
    today = timezone.localdate()
    year, cycle_span = school_year(today), cycle_years(today)
    school_ids = list(
        NetworkSchool.objects.filter(
            network__in=Network.objects.filter(code__startswith="RME-N"), left_on__isnull=True
        )
        .order_by("school_id")
        .values_list("school_id", flat=True)
        .distinct()
    )
    with transaction.atomic():
        with bulk_writes():
            PMECycle.objects.filter(school_id__in=school_ids).delete()
        providers = ensure_ate_registry()
        cycles = PMECycle.objects.bulk_create(
            [
                PMECycle(school_id=rbd, first_year=cycle_span[0], last_year=cycle_span[1])
                for rbd in school_ids
            ],
            batch_size=5000,
        )
        plans = []
        for cycle in cycles:
            stale = rng.random() < 0.12
            offset = rng.randint(61, 240) if stale else rng.randint(0, 59)
            last = timezone.now() - datetime.timedelta(days=offset, hours=rng.randint(0, 23))
            plans.append(
                AnnualPlan(
                    cycle=cycle,
                    school_id=cycle.school_id,
                    year=year,
                    phase=rng.choice([Phase.IMPLEMENTATION, Phase.EVALUATION]),
                    shared_with_network=rng.random() < 0.8,
                    last_activity_at=last,
                )
            )
        AnnualPlan.objects.bulk_create(plans, batch_size=5000)
        pool = [(dim, sub, name) for dim, items in ACTIONS.items() for sub, name in items]
        n_actions = n_lines = 0
        batch_actions, batch_funding = [], []

        def flush():
            Action.objects.bulk_create(batch_actions, batch_size=5000)
            FundingLine.objects.bulk_create(
                [FundingLine(action=a, source=s, amount=m) for a, s, m in batch_funding],
                batch_size=5000,
            )
            batch_actions.clear()
            batch_funding.clear()

        for plan in plans:
            count = rng.randint(actions_per_plan - 3, actions_per_plan + 3)
            for index in range(count):
                dim, sub, name = pool[(index * 7 + plan.school_id) % len(pool)]
                start = datetime.date(year, rng.randint(3, 8), rng.randint(1, 28))
                end = min(
                    start + datetime.timedelta(days=rng.randint(30, 200)),
                    datetime.date(year, 12, 20),
                )
                roll = rng.random()
                progress = 100 if roll < 0.55 else 0 if roll < 0.62 else rng.randrange(10, 100, 10)
                status = (
                    ActionStatus.CANCELLED
                    if roll > 0.97
                    else ActionStatus.DONE
                    if progress == 100
                    else ActionStatus.IN_PROGRESS
                    if progress
                    else ActionStatus.PLANNED
                )
                action = Action(
                    plan=plan,
                    dimension_id=dim,
                    subdimension_id=sub,
                    name=f"{name} ({index + 1})",
                    start_date=start,
                    end_date=end,
                    responsible=RESPONSIBLE[index % len(RESPONSIBLE)],
                    ate_provider=providers[index % len(providers)] if roll < 0.1 else None,
                    status=status,
                    progress=progress,
                )
                batch_actions.append(action)
                batch_funding.append(
                    (action, FundingSource.SEP, rng.randrange(100_000, 5_000_000, 10_000))
                )
                if roll < 0.4:
                    source = rng.choice(
                        [
                            FundingSource.PIE,
                            FundingSource.FAEP,
                            FundingSource.SOSTENEDOR,
                            FundingSource.OTHER,
                        ]
                    )
                    batch_funding.append(
                        (action, source, rng.randrange(100_000, 2_000_000, 10_000))
                    )
                n_actions += 1
            if len(batch_actions) >= 20_000:
                n_lines += len(batch_funding)
                flush()
        n_lines += len(batch_funding)
        flush()
    bump_pme_version()  # bulk writes send no post_save
    figures = {
        "plans": len(plans),
        "shared": sum(1 for p in plans if p.shared_with_network),
        "actions": n_actions,
        "funding_lines": n_lines,
        "today": today.isoformat(),
    }
    if stdout:
        stdout.write(
            "National PME: {plans} plans ({shared} shared), {actions} actions, "
            "{funding_lines} funding lines.".format(**figures)
        )
    return figures
