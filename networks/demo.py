"""Demo and national-scale data built around the school directory: the real
2025 directory where settings.RME_DATA_DIR holds it, else a generated one
(see schools.demo; the national scale needs the real one).

Both are repeatable: the same seed gives the same data, and running a
seeder twice leaves the database as after the first run.

- `seed_small()`: the Maule region (4 DEPROV), 6 networks of real schools,
  a named account per role plus the other directivos of the demo schools.
  The networks are of the current school year (March to December, from
  timezone.localdate()); the apps' demos give them the meetings and plans
  of that year and of the two before (their earlier survey waves).
- `seed_national()`: the national shape of DESIGN.md section 7: the 10,777
  subsidized schools in operation, ~600 networks of 10–25 schools within a
  DEPROV, their supervisors (a dupla per network), a director and a head of
  UTP per school (~21,500 directivos) and sostenedor representatives.
"""

import io
import random

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from rme_platform.accounts.models import Role, User
from rme_platform.management.demo import (
    DEMO_PASSWORD,
    DEMO_SEED,
    DEMO_TOTP_SECRET,
    DEMO_USERS,
    school_year,
)
from schools.demo import (
    CATEGORIES_FILE,
    DIRECTORY_FILE,
    FIRST_RBD,
    categories_workbook,
    directory_rows,
    encode_directory,
    official_file,
)
from schools.models import (
    AnalystScope,
    Deprov,
    PerformanceCategory,
    Position,
    School,
    Sostenedor,
    SostenedorRepresentative,
    SupervisorProfile,
)
from schools.services import import_categories, import_directory

from .models import (
    ExternalPartner,
    Membership,
    MembershipRole,
    Network,
    NetworkSchool,
    PartnerKind,
)

SUBSIDIZED = [1, 2, 3, 5, 6]
DEMO_REGION = 7  # Maule: DEPROV Curicó, Talca, Linares, Cauquenes
DEMO_NETWORKS = [
    # code, name, deprov, comuna CUTs the schools come from, size
    ("RME-07-001", "Red Talca Centro", 72, [7101], 10),
    ("RME-07-002", "Red Talca Rural", 72, [7102, 7103, 7104, 7105, 7106], 10),
    ("RME-07-003", "Red Curicó", 71, [7301], 10),
    ("RME-07-004", "Red Valle del Teno", 71, [7302, 7303, 7304, 7305, 7306], 10),
    ("RME-07-005", "Red Linares", 73, [7401], 10),
    ("RME-07-006", "Red Costa Cauquenes", 74, [7201, 7202, 7203], 10),
]
FIRST_NAMES = [
    "Ana",
    "Andrés",
    "Bárbara",
    "Carlos",
    "Carolina",
    "Claudio",
    "Daniela",
    "Diego",
    "Elena",
    "Felipe",
    "Francisca",
    "Gabriel",
    "Ignacio",
    "Isabel",
    "Javiera",
    "Jorge",
    "José",
    "Lorena",
    "Luis",
    "Macarena",
    "María",
    "Matías",
    "Natalia",
    "Pablo",
    "Patricia",
    "Paula",
    "Pedro",
    "Rodrigo",
    "Sebastián",
    "Sofía",
    "Valentina",
    "Verónica",
    "Ximena",
]
LAST_NAMES = [
    "Araya",
    "Bravo",
    "Cáceres",
    "Contreras",
    "Díaz",
    "Espinoza",
    "Fuentes",
    "González",
    "Gutiérrez",
    "Hernández",
    "Jara",
    "López",
    "Martínez",
    "Morales",
    "Muñoz",
    "Núñez",
    "Pérez",
    "Pizarro",
    "Reyes",
    "Rojas",
    "Sandoval",
    "Silva",
    "Soto",
    "Tapia",
    "Torres",
    "Valenzuela",
    "Vargas",
    "Vega",
]


def demo_networks():
    """The six demo networks (Maule)."""
    return Network.objects.filter(code__in=[code for code, *_rest in DEMO_NETWORKS])


def _name(rng):
    return rng.choice(FIRST_NAMES), f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"


class OfficialFileMissing(Exception):
    """The national seed needs the real directory, which is not where
    settings.RME_DATA_DIR says."""


