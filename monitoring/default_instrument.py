"""The default instrument, `rme-monitoreo` (version 1), loaded by a data
migration: how a network works, in the words of its directivos.

Question codes are stable across waves and five of them are contracts other
systems rely on: RME_META_COMUN, RME_AGENDA_PRIORIDADES, RME_MEJORA_GESTION,
RME_VINCULO_COMUNIDAD and RME_INTERES_REUNIONES.
"""

from django.apps import apps as global_apps
from django.utils.translation import gettext_noop

# The constructs below, for the catalogs: results and reports show them in
# the reader's language (Question.construct_label); stored in Spanish.
CONSTRUCT_NAMES = (
    gettext_noop("Metas comunes"),
    gettext_noop("Agenda desde las prioridades"),
    gettext_noop("Corresponsabilidad"),
    gettext_noop("Apoyo en red"),
    gettext_noop("Cultura colaborativa"),
    gettext_noop("Mejora sistémica"),
    gettext_noop("Confianza"),
    gettext_noop("Riesgo e innovación"),
    gettext_noop("Comunicación franca"),
    gettext_noop("Vínculo con la comunidad"),
    gettext_noop("Efecto en la gestión"),
    gettext_noop("Interés en las reuniones"),
    gettext_noop("Frecuencia de las reuniones"),
    gettext_noop("Comentarios"),
)

SLUG = "rme-monitoreo"
NAME = "Encuesta de monitoreo de las Redes de Mejoramiento Escolar"
DESCRIPTION = (
    "Encuesta anual a directores y jefes de UTP sobre el funcionamiento de su red. "
    "Las respuestas son anónimas: ningún resultado se muestra con menos de cinco respuestas."
)

L = "likert5"

