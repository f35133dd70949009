"""The territory the tests stand on, written by the project: the Maule
region's comunas and DEPROV (those of the generated demo directory) and a few
comunas elsewhere for the tests that cross regions. Regions come from the
data migration; an import of a directory would create the rest the same way."""

from schools.demo import COMUNAS, DEPROVS, REGION
from schools.directory import place_name

# DEPROV code -> (name, region), comunas (CUT, name, DEPROV) outside Maule.
OTHER_DEPROVS = {
    11: ("IQUIQUE", 1),
    51: ("QUILLOTA", 5),
    121: ("MAGALLANES", 12),
    131: ("SANTIAGO CENTRO", 13),
    136: ("CORDILLERA", 13),
    151: ("ARICA", 15),
}
OTHER_COMUNAS = [
    (1101, "Iquique", 11),
    (5501, "Quillota", 51),
    (12202, "Antártica", 121),
    (13101, "Santiago", 131),
    (13110, "La Florida", 136),
    (15101, "Arica", 151),
]


def load_test_territory():
    from schools.models import Comuna, Deprov
    from schools.services import ensure_regions

    ensure_regions()
    deprovs = {code: (name, REGION) for code, name in DEPROVS.items()} | OTHER_DEPROVS
    Deprov.objects.bulk_create(
        [
            Deprov(code=code, name=name, region_id=region)
            for code, (name, region) in deprovs.items()
        ],
        ignore_conflicts=True,
    )
    comunas = [(cut, place_name(name), deprov) for cut, name, deprov, _large in COMUNAS]
    Comuna.objects.bulk_create(
        [
            Comuna(
                cut=cut,
                name=name,
                province_code=cut // 100,
                region_id=cut // 1000,
                deprov_id=deprov,
            )
            for cut, name, deprov in [*comunas, *OTHER_COMUNAS]
        ],
        ignore_conflicts=True,
    )
