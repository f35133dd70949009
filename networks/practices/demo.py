"""Demo data for shared practices, on top of networks.demo and meeting_demo:
a few published practices of Maule schools (one by directora@demo.rme.cl's
school, visible to all), an adoption by her school of another network's
practice with dated notes, comments, and one practice featured by the
supervisor for her network, all dated in the current school year (from
timezone.localdate(); never before March 1).

Repeatable: everything is found or created by natural keys, so running it
twice leaves the database as after the first run. No email is sent."""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from networks.demo import demo_networks
from networks.models import Membership, MembershipRole, Network, NetworkSchool
from rme_platform.accounts.models import User
from rme_platform.management.demo import DEMO_SEED, school_year
from schools.models import Position

from .models import (
    AdoptionStage,
    Practice,
    PracticeAdoption,
    PracticeAdoptionNote,
    PracticeComment,
    PracticeFeature,
    PracticeStatus,
    PracticeVisibility,
    Tag,
)
from .services import normalize, refresh_search, school_context, search_vector

DIRECTORA, UTP, SUPERVISORA = (
    "directora@demo.rme.cl",
    "utp@demo.rme.cl",
    "supervisora@demo.rme.cl",
)

PRACTICES = [
    {
        "key": "own",
        "title": "Lectura compartida de quince minutos",
        "summary": (
            "Cada mañana todos los cursos, docentes y asistentes leen juntos quince minutos. "
            "En un año, la comprensión lectora de segundo básico subió de forma sostenida."
        ),
        "problem": "La evaluación de lectura de **segundo básico** mostraba un 40 % bajo el nivel.",
        "body": (
            "1. Un banco de textos breves por nivel, elegido por el equipo de lenguaje.\n"
            "2. Lectura en voz alta del docente y luego lectura silenciosa.\n"
            "3. Dos preguntas de conversación al cierre.\n\n"
            "El equipo directivo acompaña una sala distinta cada semana."
        ),
        "results": "Bajo el nivel: de 40 % a 22 % en un año (evaluación interna de diciembre).",
        "dimension": "gestion_pedagogica",
        "subdimension": "ensenanza_aprendizaje",
        "tags": ["lectura", "primer ciclo"],
        "visibility": PracticeVisibility.ALL,
    },
    {
        "key": "utp",
        "title": "Evaluación formativa con tickets de salida",
        "summary": (
            "Al final de cada clase de matemática, una pregunta breve que orienta la siguiente."
        ),
        "problem": "Las dificultades se detectaban recién en la prueba de unidad.",
        "body": (
            "Tickets de salida de una pregunta; el docente agrupa las respuestas en tres niveles."
        ),
        "results": "Más del 80 % de los cursos usa los tickets al menos tres veces por semana.",
        "dimension": "gestion_pedagogica",
        "subdimension": "gestion_curricular",
        "tags": ["evaluación", "matemática"],
        "visibility": PracticeVisibility.DEPROV,
    },
    {
        "key": "other",
        "title": "Recreos entretenidos con juegos guiados",
        "summary": "Monitores de patio y juegos guiados redujeron los conflictos en los recreos.",
        "problem": "Muchas derivaciones a convivencia escolar por conflictos en el patio.",
        "body": "Zonas de juego, estudiantes monitores de 7.º y 8.º y un calendario de juegos.",
        "results": "Las derivaciones por conflictos en recreos bajaron a la mitad.",
        "dimension": "formacion_convivencia",
        "subdimension": "convivencia",
        "tags": ["convivencia", "recreos"],
        "visibility": PracticeVisibility.ALL,
    },
]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def _director_elsewhere(network):
    """A director of another demo network of this year (Maule), for the
    third practice."""
    membership = (
        Membership.objects.filter(
            network__in=demo_networks(),
            role=MembershipRole.DIRECTIVO,
            active=True,
            user__role="director",
            school__isnull=False,
        )
        .exclude(network=network)
        .select_related("user", "school")
        .order_by("network__code", "user__email")
        .first()
    )
    return membership


def _practice(spec, school, author, published_at):
    practice, _created = Practice.objects.get_or_create(
        school=school,
        title=spec["title"],
        defaults={
            **school_context(school),
            "created_by": author,
            "summary": spec["summary"],
            "problem": spec["problem"],
            "body": spec["body"],
            "results": spec["results"],
            "dimension_id": spec["dimension"],
            "subdimension_id": spec["subdimension"],
            "visibility": spec["visibility"],
            "status": PracticeStatus.PUBLISHED,
            "published_at": published_at,
        },
    )
    practice.authors.add(author)
    practice.tags.set(
        [
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in spec["tags"]
        ]
    )
    return practice