def ensure_registry(stdout=None, *, national=False):
    """The school registry the demo stands on, imported through the same
    commands a ministry uses. With settings.RME_DATA_DIR holding the official
    files: the 2025 directory and the 2019 categories. Without them: a
    directory and a categories workbook generated in the official layouts
    (invented schools in the Maule region; see schools.demo). The national
    scale needs the real directory and raises OfficialFileMissing without it."""
    directory = official_file(DIRECTORY_FILE)
    if national and directory is None:
        raise OfficialFileMissing(DIRECTORY_FILE)
    real_imported = School.objects.filter(rbd__lt=FIRST_RBD).exists()
    if directory and not real_imported and (national or not School.objects.exists()):
        result = import_directory(path_or_file=directory)
        if stdout:
            stdout.write(f"Imported the 2025 directory from {directory}: {result.rows} schools.")
        categories = official_file(CATEGORIES_FILE)
        if categories and not PerformanceCategory.objects.filter(year=2019).exists():
            import_categories(path_or_file=categories, year=2019)
            if stdout:
                stdout.write(f"Imported the 2019 performance categories from {categories}.")
        return
    if School.objects.exists():
        return
    header, rows, sostenedor_names = directory_rows(seed=DEMO_SEED)
    result = import_directory(path_or_file=io.BytesIO(encode_directory(header, rows)))
    # The directory names no private sostenedor; the demo invents their names,
    # as an administrator would write them in (imports keep names set by hand).
    named = list(Sostenedor.objects.filter(rut__in=sostenedor_names))
    for sostenedor in named:
        sostenedor.name = sostenedor_names[sostenedor.rut]
    Sostenedor.objects.bulk_update(named, ["name"])
    import_categories(path_or_file=categories_workbook(header, rows, seed=DEMO_SEED), year=2019)
    if stdout:
        stdout.write(
            f"Imported a generated directory ({result.rows} invented schools in the Maule "
            "region) and its performance categories: RME_DATA_DIR holds no official files."
        )


def operating_subsidized():
    return School.objects.filter(status=1, dependency__in=SUBSIDIZED, absent=False)


def _bulk_users(rows, password_hash):
    """Create users (email, first, last, role) that do not exist yet, with
    verified emails; return {email: user}."""
    emails = [row[0] for row in rows]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = [
        User(
            email=email,
            first_name=first,
            last_name=last,
            role=role,
            password=password_hash,
            date_joined=timezone.now(),
        )
        for email, first, last, role in rows
        if email not in existing
    ]
    User.objects.bulk_create(new, batch_size=2000)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    have_address = set(
        EmailAddress.objects.filter(email__in=emails).values_list("email", flat=True)
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[email], email=email, verified=True, primary=True)
            for email in emails
            if email not in have_address
        ],
        batch_size=2000,
    )
    return users


