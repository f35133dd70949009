"""Load the 16 regions, the DEPROV and the 346 comunas shipped in schools/data."""

from django.db import migrations


def load(apps, schema_editor):
    from schools.services import load_territory

    load_territory(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