@transaction.atomic
def seed_demo_practices(stdout=None):
    directora = User.objects.filter(email=DIRECTORA).first()
    position = directora and Position.objects.active().filter(user=directora).first()
    if position is None:
        _say(stdout, "Practices: no demo director, nothing to do.")
        return {}
    school = position.school
    network = (
        Network.objects.filter(
            network_schools__school=school,
            network_schools__left_on__isnull=True,
            year=school_year(),
        )
        .order_by("code")
        .first()
    )
    now = timezone.now()
    # Days ago, but within the current school year (from March 1).
    year_start = timezone.make_aware(datetime.datetime(school_year(), 3, 1, 9))

    def ago(days):
        return max(now - datetime.timedelta(days=days), min(year_start, now))

    practices = {
        "own": _practice(PRACTICES[0], school, directora, ago(20)),
    }
    utp = User.objects.filter(email=UTP).first()
    utp_position = utp and Position.objects.active().filter(user=utp).first()
    if utp_position is not None:
        practices["utp"] = _practice(PRACTICES[1], utp_position.school, utp, ago(12))
        if utp_position.school_id == school.pk:
            practices["own"].authors.add(utp)  # a co-author from the same school
    elsewhere = _director_elsewhere(network)
    if elsewhere is not None:
        other = _practice(PRACTICES[2], elsewhere.school, elsewhere.user, ago(40))
        practices["other"] = other
        adoption, created = PracticeAdoption.objects.get_or_create(
            practice=other,
            school=school,
            defaults={
                "stage": AdoptionStage.TRYING,
                "adopted_by": directora,
                "created_at": ago(30),
            },
        )
        if created:
            PracticeAdoptionNote.objects.bulk_create(
                [
                    PracticeAdoptionNote(
                        adoption=adoption,
                        date=timezone.localdate(ago(30)),
                        stage=AdoptionStage.EXPLORING,
                        text="Visitamos la escuela en un recreo y conversamos con los monitores.",
                        author=directora,
                    ),
                    PracticeAdoptionNote(
                        adoption=adoption,
                        date=timezone.localdate(ago(7)),
                        stage=AdoptionStage.TRYING,
                        text="Partimos con dos zonas de juego en el patio de primer ciclo.",
                        author=directora,
                    ),
                ]
            )
        PracticeComment.objects.get_or_create(
            practice=practices["own"],
            author=elsewhere.user,
            defaults={
                "body": "¿Cómo eligen los textos para cada nivel? Nos interesa probarla.",
                "created_at": ago(3),
            },
        )
        PracticeComment.objects.get_or_create(
            practice=other,
            author=directora,
            defaults={
                "body": "Gracias por recibirnos. Les contaremos cómo nos va con los monitores.",
                "created_at": ago(6),
            },
        )
    supervisora = User.objects.filter(email=SUPERVISORA).first()
    if supervisora is not None and network is not None and "other" in practices:
        PracticeFeature.objects.get_or_create(
            practice=practices["other"], network=network, defaults={"featured_by": supervisora}
        )
    refresh_search(Practice.objects.filter(pk__in=[p.pk for p in practices.values()]))
    adoptions = PracticeAdoption.objects.filter(school=school).count()
    _say(
        stdout,
        f"Practices: {len(practices)} published, {adoptions} adoption by {school.display_name}.",
    )
    return practices


# --- national scale (benchmark) -------------------------------------------------------------

NATIONAL_PREFIX = "RME-N"
TOPICS = [
    ("Lectura compartida", "lectura", "gestion_pedagogica", "ensenanza_aprendizaje"),
    ("Evaluación formativa", "evaluación", "gestion_pedagogica", "gestion_curricular"),
    ("Tutorías entre pares", "tutorías", "gestion_pedagogica", "apoyo_estudiantes"),
    ("Recreos entretenidos", "convivencia", "formacion_convivencia", "convivencia"),
    ("Asistencia y puntualidad", "asistencia", "formacion_convivencia", "formacion"),
    ("Consejo escolar participativo", "participación", "formacion_convivencia", "participacion"),
    ("Acompañamiento al aula", "acompañamiento", "liderazgo", "liderazgo_director"),
    ("Análisis de resultados SIMCE", "resultados", "liderazgo", "planificacion_resultados"),
    ("Comunidades de aprendizaje docente", "docentes", "gestion_recursos", "gestion_personal"),
    ("Biblioteca escolar activa", "biblioteca", "gestion_recursos", "recursos_educativos"),
    (
        "Matemática con material concreto",
        "matemática",
        "gestion_pedagogica",
        "ensenanza_aprendizaje",
    ),
    ("Familias que leen", "familias", "formacion_convivencia", "participacion"),
]
QUALIFIERS = [
    "en primer ciclo",
    "en educación media",
    "para estudiantes prioritarios",
    "con apoyo de la familia",
    "en escuelas rurales multigrado",
    "con el equipo PIE",
    "en séptimo y octavo básico",
    "desde la educación parvularia",
]
ACTIONS = [
    "Planificamos en equipo cada semana y observamos clases entre colegas.",
    "Definimos metas por curso y revisamos el avance en el consejo de profesores.",
    "Usamos tickets de salida y retroalimentación inmediata a los estudiantes.",
    "Organizamos monitores de patio y zonas de juego con reglas acordadas.",
    "Invitamos a las familias a talleres mensuales de lectura y matemática.",
    "Creamos un banco de recursos compartidos en la biblioteca del establecimiento.",
]


