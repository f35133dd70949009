"""The whole 2025 directory, as published, on PostgreSQL (run in CI, which
has the official files in RME_DATA_DIR)."""

import time

import pytest
from django.db.models import Count

from schools.demo import CATEGORIES_FILE, DIRECTORY_FILE
from schools.models import Comuna, Deprov, PerformanceCategory, School, Sostenedor
from schools.services import import_categories, import_directory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_full_2025_directory_reproduces_the_published_figures(official_file):
    FULL = official_file(DIRECTORY_FILE)
    Comuna.objects.all().delete()  # the tests' own territory: the file brings its own
    Deprov.objects.all().delete()
    started = time.perf_counter()
    result = import_directory(path_or_file=FULL)
    first = time.perf_counter() - started

    assert (result.rows, result.created) == (16_768, 16_768)
    assert School.objects.count() == 16_768
    assert result.by_dependency == {1: 538, 2: 4_158, 3: 7_658, 4: 2_183, 5: 70, 6: 2_161}
    assert result.by_status == {1: 12_038, 2: 782, 3: 3_870, 4: 78}
    assert result.sostenedores == Sostenedor.objects.count() == 7_039
    assert result.without_sostenedor == {0: 946, 9: 1_003}
    assert result.without_coordinates == 3_267
    assert result.warning_counts == {
        "check_digit": 50,
        "name_missing": 30,
        "coordinates_malformed": 2,
        "coordinates_swapped": 1,
    }
    assert School.objects.values("comuna").distinct().count() == 346
    assert School.objects.values("deprov").distinct().count() == 42
    # The territory comes from the file itself.
    assert (result.comunas, result.comunas_created) == (346, 346)
    assert (result.deprovs, result.deprovs_created) == (42, 42)
    assert Comuna.objects.count() == 346 and Deprov.objects.count() == 42
    santiago = Comuna.objects.get(cut=13101)
    assert (santiago.name, santiago.deprov_id, santiago.region_id) == ("Santiago", 131, 13)
    assert Comuna.objects.get(cut=13203).name == "San José de Maipo"
    assert Deprov.objects.get(code=81).region_id == 16  # Ñuble's DEPROV, not province 81
    assert (
        School.objects.filter(dependency__in=[1, 2, 3, 5, 6], status=1).count() == 10_777
    )  # subsidized schools in operation

    started = time.perf_counter()
    again = import_directory(path_or_file=FULL)
    second = time.perf_counter() - started
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16_768)
    # Generous bounds for a CI machine; bench/ measures the real figures.
    assert first < 15 and second < 10

    categories = import_categories(path_or_file=official_file(CATEGORIES_FILE), year=2019)
    assert categories.rows == 7_914
    counts = dict(
        PerformanceCategory.objects.values_list("category").annotate(n=Count("id")).order_by()
    )
    assert counts == {
        "alto": 839,
        "medio": 3_146,
        "medio_bajo": 1_332,
        "medio_bajo_nuevo": 15,
        "insuficiente": 343,
        "sin_categoria_baja_matricula": 2_157,
        "sin_categoria_falta_informacion": 82,
    }
