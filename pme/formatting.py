"""Money as Chileans write it: whole pesos, "$1.500.000" (in English "$1,500,000")."""

from django.utils.translation import get_language


def format_clp(value):
    if value in (None, ""):
        return "—"
    separator = "," if (get_language() or "es").startswith("en") else "."
    return "$" + f"{int(value):,}".replace(",", separator)