@transaction.atomic
def seed_small(stdout=None):
    """The demo of `make run`: see the module docstring."""
    ensure_registry(stdout)
    rng = random.Random(DEMO_SEED)
    year = school_year()
    password_hash = make_password(DEMO_PASSWORD)
    named = _bulk_users(DEMO_USERS, password_hash)
    for email, *_rest, role in DEMO_USERS:
        user = named[email]
        if role == Role.ADMIN and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if role in (Role.ADMIN, Role.ANALYST) and not has_totp:
            TOTP.activate(user, DEMO_TOTP_SECRET)
    analyst = named["analista@demo.rme.cl"]
    AnalystScope.objects.get_or_create(user=analyst, defaults={"national": True})

    taken = set()
    networks = []
    for code, name, deprov_code, comunas, size in DEMO_NETWORKS:
        network, _created = Network.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "deprov_id": deprov_code,
                "year": year,
                "description": "Red de mejoramiento escolar de la demostración.",
                "work_plan": (
                    f"## Foco {year}\n\n- Lectura en primer ciclo\n- Convivencia escolar\n"
                    "- Vínculo con la comunidad"
                ),
            },
        )
        schools = list(
            operating_subsidized()
            .filter(comuna_id__in=comunas)
            .exclude(rbd__in=taken)
            .order_by("rbd")[:size]
        )
        taken.update(s.rbd for s in schools)
        have = set(
            NetworkSchool.objects.filter(network=network, left_on__isnull=True).values_list(
                "school_id", flat=True
            )
        )
        NetworkSchool.objects.bulk_create(
            [NetworkSchool(network=network, school=s) for s in schools if s.rbd not in have]
        )
        networks.append((network, schools))

    # Supervisors: a dupla per DEPROV; the demo supervisor and a colleague
    # form Talca's.
    colleague = _bulk_users(
        [("supervisor2@demo.rme.cl", "Tomás", "Supervisor Talca", Role.SUPERVISOR)],
        password_hash,
    )["supervisor2@demo.rme.cl"]
    supervisors = {72: [named["supervisora@demo.rme.cl"], colleague]}
    for deprov in Deprov.objects.filter(code__in=[71, 73, 74]).order_by("code"):
        emails = [f"supervisor.{deprov.code}{n}@demo.rme.cl" for n in ("", ".2")]
        people = _bulk_users(
            [(email, *_name(rng), Role.SUPERVISOR) for email in emails], password_hash
        )
        supervisors[deprov.code] = [people[email] for email in emails]
    for deprov_code, people in supervisors.items():
        for person in people:
            SupervisorProfile.objects.get_or_create(
                user=person, defaults={"deprov_id": deprov_code}
            )

    # Directivos: the named director and UTP head lead the first school of
    # the first network; every other school gets a synthetic pair.
    first_school = networks[0][1][0]
    rows = []
    for _network, schools in networks:
        for school in schools:
            if school.rbd == first_school.rbd:
                continue
            for role in (Role.DIRECTOR, Role.UTP):
                first, last = _name(rng)
                rows.append((f"{role}.{school.rbd}@demo.rme.cl", first, last, role))
    users = _bulk_users(rows, password_hash)
    users[f"director.{first_school.rbd}@demo.rme.cl"] = named["directora@demo.rme.cl"]
    users[f"utp.{first_school.rbd}@demo.rme.cl"] = named["utp@demo.rme.cl"]
    positions, memberships = [], []
    existing_positions = set(Position.objects.values_list("user_id", "school_id"))
    existing_members = set(Membership.objects.values_list("network_id", "user_id"))
    for network, schools in networks:
        for school in schools:
            for role in (Role.DIRECTOR, Role.UTP):
                user = users[f"{role}.{school.rbd}@demo.rme.cl"]
                if (user.pk, school.rbd) not in existing_positions:
                    positions.append(Position(user=user, school=school, role=role))
                if (network.pk, user.pk) not in existing_members:
                    memberships.append(
                        Membership(
                            network=network, user=user, role=MembershipRole.DIRECTIVO, school=school
                        )
                    )
        for person in supervisors[network.deprov_id]:
            if (network.pk, person.pk) not in existing_members:
                memberships.append(
                    Membership(network=network, user=person, role=MembershipRole.SUPERVISOR)
                )
    # The sostenedor representative of the first school's sostenedor.
    rep = named["sostenedor@demo.rme.cl"]
    if first_school.sostenedor_id:
        SostenedorRepresentative.objects.get_or_create(
            user=rep, sostenedor_id=first_school.sostenedor_id
        )
        if (networks[0][0].pk, rep.pk) not in existing_members:
            memberships.append(
                Membership(network=networks[0][0], user=rep, role=MembershipRole.SOSTENEDOR_REP)
            )
    Position.objects.bulk_create(positions)
    Membership.objects.bulk_create(memberships)

    partners = [
        ("Universidad de Talca", PartnerKind.UNIVERSITY, 0),
        ("CESFAM Talca Oriente", PartnerKind.HEALTH, 0),
        ("Oficina de Protección de Derechos de Curicó", PartnerKind.MUNICIPAL_OFFICE, 2),
        ("Fundación Leer Maule", PartnerKind.NGO, 4),
    ]
    for name, kind, index in partners:
        partner, _created = ExternalPartner.objects.get_or_create(name=name, kind=kind)
        partner.networks.add(networks[index][0])
    return {"networks": len(networks), "schools": len(taken), "year": year}


def _chunks(rng, items, low=10, high=25):
    """Split items in consecutive groups of low..high (needs high >= 2 * low - 1).
    Each cut leaves at least `low` items, so no group is short or oversized
    unless there are fewer than `low` items in all."""
    groups, i = [], 0
    while i < len(items):
        rest = len(items) - i
        size = rest if rest <= high else rng.randint(low, min(high, rest - low))
        groups.append(items[i : i + size])
        i += size
    return groups


