"""Demo accounts shared by seed_demo, the README and the browser tests, and
the school years the demo is dated in."""

from django.utils import timezone

DEMO_PASSWORD = "demo-rme-2025"  # noqa: S105 - documented demo credential
# Base32 secret of the demo staff and analyst authenticators (TOTP is
# mandatory for them); `manage.py demo_totp EMAIL` prints the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105

DEMO_USERS = [
    # email, first name, last name, role
    ("admin@demo.rme.cl", "Ana", "Administradora Ministerio", "admin"),
    ("analista@demo.rme.cl", "Andrés", "Analista Nacional", "analyst"),
    ("supervisora@demo.rme.cl", "Sofía", "Supervisora Deprov", "supervisor"),
    ("directora@demo.rme.cl", "Daniela", "Directora Escuela", "director"),
    ("utp@demo.rme.cl", "Ulises", "Jefe UTP", "utp"),
    ("sostenedor@demo.rme.cl", "Simón", "Representante Sostenedor", "sostenedor_rep"),
]

# The demo's random seed (any fixed number would do; it is not a year).
DEMO_SEED = 2025
# Earlier school years the demo keeps: their networks, meetings, PME plans and
# survey waves (the reports' trend needs earlier published waves, and each
# wave's report needs the meetings and plans of its year).
HISTORY_YEARS = 2


def school_year(today=None):
    """The Chilean school year (March to December) `today` belongs to:
    this calendar year from March 1, the previous one in January and
    February. `today` defaults to timezone.localdate() (America/Santiago)."""
    today = today or timezone.localdate()
    return today.year if today.month >= 3 else today.year - 1


def demo_years(today=None):
    """The school years the demo holds, oldest first; the last is the
    current one."""
    year = school_year(today)
    return list(range(year - HISTORY_YEARS, year + 1))
