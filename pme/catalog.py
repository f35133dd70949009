"""The dimensions and subdimensions of the Estándares Indicativos de
Desempeño that organise a PME, shipped as data: the data migration and the
tests load them with `load_catalog()`. Names are marked for translation and
shown through gettext."""

from django.apps import apps as global_apps
from django.utils.translation import gettext_noop

DIMENSIONS = [
    (
        "gestion_pedagogica",
        gettext_noop("Gestión pedagógica"),
        [
            ("gestion_curricular", gettext_noop("Gestión curricular")),
            ("ensenanza_aprendizaje", gettext_noop("Enseñanza y aprendizaje en el aula")),
            ("apoyo_estudiantes", gettext_noop("Apoyo al desarrollo de los estudiantes")),
        ],
    ),
    (
        "liderazgo",
        gettext_noop("Liderazgo"),
        [
            ("liderazgo_sostenedor", gettext_noop("Liderazgo del sostenedor")),
            ("liderazgo_director", gettext_noop("Liderazgo del director")),
            ("planificacion_resultados", gettext_noop("Planificación y gestión de resultados")),
        ],
    ),
    (
        "formacion_convivencia",
        gettext_noop("Formación y convivencia"),
        [
            ("formacion", gettext_noop("Formación")),
            ("convivencia", gettext_noop("Convivencia")),
            ("participacion", gettext_noop("Participación y vida democrática")),
        ],
    ),
    (
        "gestion_recursos",
        gettext_noop("Gestión de recursos"),
        [
            ("gestion_personal", gettext_noop("Gestión del personal")),
            ("recursos_financieros", gettext_noop("Gestión de recursos financieros")),
            ("recursos_educativos", gettext_noop("Gestión de recursos educativos")),
        ],
    ),
]


def load_catalog(*, apps=global_apps):
    """Create or update the four dimensions and twelve subdimensions.
    Idempotent; `apps` lets the data migration pass its historical models."""
    dimension_model = apps.get_model("pme", "Dimension")
    subdimension_model = apps.get_model("pme", "Subdimension")
    for order, (code, name, subdimensions) in enumerate(DIMENSIONS, start=1):
        dimension_model.objects.update_or_create(code=code, defaults={"name": name, "order": order})
        for sub_order, (sub_code, sub_name) in enumerate(subdimensions, start=1):
            subdimension_model.objects.update_or_create(
                code=sub_code,
                defaults={"name": sub_name, "dimension_id": code, "order": order * 10 + sub_order},
            )
