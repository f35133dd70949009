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
    """A comuna of the territory the schools migration loads (loaded again
    if a transactional test flushed it)."""
    from schools.models import Comuna
    from schools.services import load_territory

    try:
        return Comuna.objects.get(cut=cut)
    except Comuna.DoesNotExist:
        load_territory()
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
