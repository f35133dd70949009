"""Money as Chileans write it: whole pesos, "$1.500.000" (in English
"$1,500,000"), read back in any of the ways people type it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# "1500000", "1.500.000", "1,500,000", with "$", "CLP" and spaces around.
_PLAIN = re.compile(r"^\d+$")
_DOTS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_COMMAS = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def thousands_separator():
    return "," if (get_language() or "es").startswith("en") else "."


def group_thousands(value):
    """1500000 -> "1.500.000" ("1,500,000" in English)."""
    return f"{int(value):,}".replace(",", thousands_separator())


def format_clp(value):
    if value in (None, ""):
        return "—"
    return "$" + group_thousands(value)


def parse_clp(value):
    """Whole pesos from what a person types: "1.500.000", "$ 1.500.000",
    "1500000", "1,500,000" or "CLP 1.500.000"; None for a blank. Raises
    ValidationError for decimals, negative amounts or anything else."""
    if value is None:
        return None
    if isinstance(value, int):
        number = value
    else:
        text = re.sub(r"\s+", "", str(value)).upper().replace("CLP", "").replace("$", "")
        if not text:
            return None
        negative = text.startswith("-")
        text = text.removeprefix("-")
        if not (_PLAIN.match(text) or _DOTS.match(text) or _COMMAS.match(text)):
            raise ValidationError(
                _("Escriba el monto en pesos, sin decimales, por ejemplo 1.500.000."),
                code="invalid",
            )
        number = int(re.sub(r"[.,]", "", text))
        if negative:
            number = -number
    if number < 0:
        raise ValidationError(_("El monto no puede ser negativo."), code="negative")
    return number
