"""The network tests stand on the shared world (tests/conftest.py): networks
A of Talca and B of Santiago Centro, a free school of Talca and a named
person per role."""

from tests.conftest import SANTIAGO_CENTRO, TALCA, school_in

__all__ = ["ROLES", "SANTIAGO_CENTRO", "TALCA", "school_in"]

ROLES = [
    "director_a",
    "director_b",
    "supervisor_a",
    "supervisor_b",
    "rep_a",
    "analyst",
    "analyst_rm",
    "admin",
    "anonymous",
]