# (title_es, title_en, [(code, kind, construct, required, text_es, text_en, options)])
SECTIONS = [
    (
        "Trabajo colectivo y metas comunes",
        "Collective work and common goals",
        [
            (
                "RME_META_COMUN",
                L,
                "Metas comunes",
                True,
                "En la red trabajamos colectivamente hacia metas comunes.",
                "In the network we work collectively towards common goals.",
            ),
            (
                "RME_OBJETIVOS_CLAROS",
                L,
                "Metas comunes",
                True,
                "Los objetivos de la red son claros para todos sus integrantes.",
                "The network's objectives are clear to all its members.",
            ),
            (
                "RME_PLAN_TRABAJO",
                L,
                "Metas comunes",
                True,
                "La red tiene un plan de trabajo anual que todos conocemos.",
                "The network has an annual work plan that we all know.",
            ),
        ],
    ),
    (
        "Agenda y participación",
        "Agenda and participation",
        [
            (
                "RME_AGENDA_PRIORIDADES",
                L,
                "Agenda desde las prioridades",
                True,
                "La agenda de la red se construye a partir de las prioridades de sus "
                "participantes.",
                "The network's agenda is built from its participants' priorities.",
            ),
            (
                "RME_AGENDA_PROPUESTAS",
                L,
                "Agenda desde las prioridades",
                True,
                "Puedo proponer temas para la agenda de las reuniones.",
                "I can propose topics for the meetings' agenda.",
            ),
            (
                "RME_AGENDA_PERTINENTE",
                L,
                "Agenda desde las prioridades",
                True,
                "Los temas que trata la red son pertinentes para mi establecimiento.",
                "The topics the network deals with are relevant to my school.",
            ),
        ],
    ),
    (
        "Corresponsabilidad y apoyo en red",
        "Co-responsibility and support in the network",
        [
            (
                "RME_CORRESPONSABILIDAD",
                L,
                "Corresponsabilidad",
                True,
                "En la red nos sentimos responsables de los resultados de todos los "
                "establecimientos, no solo del propio.",
                "In the network we feel responsible for the results of all the schools, not "
                "only our own.",
            ),
            (
                "RME_RESULTADOS_COMPARTIDOS",
                L,
                "Corresponsabilidad",
                True,
                "En la red analizamos juntos los resultados de aprendizaje de los "
                "establecimientos.",
                "In the network we analyse the schools' learning results together.",
            ),
            (
                "RME_APOYO_PARES",
                L,
                "Apoyo en red",
                True,
                "Cuando mi establecimiento enfrenta un problema, puedo pedir apoyo a otros "
                "integrantes de la red.",
                "When my school faces a problem, I can ask other members of the network for "
                "support.",
            ),
            (
                "RME_APOYO_SUPERVISION",
                L,
                "Apoyo en red",
                True,
                "La supervisión del ministerio apoya el trabajo de la red.",
                "The ministry's supervision supports the network's work.",
            ),
            (
                "RME_APOYO_SOSTENEDOR",
                L,
                "Apoyo en red",
                True,
                "El sostenedor apoya la participación de mi establecimiento en la red.",
                "The school's owner (sostenedor) supports my school's participation in the "
                "network.",
            ),
        ],
    ),
    (
        "Cultura colaborativa",
        "Collaborative culture",
        [
            (
                "RME_CULTURA_COLABORATIVA",
                L,
                "Cultura colaborativa",
                True,
                "En la red compartimos prácticas y aprendemos unos de otros.",
                "In the network we share practices and learn from each other.",
            ),
            (
                "RME_PRACTICAS_ADOPTADAS",
                L,
                "Cultura colaborativa",
                True,
                "He incorporado en mi establecimiento prácticas que conocí en la red.",
                "I have brought into my school practices I learnt about in the network.",
            ),
            (
                "RME_APRENDIZAJE_LATERAL",
                L,
                "Cultura colaborativa",
                True,
                "Las experiencias de otros establecimientos me ayudan a mejorar las del mío.",
                "Other schools' experiences help me improve my own school's.",
            ),
        ],
    ),
    (
        "Mejora sistémica",
        "Systemic improvement",
        [
            (
                "RME_MEJORA_SISTEMICA",
                L,
                "Mejora sistémica",
                True,
                "La red contribuye a mejorar la educación del territorio en su conjunto.",
                "The network contributes to improving education in the territory as a whole.",
            ),
            (
                "RME_PME_ARTICULADO",
                L,
                "Mejora sistémica",
                True,
                "El trabajo de la red se articula con el Plan de Mejoramiento Educativo (PME) "
                "de mi establecimiento.",
                "The network's work is aligned with my school's improvement plan (PME).",
            ),
            (
                "RME_SEGUIMIENTO_ACUERDOS",
                L,
                "Mejora sistémica",
                True,
                "La red hace seguimiento de los acuerdos que toma.",
                "The network follows up on the agreements it makes.",
            ),
        ],
    ),
    (
        "Confianza, innovación y comunicación",
        "Trust, innovation and communication",
        [
            (
                "RME_CONFIANZA",
                L,
                "Confianza",
                True,
                "Existe confianza entre los integrantes de la red.",
                "There is trust among the network's members.",
            ),
            (
                "RME_DIFICULTADES_SIN_TEMOR",
                L,
                "Confianza",
                True,
                "Puedo hablar en la red de las dificultades de mi establecimiento sin temor a "
                "ser juzgado.",
                "I can talk in the network about my school's difficulties without fear of "
                "being judged.",
            ),
            (
                "RME_RIESGO_INNOVAR",
                L,
                "Riesgo e innovación",
                True,
                "En la red hay espacio para tomar riesgos e innovar.",
                "In the network there is room to take risks and innovate.",
            ),
            (
                "RME_ERROR_APRENDIZAJE",
                L,
                "Riesgo e innovación",
                True,
                "En la red los errores se consideran oportunidades de aprendizaje.",
                "In the network mistakes are seen as opportunities to learn.",
            ),
            (
                "RME_COMUNICACION_FRANCA",
                L,
                "Comunicación franca",
                True,
                "En la red la comunicación es franca y directa.",
                "In the network communication is frank and direct.",
            ),
            (
                "RME_DESACUERDOS",
                L,
                "Comunicación franca",
                True,
                "Los desacuerdos se discuten abiertamente y con respeto.",
                "Disagreements are discussed openly and respectfully.",
            ),
        ],
    ),
    (
        "Vínculo con la comunidad",
        "Links with the community",
        [
            (
                "RME_VINCULO_COMUNIDAD",
                L,
                "Vínculo con la comunidad",
                True,
                "La red establece mecanismos o canales para vincularse con otros actores o "
                "instituciones de la comunidad.",
                "The network sets up mechanisms or channels to connect with other actors or "
                "institutions of the community.",
            ),
            (
                "RME_ACTORES_EXTERNOS",
                L,
                "Vínculo con la comunidad",
                True,
                "La red ha trabajado con actores externos: universidades, centros de salud, "
                "oficinas municipales u organizaciones sociales.",
                "The network has worked with external actors: universities, health centres, "
                "municipal offices or social organisations.",
            ),
            (
                "RME_RECURSOS_TERRITORIO",
                L,
                "Vínculo con la comunidad",
                True,
                "La red conoce los recursos e instituciones del territorio que pueden apoyar "
                "a los establecimientos.",
                "The network knows the territory's resources and institutions that can "
                "support the schools.",
            ),
        ],
    ),
    (
        "Efecto en la propia gestión",
        "Effect on one's own management",
        [
            (
                "RME_MEJORA_GESTION",
                L,
                "Efecto en la gestión",
                True,
                "El trabajo en red se asocia al mejoramiento de mi gestión.",
                "Working in the network is associated with the improvement of my management.",
            ),
            (
                "RME_LIDERAZGO_PEDAGOGICO",
                L,
                "Efecto en la gestión",
                True,
                "Participar en la red ha fortalecido mi liderazgo pedagógico.",
                "Taking part in the network has strengthened my pedagogical leadership.",
            ),
            (
                "RME_DECISIONES_DATOS",
                L,
                "Efecto en la gestión",
                True,
                "Gracias a la red uso más la información y los datos para tomar decisiones.",
                "Thanks to the network I use information and data more to make decisions.",
            ),
            (
                "RME_TRANSFERENCIA_EQUIPO",
                L,
                "Efecto en la gestión",
                True,
                "Comparto con mi equipo lo que aprendo en la red.",
                "I share with my team what I learn in the network.",
            ),
        ],
    ),
    (
        "Interés en las reuniones",
        "Interest in meetings",
        [
            (
                "RME_INTERES_REUNIONES",
                L,
                "Interés en las reuniones",
                True,
                "Mi interés por participar en las reuniones de red ha aumentado desde que "
                "comenzaron.",
                "My interest in taking part in the network's meetings has grown since they began.",
            ),
            (
                "RME_REUNIONES_UTILES",
                L,
                "Interés en las reuniones",
                True,
                "Las reuniones de la red son un buen uso de mi tiempo.",
                "The network's meetings are a good use of my time.",
            ),
            (
                "RME_REUNIONES_ORGANIZADAS",
                L,
                "Interés en las reuniones",
                True,
                "Las reuniones de la red están bien organizadas: convocatoria, agenda y acta.",
                "The network's meetings are well organised: notice, agenda and minutes.",
            ),
            (
                "RME_ASISTENCIA_VALORADA",
                L,
                "Interés en las reuniones",
                True,
                "En mi establecimiento se valora que asista a las reuniones de la red.",
                "My school values my attending the network's meetings.",
            ),
        ],
    ),
    (
        "Frecuencia de las reuniones",
        "Meeting frequency",
        [
            (
                "RME_FRECUENCIA_REUNIONES",
                "single",
                "Frecuencia de las reuniones",
                True,
                "¿Con qué frecuencia se reunió su red este año?",
                "How often did your network meet this year?",
                [
                    ("quincenal", "Cada semana o cada dos semanas", "Every week or two"),
                    ("mensual", "Una vez al mes", "Once a month"),
                    ("bimestral", "Cada dos meses", "Every two months"),
                    ("semestral", "Una vez por semestre o menos", "Once a semester or less"),
                    ("nunca", "No se ha reunido", "It has not met"),
                ],
            ),
            (
                "RME_FRECUENCIA_ADECUADA",
                "single",
                "Frecuencia de las reuniones",
                True,
                "La frecuencia de las reuniones le parece:",
                "The frequency of the meetings seems to you:",
                [
                    ("insuficiente", "Insuficiente", "Too low"),
                    ("adecuada", "Adecuada", "Right"),
                    ("excesiva", "Excesiva", "Too high"),
                ],
            ),
            (
                "RME_REUNIONES_ASISTIDAS",
                "number",
                "Frecuencia de las reuniones",
                False,
                "¿A cuántas reuniones de la red asistió este año?",
                "How many network meetings did you attend this year?",
            ),
            (
                "RME_MODALIDAD_REUNIONES",
                "multiple",
                "Frecuencia de las reuniones",
                False,
                "¿En qué modalidades se reunió la red este año? Marque todas las que correspondan.",
                "In which ways did the network meet this year? Tick all that apply.",
                [
                    ("presencial", "Presencial", "In person"),
                    ("en_linea", "En línea", "Online"),
                    ("visitas", "Visitas entre establecimientos", "Visits between schools"),
                ],
            ),
        ],
    ),
    (
        "Comentarios",
        "Comments",
        [
            (
                "RME_LOGRO_DESTACADO",
                "text",
                "Comentarios",
                False,
                "¿Qué logro de la red destacaría este año?",
                "Which achievement of the network would you highlight this year?",
            ),
            (
                "RME_COMENTARIOS",
                "text",
                "Comentarios",
                False,
                "¿Qué cambiaría para que la red funcione mejor?",
                "What would you change so that the network works better?",
            ),
        ],
    ),
]

