"""Chilean identifiers: the modulo-11 check digit shared by RUT and RBD."""

import argparse
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RUT_PATTERN = re.compile(r"^\s*(\d{1,3}(?:\.?\d{3})*)\s*-?\s*([\dkK])\s*$")
# An RBD as schools and the directory write it: "16748-7", "16.748-7",
# "16748 7", or the number alone ("16748").
_NUMBER = r"(\d{1,3}(?:\.?\d{3})*)"
RBD_PATTERN = re.compile(rf"^{_NUMBER}(?:\s*-\s*|\s+)([\dkK])$|^{_NUMBER}$")


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


def parse_rbd(value, published_check_digit=None):
    """Read an RBD written with or without its check digit ("16748-7",
    "16.748-7", "16748") and return the number. A check digit, when given,
    must be the modulo-11 one or `published_check_digit` (the directory's,
    which for a few schools is not the modulo-11 one); otherwise raise
    ValidationError naming the problem."""
    match = RBD_PATTERN.match((value or "").strip())
    if not match:
        raise ValidationError(
            _(
                "Escriba el RBD con números, con o sin su dígito verificador, "
                "por ejemplo 16748-7 o 16748."
            ),
            code="invalid",
        )
    digits = match.group(1) or match.group(3)
    number = int(digits.replace(".", ""))
    if number == 0:
        raise ValidationError(_("El RBD debe ser mayor que cero."), code="invalid")
    check_digit = (match.group(2) or "").upper()
    if check_digit and check_digit not in {modulo11_check_digit(number), published_check_digit}:
        raise ValidationError(
            _(
                "El dígito verificador %(digit)s no corresponde al RBD %(rbd)s; "
                "revíselo o escriba solo el número."
            ),
            code="check_digit",
            params={"digit": check_digit, "rbd": number},
        )
    return number


def rbd_argument(value):
    """An argparse `type` for a command's --rbd: with or without its check
    digit, like the forms."""
    try:
        return parse_rbd(value)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.messages[0]) from exc
