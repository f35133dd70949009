"""Load the default instrument `rme-monitoreo` (see monitoring/default_instrument.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from monitoring.default_instrument import load_default_instrument

    load_default_instrument(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
