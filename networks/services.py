"""Operations that change networks. Views, the API, commands and the demo
seeder call these; each validates, runs atomically and raises ValidationError
with a translated message naming the field."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rme_platform import audit
from rme_platform.accounts.models import User
from schools.models import Position, School, SupervisorProfile

from . import permissions
from .models import (
    ExternalPartner,
    Membership,
    MembershipRole,
    Network,
    NetworkSchool,
    NetworkStatus,
    PartnerKind,
)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,29}$")
MAX_SUPERVISORS = 2


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _clean_code(code):
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationError(
            {
                "code": _(
                    "El código debe tener de 3 a 30 letras, números o guiones, p. ej. RME-13-042."
                )
            }
        )
    return code


def create_network(*, by, code, name, deprov, year, description="", work_plan="", supervise=False):
    """Create a network of `deprov`. Only admins and that DEPROV's
    supervisors may. With `supervise`, a supervisor creating it becomes one
    of its supervisors (its dupla) in the same transaction. Raises
    ValidationError for a taken code."""
    _require(permissions.manageable_deprovs(by).filter(pk=deprov.pk).exists())
    code = _clean_code(code)
    if not (name or "").strip():
        raise ValidationError({"name": _("Indique el nombre de la red.")})
    _check_year(year)
    with transaction.atomic():
        if Network.objects.filter(code=code).exists():
            raise ValidationError(
                {"code": _("Ya existe una red con el código %(code)s.") % {"code": code}}
            )
        network = Network.objects.create(
            code=code,
            name=name.strip(),
            deprov=deprov,
            year=year,
            description=description,
            work_plan=work_plan,
        )
        if supervise and permissions.is_supervisor(by):
            add_member(by=by, network=network, user=by, role=MembershipRole.SUPERVISOR)
    return network


def update_network(*, by, network, **fields):
    """Change a network's name, year, status, description or work plan."""
    _require(permissions.can_manage_network(by, network))
    allowed = {"name", "year", "status", "description", "work_plan"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("Campos no modificables: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if "name" in fields and not (fields["name"] or "").strip():
        raise ValidationError({"name": _("Indique el nombre de la red.")})
    if "year" in fields:
        _check_year(fields["year"])
    with transaction.atomic():
        for key, value in fields.items():
            setattr(network, key, value)
        if network.status == NetworkStatus.ACTIVE:
            # A new year, or reopening, must keep each school in one active
            # network per year.
            for link in network.network_schools.filter(left_on__isnull=True).select_related(
                "school"
            ):
                other = _active_network_of(link.school, network.year, exclude=network)
                if other is not None:
                    raise ValidationError(
                        {"year": _already_in_network(link.school, other.network, network.year)}
                    )
        network.save()
    return network


def _check_year(year):
    if not 2015 <= int(year) <= 2100:
        raise ValidationError({"year": _("El año debe estar entre 2015 y 2100.")})


def _already_in_network(school, other, year):
    return _(
        "%(school)s ya participa en la red %(code)s en %(year)s; un "
        "establecimiento participa en una sola red activa por año."
    ) % {"school": school.display_name, "code": other.code, "year": year}


def _active_network_of(school, year, exclude=None):
    qs = NetworkSchool.objects.filter(
        school=school, left_on__isnull=True, network__year=year, network__status="active"
    ).select_related("network")
    if exclude is not None:
        qs = qs.exclude(network=exclude)
    return qs.first()


def add_school(*, by, network, school):
    """Add a school of the network's DEPROV. A school belongs to at most one
    active network per year. Idempotent for a school already in it."""
    _require(permissions.can_manage_network(by, network))
    if isinstance(school, int | str):
        school = School.objects.filter(rbd=int(school)).first()
        if school is None:
            raise ValidationError({"school": _("No existe un establecimiento con ese RBD.")})
    if school.deprov_id != network.deprov_id:
        raise ValidationError(
            {
                "school": _("%(school)s pertenece a otro departamento provincial (%(deprov)s).")
                % {"school": school.display_name, "deprov": school.deprov}
            }
        )
    if school.absent:
        raise ValidationError(
            {
                "school": _(
                    "%(school)s ya no figura en el directorio oficial (última vez en %(year)s)."
                )
                % {"school": school.display_name, "year": school.last_seen_year}
            }
        )
    with transaction.atomic():
        other = _active_network_of(school, network.year, exclude=network)
        if other is not None:
            raise ValidationError(
                {"school": _already_in_network(school, other.network, network.year)}
            )
        link, _created = NetworkSchool.objects.get_or_create(
            network=network, school=school, left_on=None
        )
    return link


def add_school_directivos(*, by, network, school):
    """Make the people holding an active directivo position at `school` (a
    school of the network) members of the network. People already active
    in it keep their role. Returns the users added; idempotent."""
    _require(permissions.can_manage_network(by, network))
    members = Membership.objects.filter(network=network, active=True).values("user_id")
    users = (
        User.objects.filter(
            is_active=True,
            pk__in=Position.objects.active().filter(school=school).values("user_id"),
        )
        .exclude(pk__in=members)
        .order_by("last_name", "first_name")
    )
    added = []
    with transaction.atomic():
        for user in users:
            add_member(
                by=by, network=network, user=user, role=MembershipRole.DIRECTIVO, school=school
            )
            added.append(user)
    return added


def remove_school(*, by, network, school):
    """Close the school's participation today (history is kept)."""
    _require(permissions.can_manage_network(by, network))
    # Saved row by row (one at most) rather than update(): the post_save
    # signal tells the cached PME rollup of the network (pme.cache).
    for link in NetworkSchool.objects.filter(network=network, school=school, left_on__isnull=True):
        link.left_on = timezone.localdate()
        link.save(update_fields=["left_on"])


def add_member(*, by, network, user, role, school=None):
    """Add a person to the network with a role. Supervisors must belong to
    the network's DEPROV and a network has at most two (its dupla);
    directivos must hold an active position at one of its schools."""
    _require(permissions.can_manage_network(by, network))
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Rol no válido.")})
    if not permissions.member_candidates(by).filter(pk=user.pk).exists():
        # Nobody is added (and then named in the network) from outside the
        # manager's reach: the same answer as for an unknown person.
        raise ValidationError({"user": unknown_candidate_message()})
    if (
        role == MembershipRole.SUPERVISOR
        and not SupervisorProfile.objects.filter(user=user, deprov_id=network.deprov_id).exists()
    ):
        # Messages name no one: through the API, `user` may be any id, also
        # of someone outside the manager's scope.
        raise ValidationError(
            {"user": _("Esa persona no es supervisor/a del departamento provincial de la red.")}
        )
    if role == MembershipRole.DIRECTIVO:
        positions = Position.objects.active().filter(
            user=user,
            school__network_links__network=network,
            school__network_links__left_on__isnull=True,
        )
        if school is not None:
            positions = positions.filter(school=school)
        position = positions.select_related("school").first()
        if position is None:
            raise ValidationError(
                {
                    "user": _(
                        "Esa persona no tiene un cargo directivo vigente en un establecimiento "
                        "de la red."
                    )
                }
            )
        school = position.school
    with transaction.atomic():
        if role == MembershipRole.SUPERVISOR:
            current = (
                Membership.objects.select_for_update()
                .filter(network=network, role=MembershipRole.SUPERVISOR, active=True)
                .exclude(user=user)
            )
            if len(current) >= MAX_SUPERVISORS:
                raise ValidationError(
                    {"role": _("La red ya tiene su dupla de supervisores (máximo dos).")}
                )
        membership, created = Membership.objects.get_or_create(
            network=network, user=user, defaults={"role": role, "school": school}
        )
        if not created:
            membership.role, membership.school, membership.active = role, school, True
            membership.save(update_fields=["role", "school", "active"])
    return membership


def remove_member(*, by, network, user):
    _require(permissions.can_manage_network(by, network))
    if Membership.objects.filter(network=network, user=user, active=True).update(active=False):
        audit.record(by, "membership.removed", network, user=user.pk, email=user.email)


def add_partner(*, by, network, name, kind, contact_name="", contact_email="", contact_phone=""):
    """Link a community partner to the network, reusing one with the same
    name and kind when it exists."""
    _require(permissions.can_manage_network(by, network))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Indique el nombre del socio.")})
    if kind not in PartnerKind.values:
        raise ValidationError({"kind": _("Tipo de socio no válido.")})
    with transaction.atomic():
        partner = ExternalPartner.objects.filter(name__iexact=name, kind=kind).first()
        if partner is None:
            partner = ExternalPartner.objects.create(
                name=name,
                kind=kind,
                contact_name=contact_name,
                contact_email=contact_email,
                contact_phone=contact_phone,
            )
        partner.networks.add(network)
    return partner


def remove_partner(*, by, network, partner):
    _require(permissions.can_manage_network(by, network))
    partner.networks.remove(network)


def unknown_candidate_message():
    # One message for unknown people and people outside the manager's reach.
    return _("No encontramos a esa persona entre quienes puede sumar a la red.")


def find_member_candidate(*, by, email=None, user_id=None):
    """The person, by email or id, among those `by` may add to a network
    (permissions.member_candidates), or a ValidationError that is the same
    whether nobody has that email/id or they are out of reach."""
    candidates = permissions.member_candidates(by)
    if user_id is not None:
        user = candidates.filter(pk=user_id).first()
    else:
        user = candidates.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError(
            {"user_id" if user_id is not None else "email": unknown_candidate_message()}
        )
    return user
