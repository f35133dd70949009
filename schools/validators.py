"""Chilean identifiers: the modulo-11 check digit shared by RUT and RBD."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RUT_PATTERN = re.compile(r"^\s*(\d{1,3}(?:\.?\d{3})*)\s*-?\s*([\dkK])\s*$")


def modulo11_check_digit(number):
    """The check digit of a RUT or RBD: weights 2..7 from the right, modulo 11;
    11 gives "0" and 10 gives "K"."""
    total, weight = 0, 2
    for digit in reversed(str(int(number))):
        total += int(digit) * weight
        weight = 2 if weight == 7 else weight + 1
    remainder = 11 - total % 11
    if remainder == 11:
        return "0"
    if remainder == 10:
        return "K"
    return str(remainder)


def format_rut(number, check_digit=None):
    """76543212 -> "76.543.212-K" (the check digit is computed when not given)."""
    if check_digit is None:
        check_digit = modulo11_check_digit(number)
    return f"{int(number):,}".replace(",", ".") + f"-{check_digit}"


def parse_rut(value):
    """Read a RUT written as "76.543.212-K", "76543212-k" or "76543212K" and
    return (number, check_digit); raise ValidationError if it is malformed or
    its check digit is wrong."""
    match = RUT_PATTERN.match(value or "")
    if not match:
        raise ValidationError(
            _("Escriba el RUT con su dígito verificador, por ejemplo 76.543.212-K."),
            code="invalid",
        )
    number = int(match.group(1).replace(".", ""))
    check_digit = match.group(2).upper()
    if number == 0:
        raise ValidationError(_("El RUT debe ser mayor que cero."), code="invalid")
    if modulo11_check_digit(number) != check_digit:
        raise ValidationError(
            _("El dígito verificador no corresponde al RUT %(rut)s."),
            code="check_digit",
            params={"rut": f"{number:,}".replace(",", ".")},
        )
    return number, check_digit