CONTRACT_CODES = [
    "RME_META_COMUN",
    "RME_AGENDA_PRIORIDADES",
    "RME_MEJORA_GESTION",
    "RME_VINCULO_COMUNIDAD",
    "RME_INTERES_REUNIONES",
]


def load_default_instrument(*, apps=global_apps):
    """Create `rme-monitoreo` v1 with its sections and questions when missing.
    Idempotent; `apps` lets the data migration use the historical models."""
    Instrument = apps.get_model("monitoring", "Instrument")
    Section = apps.get_model("monitoring", "Section")
    Question = apps.get_model("monitoring", "Question")
    if Instrument.objects.filter(slug=SLUG).exists():
        return Instrument.objects.get(slug=SLUG)
    instrument = Instrument.objects.create(
        slug=SLUG, family=SLUG, name=NAME, version=1, language="es", description=DESCRIPTION
    )
    questions = []
    for section_order, (title_es, title_en, items) in enumerate(SECTIONS, start=1):
        section = Section.objects.create(
            instrument=instrument, order=section_order, title_es=title_es, title_en=title_en
        )
        for order, item in enumerate(items, start=1):
            code, kind, construct, required, text_es, text_en, *rest = item
            options = [{"value": v, "es": es, "en": en} for v, es, en in (rest[0] if rest else [])]
            questions.append(
                Question(
                    instrument=instrument,
                    section=section,
                    order=order,
                    code=code,
                    kind=kind,
                    construct=construct,
                    required=required,
                    text_es=text_es,
                    text_en=text_en,
                    options=options,
                )
            )
    Question.objects.bulk_create(questions)
    return instrument
