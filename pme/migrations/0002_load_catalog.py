"""Load the catalog of dimensions and subdimensions (pme/catalog.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from pme.catalog import load_catalog

    load_catalog(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("pme", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