@transaction.atomic
def seed_national(*, seed=DEMO_SEED, stdout=None):
    """National shape on the real directory; see the module docstring.
    Repeatable: it first removes what an earlier national seeding created."""
    ensure_registry(stdout, national=True)
    rng = random.Random(seed)
    year = school_year()
    domain = "nacional.demo.rme.cl"
    Network.objects.filter(code__startswith="RME-N").delete()
    stale = User.objects.filter(email__endswith="@" + domain)
    Position.objects.filter(user__in=stale).delete()
    EmailAddress.objects.filter(user__in=stale).delete()
    stale.delete()
    password_hash = make_password(DEMO_PASSWORD)

    schools = list(
        operating_subsidized()
        .filter(rbd__lt=FIRST_RBD)  # the real directory's schools, not generated ones
        .exclude(network_links__left_on__isnull=True, network_links__network__year=year)
        .values_list("rbd", "deprov_id", "sostenedor_id", "deprov__region_id")
        .order_by("deprov_id", "comuna_id", "rbd")
    )
    by_deprov = {}
    for rbd, deprov, sostenedor, region in schools:
        by_deprov.setdefault(deprov, []).append((rbd, sostenedor, region))

    networks, groups = [], []
    sequence = {}
    for deprov, members in sorted(by_deprov.items()):
        for group in _chunks(rng, members):
            region = group[0][2]
            sequence[region] = sequence.get(region, 0) + 1
            code = f"RME-N{region:02d}-{sequence[region]:03d}"
            networks.append(Network(code=code, name=f"Red {code[4:]}", deprov_id=deprov, year=year))
            groups.append(group)
    # bulk_create sets the primary keys on PostgreSQL and SQLite.
    Network.objects.bulk_create(networks, batch_size=1000)
    NetworkSchool.objects.bulk_create(
        [
            NetworkSchool(network=network, school_id=rbd)
            for network, group in zip(networks, groups, strict=True)
            for rbd, _sostenedor, _region in group
        ],
        batch_size=5000,
    )

    # People: a director and a UTP head per school, a dupla per network from
    # a pool of supervisors per DEPROV, a representative per large sostenedor.
    rows, supervisors_by_deprov = [], {}
    for rbd, _deprov, _sostenedor, _region in schools:
        for role in (Role.DIRECTOR, Role.UTP):
            first, last = _name(rng)
            rows.append((f"{role}.{rbd}@{domain}", first, last, role))
    networks_per_deprov = {}
    for network in networks:
        networks_per_deprov[network.deprov_id] = networks_per_deprov.get(network.deprov_id, 0) + 1
    for deprov, count in sorted(networks_per_deprov.items()):
        pool = max(2, count // 2 + 1)
        supervisors_by_deprov[deprov] = [f"supervisor.{deprov}.{i}@{domain}" for i in range(pool)]
        for email in supervisors_by_deprov[deprov]:
            first, last = _name(rng)
            rows.append((email, first, last, Role.SUPERVISOR))
    sostenedor_counts = {}
    for _rbd, _deprov, sostenedor, _region in schools:
        if sostenedor:
            sostenedor_counts[sostenedor] = sostenedor_counts.get(sostenedor, 0) + 1
    large = sorted(s for s, n in sostenedor_counts.items() if n >= 5)
    for sostenedor in large:
        first, last = _name(rng)
        rows.append((f"sostenedor.{sostenedor}@{domain}", first, last, Role.SOSTENEDOR_REP))
    for i in range(1, 4):
        first, last = _name(rng)
        rows.append((f"analista.{i}@{domain}", first, last, Role.ANALYST))
    users = _bulk_users(rows, password_hash)

    SupervisorProfile.objects.bulk_create(
        [
            SupervisorProfile(user=users[email], deprov_id=deprov)
            for deprov, emails in supervisors_by_deprov.items()
            for email in emails
        ]
    )
    SostenedorRepresentative.objects.bulk_create(
        [
            SostenedorRepresentative(user=users[f"sostenedor.{s}@{domain}"], sostenedor_id=s)
            for s in large
        ]
    )
    AnalystScope.objects.bulk_create(
        [AnalystScope(user=users[f"analista.{i}@{domain}"], national=True) for i in range(1, 4)]
    )
    positions, memberships = [], []
    large_set = set(large)
    for network, group in zip(networks, groups, strict=True):
        reps = set()
        for rbd, sostenedor, _region in group:
            for role in (Role.DIRECTOR, Role.UTP):
                user = users[f"{role}.{rbd}@{domain}"]
                positions.append(Position(user=user, school_id=rbd, role=role))
                memberships.append(
                    Membership(
                        network=network, user=user, role=MembershipRole.DIRECTIVO, school_id=rbd
                    )
                )
            if sostenedor in large_set:
                reps.add(sostenedor)
        pool = supervisors_by_deprov[network.deprov_id]
        for email in rng.sample(pool, 2):
            memberships.append(
                Membership(network=network, user=users[email], role=MembershipRole.SUPERVISOR)
            )
        for sostenedor in sorted(reps):
            memberships.append(
                Membership(
                    network=network,
                    user=users[f"sostenedor.{sostenedor}@{domain}"],
                    role=MembershipRole.SOSTENEDOR_REP,
                )
            )
    Position.objects.bulk_create(positions, batch_size=5000)
    Membership.objects.bulk_create(memberships, batch_size=5000)
    _analyze(
        School, Network, NetworkSchool, Membership, User, EmailAddress, Position, SupervisorProfile
    )
    return {
        "schools": len(schools),
        "networks": len(networks),
        "users": len(users),
        "directivos": sum(1 for r in rows if r[3] in (Role.DIRECTOR, Role.UTP)),
        "memberships": len(memberships),
    }


def _analyze(*models):
    """Give the PostgreSQL planner statistics for the tables just filled:
    until autovacuum gets to them (if it runs at all) it assumes tiny tables
    and picks plans that are far too slow at national scale."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in models))
