"""Run by tests/platform/test_sqlite_concurrency.py in a subprocess, against
a fresh SQLite file (the default set-up of `make run`): migrate, open a
campaign for 20 directors, then post 20 autosaves at the same instant from
20 threads, each with its own connection, as runserver's threads would.
Prints a JSON summary on its last line."""

import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rme_platform.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)

from monitoring import services  # noqa: E402
from monitoring.models import Draft, Invitation  # noqa: E402
from schools.models import Comuna  # noqa: E402
from tests.factories import (  # noqa: E402
    CampaignFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SchoolFactory,
    UserFactory,
)
from tests.territory import load_test_territory  # noqa: E402

SAVES = 20

load_test_territory()
admin = UserFactory(role="admin", is_staff=True)
network = NetworkFactory(code="RME-07-990", name="Red de la prueba", deprov_id=72)
for i in range(SAVES):
    school = SchoolFactory(comuna=Comuna.objects.get(cut=7101), name=f"Escuela {i:02d}")
    NetworkSchoolFactory(network=network, school=school)
    PositionFactory(school=school)
campaign = CampaignFactory(slug="rme-sqlite", target="networks")
campaign.target_networks.set([network])
services.open_campaign(by=admin, campaign=campaign, send=False)
tokens = [i.token for i in Invitation.objects.filter(campaign=campaign)]
assert len(tokens) == SAVES, tokens
journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
connections.close_all()

barrier = threading.Barrier(SAVES)
statuses = [None] * SAVES


def autosave(index):
    client = Client(HTTP_HOST="127.0.0.1")
    barrier.wait()
    try:
        response = client.post(
            f"/monitoring/respond/{tokens[index]}/save/",
            {"RME_FRECUENCIA_REUNIONES": "2", "RME_FRECUENCIA_ADECUADA": "2"},
        )
        statuses[index] = response.status_code
    except Exception as exc:  # noqa: BLE001 - reported, the test fails on it
        statuses[index] = f"{type(exc).__name__}: {exc}"
    finally:
        connections.close_all()


threads = [threading.Thread(target=autosave, args=(i,)) for i in range(SAVES)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"journal": journal, "statuses": statuses, "drafts": Draft.objects.count()}))
