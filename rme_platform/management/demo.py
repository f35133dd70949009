"""Demo accounts shared by seed_demo, the README and the browser tests."""

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
