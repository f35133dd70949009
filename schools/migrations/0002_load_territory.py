"""The 16 regions of Chile (public facts, written here by hand): code as in
MINEDUC's COD_REG_RBD, traditional roman numeral, official name, the short
name the pages show, and their order from north to south.

Comunas and DEPROV are not loaded here: `import_directory` creates them from
the directory itself (COD_COM_RBD/NOM_COM_RBD, COD_DEPROV_RBD/NOM_DEPROV_RBD)."""

from django.db import migrations

REGIONS = [
    # code, roman, name, short name, order north to south
    (15, "XV", "Región de Arica y Parinacota", "Arica y Parinacota", 1),
    (1, "I", "Región de Tarapacá", "Tarapacá", 2),
    (2, "II", "Región de Antofagasta", "Antofagasta", 3),
    (3, "III", "Región de Atacama", "Atacama", 4),
    (4, "IV", "Región de Coquimbo", "Coquimbo", 5),
    (5, "V", "Región de Valparaíso", "Valparaíso", 6),
    (13, "XIII", "Región Metropolitana de Santiago", "Metropolitana", 7),
    (6, "VI", "Región del Libertador General Bernardo O'Higgins", "O'Higgins", 8),
    (7, "VII", "Región del Maule", "Maule", 9),
    (16, "XVI", "Región de Ñuble", "Ñuble", 10),
    (8, "VIII", "Región del Biobío", "Biobío", 11),
    (9, "IX", "Región de La Araucanía", "La Araucanía", 12),
    (14, "XIV", "Región de Los Ríos", "Los Ríos", 13),
    (10, "X", "Región de Los Lagos", "Los Lagos", 14),
    (11, "XI", "Región de Aysén del General Carlos Ibáñez del Campo", "Aysén", 15),
    (12, "XII", "Región de Magallanes y de la Antártica Chilena", "Magallanes", 16),
]


def load_regions(apps, schema_editor=None):
    """Create or update the 16 regions; idempotent (tests call it again after
    a transactional test has flushed the tables)."""
    region_model = apps.get_model("schools", "Region")
    region_model.objects.bulk_create(
        [
            region_model(code=code, roman=roman, name=name, short_name=short, order=order)
            for code, roman, name, short, order in REGIONS
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["roman", "name", "short_name", "order"],
    )


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