def seed_national_practices(*, n=20_000, seed=DEMO_SEED, stdout=None):
    """`n` practices spread over the schools of the national networks, with
    tags, authors, adoptions and comments, built with bulk_create and one
    UPDATE for the search vectors. Repeatable: it first removes the
    practices of those schools."""
    rng = random.Random(seed)
    links = list(
        NetworkSchool.objects.filter(
            network__code__startswith=NATIONAL_PREFIX, left_on__isnull=True
        ).values_list("school_id", "school__rural", "school__enrollment", "school__levels")
    )
    if not links:
        _say(stdout, "Practices: no national networks (run seed_demo --scale national).")
        return {}
    school_ids = [link[0] for link in links]
    authors = dict(
        Position.objects.active()
        .filter(school_id__in=school_ids, role="director")
        .values_list("school_id", "user_id")
    )
    Practice.objects.filter(school_id__in=school_ids).delete()
    tags = {
        name: Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for _title, name, _d, _s in TOPICS
    }
    tags.update(
        {
            name: Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in ("rural", "primer ciclo", "media", "PIE", "liderazgo")
        }
    )
    now = timezone.now()
    practices, tag_rows = [], []
    for i in range(n):
        school_id, rural, enrollment, levels = links[rng.randrange(len(links))]
        title, tag, dimension, subdimension = TOPICS[rng.randrange(len(TOPICS))]
        qualifier = QUALIFIERS[rng.randrange(len(QUALIFIERS))]
        extra = rng.sample(["rural", "primer ciclo", "media", "PIE", "liderazgo"], 1)
        chosen = [tag, *extra]
        summary = f"{title} {qualifier}: lo que hicimos y lo que aprendimos (n.º {i + 1})."
        body = " ".join(rng.sample(ACTIONS, 3))
        results = f"Mejoramos {rng.randint(5, 30)} puntos en la evaluación interna del año."
        published = rng.random() < 0.95
        visibility = rng.choices(
            [PracticeVisibility.ALL, PracticeVisibility.DEPROV, PracticeVisibility.NETWORK],
            [5, 3, 2],
        )[0]
        full_title = f"{title} {qualifier}"
        practices.append(
            Practice(
                school_id=school_id,
                created_by_id=authors.get(school_id),
                title=full_title,
                summary=summary,
                problem="Los resultados de aprendizaje no mejoraban pese al esfuerzo.",
                body=body,
                results=results,
                levels=sorted(c for c in (levels or []) if c in (10, 110, 310, 410, 510)),
                rural=rural,
                enrollment=enrollment,
                dimension_id=dimension,
                subdimension_id=subdimension,
                status=PracticeStatus.PUBLISHED if published else PracticeStatus.DRAFT,
                visibility=visibility,
                published_at=now - datetime.timedelta(days=rng.randint(0, 730))
                if published
                else None,
                tags_text=" ".join(chosen),
                search_text=""
                if connection.vendor == "postgresql"
                else normalize(" ".join([full_title, summary, *chosen, body, results])),
            )
        )
        tag_rows.append(chosen)
    with transaction.atomic():
        created = Practice.objects.bulk_create(practices, batch_size=2000)
        Through = Practice.tags.through
        Through.objects.bulk_create(
            [
                Through(practice_id=p.pk, tag_id=tags[name].pk)
                for p, names in zip(created, tag_rows, strict=True)
                for name in names
            ],
            batch_size=5000,
        )
        Authors = Practice.authors.through
        Authors.objects.bulk_create(
            [
                Authors(practice_id=p.pk, user_id=p.created_by_id)
                for p in created
                if p.created_by_id
            ],
            batch_size=5000,
        )
        adoptions, seen = [], set()
        published = [p for p in created if p.status == PracticeStatus.PUBLISHED]
        for _ in range(n // 4):
            practice = published[rng.randrange(len(published))]
            school_id = school_ids[rng.randrange(len(school_ids))]
            if school_id == practice.school_id or (practice.pk, school_id) in seen:
                continue
            seen.add((practice.pk, school_id))
            adoptions.append(
                PracticeAdoption(
                    practice_id=practice.pk,
                    school_id=school_id,
                    stage=rng.choice(AdoptionStage.values),
                    created_at=practice.published_at,
                )
            )
        PracticeAdoption.objects.bulk_create(adoptions, batch_size=5000)
        comment_authors = list(authors.values())
        PracticeComment.objects.bulk_create(
            [
                PracticeComment(
                    practice_id=published[rng.randrange(len(published))].pk,
                    author_id=comment_authors[rng.randrange(len(comment_authors))],
                    body="¿Cómo lo organizaron? Nos interesa probarlo en nuestra escuela.",
                )
                for _ in range(n // 2)
            ],
            batch_size=5000,
        )
        if connection.vendor == "postgresql":
            Practice.objects.filter(school_id__in=school_ids).update(search_vector=search_vector())
    _say(
        stdout,
        f"National practices: {len(created)} in {len(set(school_ids))} schools, "
        f"{len(adoptions)} adoptions, {n // 2} comments.",
    )
    return {"practices": len(created), "adoptions": len(adoptions), "comments": n // 2}
