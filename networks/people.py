"""People: bring directivos, supervisors, sostenedor representatives and
analysts into the platform with their positions, scopes and memberships.

`import_users` reads the CSV staff keep (one person a row) and is
all-or-nothing: every row is checked first, errors name the row and column,
and only a clean file is written, in one transaction, sending invitations to
those who have no password yet.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from rme_platform.accounts.models import Role, User
from rme_platform.accounts.services import invite_user
from rme_platform.spreadsheets import decode_upload, read_csv_rows, sniff_delimiter
from schools.directory import RowProblems
from schools.models import (
    AnalystScope,
    Deprov,
    Position,
    School,
    Sostenedor,
    SostenedorRepresentative,
    SupervisorProfile,
)
from schools.validators import RBD_PATTERN, RUT_PATTERN, modulo11_check_digit, parse_rbd

from . import permissions
from .models import Membership, MembershipRole, Network, NetworkSchool

COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "role",
    "rbd",
    "deprov",
    "sostenedor_rut",
    "networks",
]
ROLES = {"director", "utp", "supervisor", "sostenedor_rep", "analyst"}
MEMBERSHIP_ROLE = {
    "director": MembershipRole.DIRECTIVO,
    "utp": MembershipRole.DIRECTIVO,
    "supervisor": MembershipRole.SUPERVISOR,
    "sostenedor_rep": MembershipRole.SOSTENEDOR_REP,
    "analyst": MembershipRole.GUEST,
}


@dataclass
class PersonRow:
    number: int
    email: str
    first_name: str
    last_name: str
    role: str
    school: School | None = None
    deprov: Deprov | None = None
    sostenedor: Sostenedor | None = None
    networks: list = field(default_factory=list)
    language: str = ""


@dataclass
class UsersImportResult:
    created: int = 0
    updated: int = 0
    invited: int = 0
    positions: int = 0
    memberships: int = 0
    dry_run: bool = False


def _parse_rut(text):
    match = RUT_PATTERN.match(text)
    if match:
        number, digit = int(match.group(1).replace(".", "")), match.group(2).upper()
        if modulo11_check_digit(number) != digit:
            return None, _("el dígito verificador no corresponde al RUT")
        return number, None
    digits = text.replace(".", "").strip()
    if digits.isdigit():
        return int(digits), None
    return None, _("«%(value)s» no es un RUT") % {"value": text}


def _too_long(value, number, problems):
    """Report the columns longer than the user field they are written to;
    return their names."""
    too_long = set()
    for column in ("email", "first_name", "last_name"):
        limit = User._meta.get_field(column).max_length
        if len(value[column]) > limit:
            too_long.add(column)
            problems.error(
                number,
                column,
                _("tiene %(length)s caracteres; el máximo es %(max)s")
                % {"length": len(value[column]), "max": limit},
            )
    return too_long


def _rbd_number(value):
    """The number of an RBD written with or without its check digit, or None."""
    match = RBD_PATTERN.match(value or "")
    if not match:
        return None
    return int((match.group(1) or match.group(3)).replace(".", "")) or None


def read_people(rows, problems):
    """Check every row against the registry; return PersonRow objects."""
    rows = list(rows)
    rbds = {_rbd_number((r.get("rbd") or "").strip()) for r in rows}
    schools = {s.rbd: s for s in School.objects.filter(rbd__in=rbds - {None})}
    deprovs = {str(d.code): d for d in Deprov.objects.all()}
    ruts = set()
    for r in rows:
        number, _error = _parse_rut((r.get("sostenedor_rut") or "").strip() or "x")
        if number:
            ruts.add(number)
    sostenedores = {s.rut: s for s in Sostenedor.objects.filter(rut__in=ruts)}
    codes = {c for r in rows for c in (r.get("networks") or "").split()}
    networks = {n.code: n for n in Network.objects.filter(code__in=codes)}
    network_schools = set(
        NetworkSchool.objects.filter(network__code__in=codes, left_on__isnull=True).values_list(
            "network__code", "school_id"
        )
    )
    supervisors = {}
    for code, user_email in Membership.objects.filter(
        network__code__in=codes, role=MembershipRole.SUPERVISOR, active=True
    ).values_list("network__code", "user__email"):
        supervisors.setdefault(code, set()).add(user_email.lower())
    people, seen = [], {}
    for number, raw in enumerate(rows, start=1):
        value = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        email = value["email"].lower()
        too_long = _too_long(value, number, problems)
        try:
            if "email" not in too_long:
                validate_email(email)
        except ValidationError:
            problems.error(
                number, "email", _("«%(value)s» no es un correo válido") % {"value": email}
            )
        if email in seen:
            problems.error(
                number, "email", _("el correo ya aparece en la fila %(row)s") % {"row": seen[email]}
            )
        seen.setdefault(email, number)
        role = value["role"]
        if role not in ROLES:
            problems.error(
                number,
                "role",
                _(
                    "«%(value)s» no es un rol; use director, utp, supervisor, sostenedor_rep "
                    "o analyst"
                )
                % {"value": role},
            )
        person = PersonRow(number, email, value["first_name"], value["last_name"], role)
        if role in ("director", "utp"):
            if not value["rbd"]:
                problems.error(number, "rbd", _("falta el RBD del establecimiento"))
            elif _rbd_number(value["rbd"]) is None:
                problems.error(
                    number,
                    "rbd",
                    _(
                        "«%(value)s» no es un RBD; escríbalo con o sin dígito verificador, "
                        "p. ej. 16748-7 o 16748"
                    )
                    % {"value": value["rbd"]},
                )
            elif _rbd_number(value["rbd"]) not in schools:
                problems.error(
                    number,
                    "rbd",
                    _("no existe un establecimiento con RBD «%(value)s»") % {"value": value["rbd"]},
                )
            else:
                school = schools[_rbd_number(value["rbd"])]
                try:
                    parse_rbd(value["rbd"], published_check_digit=school.check_digit)
                except ValidationError:
                    problems.error(
                        number,
                        "rbd",
                        _("el dígito verificador no corresponde al RBD %(rbd)s (es %(digit)s)")
                        % {"rbd": school.rbd, "digit": school.check_digit},
                    )
                else:
                    person.school = school
        if role == "supervisor":
            if not value["deprov"]:
                problems.error(number, "deprov", _("falta el código del departamento provincial"))
            elif value["deprov"] not in deprovs:
                problems.error(
                    number,
                    "deprov",
                    _("no existe el departamento provincial «%(value)s»")
                    % {"value": value["deprov"]},
                )
            else:
                person.deprov = deprovs[value["deprov"]]
        if role == "sostenedor_rep":
            rut, error = (
                _parse_rut(value["sostenedor_rut"])
                if value["sostenedor_rut"]
                else (None, _("falta el RUT del sostenedor"))
            )
            if error:
                problems.error(number, "sostenedor_rut", error)
            elif rut not in sostenedores:
                problems.error(
                    number,
                    "sostenedor_rut",
                    _("no hay un sostenedor con RUT «%(value)s»")
                    % {"value": value["sostenedor_rut"]},
                )
            else:
                person.sostenedor = sostenedores[rut]
        for code in value["networks"].split():
            network = networks.get(code)
            if network is None:
                problems.error(
                    number, "networks", _("no existe la red «%(value)s»") % {"value": code}
                )
                continue
            if person.school is not None and (code, person.school.rbd) not in network_schools:
                problems.error(
                    number,
                    "networks",
                    _("la red %(code)s no incluye el establecimiento RBD %(rbd)s")
                    % {"code": code, "rbd": person.school.rbd},
                )
                continue
            if person.deprov is not None and network.deprov_id != person.deprov.code:
                problems.error(
                    number,
                    "networks",
                    _("la red %(code)s es de otro departamento provincial") % {"code": code},
                )
                continue
            if role == "supervisor":
                pair = supervisors.setdefault(code, set())
                pair.add(email)
                if len(pair) > 2:
                    problems.error(
                        number,
                        "networks",
                        _("la red %(code)s ya tiene su dupla de dos supervisores") % {"code": code},
                    )
                    continue
            person.networks.append(network)
        people.append(person)
    return people


def import_users(*, path_or_file, invited_by=None, dry_run=False):
    """Create or update the people of a CSV file with the header
    email,first_name,last_name,role,rbd,deprov,sostenedor_rut,networks.
    All-or-nothing: raises ValidationError listing "fila N, columna COL: …"
    problems and writes nothing; otherwise writes everything atomically."""
    text, _encoding = decode_upload(path_or_file)
    lines = read_csv_rows(text, delimiter=sniff_delimiter(text))
    header = [h.strip() for h in (lines[0] if lines else [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            [
                _("fila 0, columna %(col)s: falta la columna en el encabezado") % {"col": c}
                for c in missing
            ]
        )
    problems = RowProblems()
    people = read_people(
        [dict(zip(header, line, strict=False)) for line in lines[1:] if line], problems
    )
    if not people:
        problems.error(1, "email", _("el archivo no tiene filas de datos"))
    if invited_by is not None:
        for person in people:
            for column, message in _scope_errors(invited_by, person).items():
                problems.error(person.number, column, message)
    problems.raise_if_any()
    result = UsersImportResult(dry_run=dry_run)
    if dry_run:
        return result
    with transaction.atomic():
        _write_people(people, result, invited_by)
    return result


def _scope_errors(granter, person):
    """What of this row lies outside what `granter` may give (see
    permissions.grant_scope_errors); rows with an unknown role are already
    refused by read_people."""
    if person.role not in ROLES:
        return {}
    return permissions.grant_scope_errors(
        granter,
        role=person.role,
        school=person.school,
        deprov=person.deprov,
        sostenedor=person.sostenedor,
        networks=person.networks,
    )


def _write_people(people, result, invited_by):
    existing = {
        u.email.lower(): u for u in User.objects.filter(email__in=[p.email for p in people])
    }
    for person in people:
        user = existing.get(person.email)
        if user is None or not user.has_usable_password():
            invite_user(
                email=person.email,
                role=person.role,
                invited_by=invited_by,
                first_name=person.first_name,
                last_name=person.last_name,
                language=person.language or None,
            )
            user = User.objects.get(email=person.email)
            result.invited += 1
            result.created += person.email not in existing
            result.updated += person.email in existing
        else:
            user.first_name = person.first_name or user.first_name
            user.last_name = person.last_name or user.last_name
            user.role = person.role
            user.save(update_fields=["first_name", "last_name", "role"])
            result.updated += 1
        _apply_role(user, person, result, invited_by)


def _apply_role(user, person, result, granter=None):
    if person.school is not None:
        _position, created = Position.objects.active().get_or_create(
            user=user, school=person.school, role=person.role
        )
        result.positions += created
    if person.deprov is not None:
        SupervisorProfile.objects.update_or_create(user=user, defaults={"deprov": person.deprov})
    if person.sostenedor is not None:
        SostenedorRepresentative.objects.get_or_create(user=user, sostenedor=person.sostenedor)
    if person.role == Role.ANALYST:
        national, regions = permissions.analyst_scope_to_grant(granter)
        scope, created = AnalystScope.objects.get_or_create(
            user=user, defaults={"national": national}
        )
        if created and regions:
            scope.regions.set(regions)
    for network in person.networks:
        role = MEMBERSHIP_ROLE[person.role]
        _membership, created = Membership.objects.update_or_create(
            network=network,
            user=user,
            defaults={"role": role, "school": person.school, "active": True},
        )
        result.memberships += created


def invite_person(
    *,
    by,
    email,
    role,
    first_name="",
    last_name="",
    rbd="",
    deprov="",
    sostenedor_rut="",
    networks="",
    language="",
):
    """Invite one person: the one invitation service, behind the one
    invitation page (/people/invite/). Same checks as a row of import_users
    for the roles that hold a place (school, DEPROV, sostenedor, networks);
    a ministry admin (only an admin may invite one) holds none. Someone with
    a password keeps it: their role and places are updated, and nobody is
    emailed."""
    if role == Role.ADMIN:
        if any(str(value or "").strip() for value in (rbd, deprov, sostenedor_rut, networks)):
            raise ValidationError(
                _(
                    "Un administrador del ministerio no lleva establecimiento, departamento "
                    "ni redes."
                )
            )
        return invite_user(
            email=email,
            role=role,
            invited_by=by,
            first_name=first_name,
            last_name=last_name,
            language=language or None,
        ).user
    row = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "role": role,
        "rbd": str(rbd or ""),
        "deprov": str(deprov or ""),
        "sostenedor_rut": sostenedor_rut or "",
        "networks": networks or "",
    }
    problems = RowProblems()
    (person,) = read_people([row], problems)
    if problems.error_count:
        # The row's messages, placed on the form's fields (its columns) and
        # begun with a capital, as a sentence on its own.
        errors = {}
        for issue in problems.error_issues:
            errors.setdefault(issue.column, []).append(capfirst(issue.message))
        raise ValidationError(errors)
    person.language = language
    if not permissions.is_admin(by):
        errors = _scope_errors(by, person)
        if errors:
            raise ValidationError(errors)
        # Only the ministry changes the role of an account that exists: an
        # account with a password, or one invited (by someone else) with
        # another role.
        existing = User.objects.filter(email__iexact=person.email).first()
        if existing is not None and (
            (existing.role or existing.has_usable_password()) and existing.role != person.role
        ):
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s ya tiene una cuenta con otro rol; solo el ministerio "
                        "puede cambiarla."
                    )
                    % {"email": person.email}
                }
            )
    result = UsersImportResult()
    with transaction.atomic():
        _write_people([person], result, by)
    return User.objects.get(email=person.email)
