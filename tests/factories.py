import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from rme_platform.accounts.models import User

PASSWORD = "clave-de-prueba-2025"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in: verified primary email and a known password.
    `with_totp=True` also gives them an authenticator with TOTP_SECRET."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@escuela.cl")
    first_name = factory.Faker("first_name", locale="es_CL")
    last_name = factory.Faker("last_name", locale="es_CL")
    role = "director"
    language = "es"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)

    @factory.post_generation
    def with_totp(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, TOTP_SECRET)


# --- schools ------------------------------------------------------------------

from schools.validators import modulo11_check_digit  # noqa: E402


def territory_comuna(cut=13101):
    """A comuna of the tests' territory (tests/territory.py; loaded again if
    a transactional test flushed it)."""
    from schools.models import Comuna

    from .territory import load_test_territory

    try:
        return Comuna.objects.get(cut=cut)
    except Comuna.DoesNotExist:
        load_test_territory()
        return Comuna.objects.get(cut=cut)


class SostenedorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schools.Sostenedor"
        django_get_or_create = ("rut",)

    rut = factory.Sequence(lambda n: 76_000_000 + n)
    check_digit = factory.LazyAttribute(lambda o: modulo11_check_digit(o.rut))
    name = factory.Sequence(lambda n: f"Fundación Educacional Número {n}")
    kind = "private_subsidized"


class SchoolFactory(factory.django.DjangoModelFactory):
    """A functioning subsidized school in Santiago (comuna 13101) unless told."""

    class Meta:
        model = "schools.School"

    rbd = factory.Sequence(lambda n: 9_000_000 + n)
    check_digit = factory.LazyAttribute(lambda o: modulo11_check_digit(o.rbd))
    name = factory.Sequence(lambda n: f"Escuela de Prueba {n}")
    sostenedor = factory.SubFactory(SostenedorFactory)
    sostenedor_person_type = 1
    comuna = factory.LazyFunction(territory_comuna)
    deprov = factory.LazyAttribute(lambda o: o.comuna.deprov)
    dependency = 3
    status = 1
    enrollment = 300
    levels = factory.LazyFunction(lambda: [10, 110])
    last_seen_year = 2025


class PerformanceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schools.PerformanceCategory"

    school = factory.SubFactory(SchoolFactory)
    year = 2019
    level = "basica"
    category = "medio"


# --- people and networks ------------------------------------------------------


class PositionFactory(factory.django.DjangoModelFactory):
    """An active director position (started today, no end) at a new school."""

    class Meta:
        model = "schools.Position"

    user = factory.SubFactory(UserFactory, role="director")
    school = factory.SubFactory(SchoolFactory)
    role = factory.LazyAttribute(lambda o: "utp" if o.user.role == "utp" else "director")


class SupervisorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schools.SupervisorProfile"

    user = factory.SubFactory(UserFactory, role="supervisor")
    deprov = factory.LazyFunction(lambda: territory_comuna().deprov)


class SostenedorRepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schools.SostenedorRepresentative"

    user = factory.SubFactory(UserFactory, role="sostenedor_rep")
    sostenedor = factory.SubFactory(SostenedorFactory)


class AnalystScopeFactory(factory.django.DjangoModelFactory):
    """National unless `regions=[...]` (region codes or objects) is given."""

    class Meta:
        model = "schools.AnalystScope"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role="analyst", with_totp=True)
    national = True

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)


class NetworkFactory(factory.django.DjangoModelFactory):
    """An active 2025 network of the Santiago Centro DEPROV unless told."""

    class Meta:
        model = "networks.Network"

    code = factory.Sequence(lambda n: f"RME-T-{n:04d}")
    name = factory.Sequence(lambda n: f"Red de Prueba {n}")
    deprov = factory.LazyFunction(lambda: territory_comuna().deprov)
    year = 2025


