import pytest
from django.core.exceptions import ValidationError

from schools.forms import SostenedorForm
from schools.models import Sostenedor
from schools.validators import format_rut, modulo11_check_digit, parse_rut


@pytest.mark.parametrize(
    ("number", "digit"),
    [
        (69070300, "9"),  # Municipalidad de Providencia
        (97030000, "7"),  # BancoEstado
        (60910000, "1"),  # Universidad de Chile
        (60901000, "2"),  # Subsecretaría de Educación
        (60803000, "K"),  # Servicio de Impuestos Internos
        (12345678, "5"),
        (11111111, "1"),
        (58, "2"),
        (76543212, "K"),
    ],
)
def test_modulo11_check_digit(number, digit):
    assert modulo11_check_digit(number) == digit


def test_a_remainder_of_eleven_gives_zero():
    digits = {modulo11_check_digit(n) for n in range(1, 200)}
    assert "0" in digits and "K" in digits and len(digits) == 11


@pytest.mark.parametrize("text", ["60.803.000-K", "60803000-k", "60803000K", " 60.803.000 - K "])
def test_parse_rut_accepts_the_usual_spellings(text):
    assert parse_rut(text) == (60803000, "K")


@pytest.mark.parametrize("text", ["60.803.000-1", "60803000", "abc", "", "0-0", "60.803.000-X"])
def test_parse_rut_rejects_wrong_or_malformed(text):
    with pytest.raises(ValidationError):
        parse_rut(text)


def test_format_rut():
    assert format_rut(76543215) == "76.543.215-4"
    assert format_rut(60803000, "K") == "60.803.000-K"


@pytest.mark.django_db
def test_sostenedor_form_validates_the_check_digit():
    form = SostenedorForm(data={"full_rut": "69.070.300-K", "name": "X", "kind": "municipality"})
    assert not form.is_valid()
    assert "full_rut" in form.errors

    data = {"full_rut": "69.070.300-9", "name": "Municipalidad de Providencia"}
    form = SostenedorForm(data={**data, "kind": "municipality"})
    assert form.is_valid(), form.errors
    sostenedor = form.save()
    assert (sostenedor.rut, sostenedor.check_digit) == (69070300, "9")
    assert Sostenedor.objects.get().formatted_rut == "69.070.300-9"


@pytest.mark.django_db
def test_sostenedor_form_keeps_the_rut_of_an_existing_one():
    sostenedor = Sostenedor.objects.create(rut=60803000, check_digit="K", kind="slep")
    form = SostenedorForm(
        instance=sostenedor, data={"full_rut": "11.111.111-1", "name": "SII", "kind": "slep"}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert list(Sostenedor.objects.values_list("rut", "name")) == [(60803000, "SII")]


@pytest.mark.django_db
def test_model_clean_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError):
        Sostenedor(rut=60803000, check_digit="1", kind="slep").full_clean()