class NetworkSchoolFactory(factory.django.DjangoModelFactory):
    """A school of the network's DEPROV taking part in it."""

    class Meta:
        model = "networks.NetworkSchool"

    network = factory.SubFactory(NetworkFactory)
    school = factory.SubFactory(
        SchoolFactory,
        comuna=factory.LazyAttribute(
            lambda o: o.factory_parent.network.deprov.comunas.order_by("cut").first()
        ),
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "networks.Membership"

    network = factory.SubFactory(NetworkFactory)
    user = factory.SubFactory(UserFactory)
    role = "guest"


class ExternalPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "networks.ExternalPartner"

    name = factory.Sequence(lambda n: f"Socio Comunitario {n}")
    kind = "ngo"


# --- meetings -----------------------------------------------------------------

import datetime  # noqa: E402

from django.utils import timezone  # noqa: E402


def _in_days(days, hours=0):
    return timezone.now().replace(microsecond=0) + datetime.timedelta(days=days, hours=hours)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A convened meeting ten days ahead, two hours long, with proposals
    open until eight days ahead. Members are not invited: use
    networks.meetings.services.convene_meeting for the full behaviour."""

    class Meta:
        model = "meetings.Meeting"

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Reunión de red {n}")
    objective = "Compartir prácticas de lectura."
    starts_at = factory.LazyFunction(lambda: _in_days(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    proposals_close_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=2))
    place = "Sala de reuniones del DEPROV"


class AgendaProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.AgendaProposal"

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Tema propuesto {n}")
    rationale = "Nos preocupa la comprensión lectora en segundo básico."
    proposed_by = factory.SubFactory(UserFactory)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Agreement"

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Acuerdo número {n}")
    due_on = factory.LazyAttribute(lambda o: timezone.localdate(o.meeting.starts_at))


# --- monitoring -------------------------------------------------------------------


def default_instrument():
    """The `rme-monitoreo` instrument of the data migration (loaded again
    if a transactional test flushed it)."""
    from monitoring.default_instrument import SLUG, load_default_instrument
    from monitoring.models import Instrument

    return Instrument.objects.filter(slug=SLUG).first() or load_default_instrument()


class InstrumentFactory(factory.django.DjangoModelFactory):
    """An empty, editable instrument."""

    class Meta:
        model = "monitoring.Instrument"

    slug = factory.Sequence(lambda n: f"instrumento-{n}")
    family = factory.LazyAttribute(lambda o: o.slug)
    name = factory.Sequence(lambda n: f"Instrumento de prueba {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    """A draft 2025 campaign on the default instrument, aimed at all networks."""

    class Meta:
        model = "monitoring.Campaign"

    slug = factory.Sequence(lambda n: f"campana-{n}")
    name = factory.Sequence(lambda n: f"Encuesta de monitoreo de prueba {n}")
    instrument = factory.LazyFunction(default_instrument)
    year = 2025
    status = "draft"


# --- pme ----------------------------------------------------------------------

import datetime as pme_datetime  # noqa: E402


def pme_catalog():
    """Load the dimensions and subdimensions again if a transactional test
    flushed them (the data migration loads them once)."""
    from pme.catalog import load_catalog
    from pme.models import Dimension

    if not Dimension.objects.exists():
        load_catalog()


class PMECycleFactory(factory.django.DjangoModelFactory):
    """A 2023–2026 cycle of a new school."""

    class Meta:
        model = "pme.PMECycle"

    school = factory.SubFactory(SchoolFactory)
    first_year = 2023
    last_year = 2026
    pei_vision = "Una comunidad que aprende."


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    """The 2025 plan of a new cycle, not shared, in implementation."""

    class Meta:
        model = "pme.AnnualPlan"

    cycle = factory.SubFactory(PMECycleFactory)
    school = factory.LazyAttribute(lambda o: o.cycle.school)
    year = 2025
    phase = "implementacion"


class ActionFactory(factory.django.DjangoModelFactory):
    """A Gestión pedagógica action of March–June of the plan's year."""

    class Meta:
        model = "pme.Action"

    plan = factory.SubFactory(AnnualPlanFactory)
    dimension_id = "gestion_pedagogica"
    name = factory.Sequence(lambda n: f"Acción de prueba {n}")
    start_date = factory.LazyAttribute(lambda o: pme_datetime.date(o.plan.year, 3, 1))
    end_date = factory.LazyAttribute(lambda o: pme_datetime.date(o.plan.year, 6, 30))
    status = "planned"
    progress = 0


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pme.FundingLine"

    action = factory.SubFactory(ActionFactory)
    source = "sep"
    amount = 1_000_000


class ATEProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pme.ATEProvider"

    rut = factory.Sequence(lambda n: 77_000_000 + n)
    check_digit = factory.LazyAttribute(lambda o: modulo11_check_digit(o.rut))
    name = factory.Sequence(lambda n: f"Consultora Educativa {n}")
    registry_number = factory.Sequence(lambda n: f"ATE-T-{n:05d}")


class PlanCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pme.Comment"

    plan = factory.SubFactory(AnnualPlanFactory)
    author = factory.SubFactory(UserFactory, role="supervisor")
    body = "Un comentario."


# --- shared practices -------------------------------------------------------------

from django.utils.text import slugify  # noqa: E402


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practices.Tag"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"etiqueta {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class PracticeFactory(factory.django.DjangoModelFactory):
    """A published Gestión pedagógica practice of a new school, visible to
    its network. `authors=[...]` sets the authors (default: none);
    `tags=[...]` names; the search columns are filled like the services do."""

    class Meta:
        model = "practices.Practice"
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Práctica de prueba {n}")
    summary = "Una práctica que mejoró la lectura en primer ciclo."
    body = "Cada mañana, **quince minutos** de lectura compartida."
    dimension_id = "gestion_pedagogica"
    levels = factory.LazyFunction(lambda: [110])
    status = "published"
    visibility = "network"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create:
            if extracted:
                self.tags.set([TagFactory(name=name) for name in extracted])
            from networks.practices.models import Practice
            from networks.practices.services import refresh_search

            refresh_search(Practice.objects.filter(pk=self.pk))
            self.refresh_from_db()


class PracticeCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practices.PracticeComment"

    practice = factory.SubFactory(PracticeFactory)
    author = factory.SubFactory(UserFactory)
    body = "Muy útil, la probaremos."


class PracticeAdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practices.PracticeAdoption"

    practice = factory.SubFactory(PracticeFactory)
    school = factory.SubFactory(SchoolFactory)
    stage = "exploring"
