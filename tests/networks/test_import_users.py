"""Bringing people in from the staff's CSV (`import_users`), by command and
by the staff upload page, and one at a time with /people/invite/.

The CSV is all-or-nothing: a file with any problem writes nothing and names
each problem as "fila N, columna COL: …" (N counts data rows from 1)."""

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from networks.models import Membership
from networks.people import COLUMNS, import_users
from rme_platform.accounts.models import Invitation, User
from schools.models import AnalystScope, Position, SostenedorRepresentative, SupervisorProfile
from schools.validators import modulo11_check_digit
from tests.factories import SupervisorProfileFactory

from .conftest import TALCA

pytestmark = pytest.mark.django_db

A, B = "RME-07-901", "RME-13-901"
HEADER = ",".join(COLUMNS)


def dotted_rut(number, digit=None):
    """12345678 -> "12.345.678-5" (the right check digit unless told)."""
    digit = digit or modulo11_check_digit(number)
    return f"{number:,}".replace(",", ".") + f"-{digit}"


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def valid_rows(w):
    """One person of each role, all new to the platform."""
    rut = dotted_rut(w.a2.sostenedor.rut)
    return [
        f"Rosa.Paz@Escuela.cl,Rosa,Paz,director,{w.a2.rbd},,,{A}",
        f"luis.soto@escuela.cl,Luis,Soto,utp,{w.talca_free.rbd},,,",
        f"ana.rojas@mineduc.cl,Ana,Rojas,supervisor,,{TALCA},,{A}",
        f"pedro.vega@sostenedor.cl,Pedro,Vega,sostenedor_rep,,,{rut},{A}",
        "marta.diaz@mineduc.cl,Marta,Díaz,analyst,,,,",
    ]


NEW_EMAILS = {
    "rosa.paz@escuela.cl",
    "luis.soto@escuela.cl",
    "ana.rojas@mineduc.cl",
    "pedro.vega@sostenedor.cl",
    "marta.diaz@mineduc.cl",
}


def snapshot():
    """Row counts of everything an import may write."""
    return {
        "users": User.objects.count(),
        "positions": Position.objects.count(),
        "supervisors": SupervisorProfile.objects.count(),
        "representatives": SostenedorRepresentative.objects.count(),
        "analysts": AnalystScope.objects.count(),
        "memberships": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
    }


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """import_users on a CSV text, with the invitation emails sent as on a
    real commit."""

    def run(text, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return import_users(path_or_file=io.BytesIO(text.encode()), **kwargs)

    return run


def import_errors(run_import, text):
    """The problems of a file that must be refused; checks nothing was written."""
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        run_import(text)
    assert snapshot() == before
    assert mail.outbox == []
    return excinfo.value.messages


# --- a valid file ---------------------------------------------------------------


def test_valid_file_creates_people_roles_memberships_and_invitations(world, run_import):
    before = snapshot()
    result = run_import(csv_text(*valid_rows(world)))

    assert (result.created, result.updated, result.invited) == (5, 0, 5)
    assert (result.positions, result.memberships) == (2, 3)
    people = {u.email: u for u in User.objects.filter(email__in=NEW_EMAILS)}
    assert set(people) == NEW_EMAILS
    assert {email: u.role for email, u in people.items()} == {
        "rosa.paz@escuela.cl": "director",
        "luis.soto@escuela.cl": "utp",
        "ana.rojas@mineduc.cl": "supervisor",
        "pedro.vega@sostenedor.cl": "sostenedor_rep",
        "marta.diaz@mineduc.cl": "analyst",
    }
    assert people["marta.diaz@mineduc.cl"].last_name == "Díaz"
    assert not any(u.has_usable_password() for u in people.values())

    rosa, luis = people["rosa.paz@escuela.cl"], people["luis.soto@escuela.cl"]
    assert list(Position.objects.active().filter(user=rosa).values_list("school", "role")) == [
        (world.a2.rbd, "director")
    ]
    assert list(Position.objects.active().filter(user=luis).values_list("school", "role")) == [
        (world.talca_free.rbd, "utp")
    ]
    assert SupervisorProfile.objects.get(user=people["ana.rojas@mineduc.cl"]).deprov_id == TALCA
    assert (
        SostenedorRepresentative.objects.get(user=people["pedro.vega@sostenedor.cl"]).sostenedor
        == world.a2.sostenedor
    )
    assert AnalystScope.objects.get(user=people["marta.diaz@mineduc.cl"]).national
    assert set(
        Membership.objects.filter(network=world.network_a, user__in=people.values()).values_list(
            "user__email", "role", "school", "active"
        )
    ) == {
        ("rosa.paz@escuela.cl", "directivo", world.a2.rbd, True),
        ("ana.rojas@mineduc.cl", "supervisor", None, True),
        ("pedro.vega@sostenedor.cl", "sostenedor_rep", None, True),
    }

    # One invitation email per new person.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(NEW_EMAILS)
    assert all(
        m.subject == "[RME] Invitación a la Plataforma de Redes de Mejoramiento Escolar"
        for m in mail.outbox
    )
    after = snapshot()
    assert after["users"] - before["users"] == 5
    assert after["invitations"] - before["invitations"] == 5


def test_running_the_same_file_again_creates_nothing_new(world, run_import):
    text = csv_text(*valid_rows(world))
    run_import(text)
    first = snapshot()
    mail.outbox.clear()

    result = run_import(text)

    assert (result.created, result.positions, result.memberships) == (0, 0, 0)
    again = snapshot()
    # People, positions, profiles, scopes and memberships are as after the first
    # run. Who has not accepted yet gets a fresh invitation that replaces the
    # pending one (documented: "sending invitations to those who have no
    # password yet"), so each person still has exactly one pending invitation.
    assert {k: v for k, v in again.items() if k != "invitations"} == {
        k: v for k, v in first.items() if k != "invitations"
    }
    for email in NEW_EMAILS:
        assert Invitation.objects.pending().filter(email=email).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(NEW_EMAILS)


def test_people_with_an_account_are_updated_not_invited(world, run_import):
    person = world.director_a
    result = run_import(csv_text(f"{person.email},Daniela,Nueva,director,{world.a1.rbd},,,{A}"))
    assert (result.created, result.updated, result.invited, result.positions) == (0, 1, 0, 0)
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Daniela", "Nueva")
    assert mail.outbox == []


def test_dry_run_checks_and_writes_nothing(world, run_import):
    before = snapshot()
    result = run_import(csv_text(*valid_rows(world)), dry_run=True)
    assert result.dry_run and result.created == 0
    assert snapshot() == before and mail.outbox == []


# --- each problem names its row and column, and nothing is written --------------


def bad_row(w, kind):
    """A row with one problem of the given kind, and the message expected
    for it (as the second data row)."""
    rut = w.a2.sostenedor.rut
    wrong_digit = "0" if modulo11_check_digit(rut) != "0" else "1"
    director = "nueva@escuela.cl,Nueva,Persona,director,{rbd},,,{networks}"
    return {
        "bad email": (
            "no-es-un-correo,Nueva,Persona,analyst,,,,",
            "fila 2, columna email: «no-es-un-correo» no es un correo válido",
        ),
        "duplicate email": (
            f"ROSA.PAZ@escuela.cl,Rosa,Paz,utp,{w.a1.rbd},,,",
            "fila 2, columna email: el correo ya aparece en la fila 1",
        ),
        "unknown role": (
            "nueva@escuela.cl,Nueva,Persona,rector,,,,",
            "fila 2, columna role: «rector» no es un rol; use director, utp, supervisor, "
            "sostenedor_rep o analyst",
        ),
        "missing rbd": (
            director.format(rbd="", networks=""),
            "fila 2, columna rbd: falta el RBD del establecimiento",
        ),
        "unknown rbd": (
            director.format(rbd="123", networks=""),
            "fila 2, columna rbd: no existe un establecimiento con RBD «123»",
        ),
        "missing deprov": (
            "nueva@mineduc.cl,Nueva,Persona,supervisor,,,,",
            "fila 2, columna deprov: falta el código del departamento provincial",
        ),
        "unknown deprov": (
            "nueva@mineduc.cl,Nueva,Persona,supervisor,,999,,",
            "fila 2, columna deprov: no existe el departamento provincial «999»",
        ),
        "missing RUT": (
            "nueva@sostenedor.cl,Nueva,Persona,sostenedor_rep,,,,",
            "fila 2, columna sostenedor_rut: falta el RUT del sostenedor",
        ),
        "bad RUT check digit": (
            f"nueva@sostenedor.cl,Nueva,Persona,sostenedor_rep,,,{dotted_rut(rut, wrong_digit)},",
            "fila 2, columna sostenedor_rut: el dígito verificador no corresponde al RUT",
        ),
        "not a RUT": (
            "nueva@sostenedor.cl,Nueva,Persona,sostenedor_rep,,,municipalidad,",
            "fila 2, columna sostenedor_rut: «municipalidad» no es un RUT",
        ),
        "unknown sostenedor": (
            f"nueva@sostenedor.cl,Nueva,Persona,sostenedor_rep,,,{dotted_rut(11_111_111)},",
            f"fila 2, columna sostenedor_rut: no hay un sostenedor con RUT "
            f"«{dotted_rut(11_111_111)}»",
        ),
        "unknown network": (
            director.format(rbd=w.a1.rbd, networks="RME-99-999"),
            "fila 2, columna networks: no existe la red «RME-99-999»",
        ),
        "network without the school": (
            director.format(rbd=w.talca_free.rbd, networks=A),
            f"fila 2, columna networks: la red {A} no incluye el establecimiento RBD "
            f"{w.talca_free.rbd}",
        ),
        "network of another deprov": (
            f"nueva@mineduc.cl,Nueva,Persona,supervisor,,{TALCA},,{B}",
            f"fila 2, columna networks: la red {B} es de otro departamento provincial",
        ),
    }[kind]


ERROR_KINDS = [
    "bad email",
    "duplicate email",
    "unknown role",
    "missing rbd",
    "unknown rbd",
    "missing deprov",
    "unknown deprov",
    "missing RUT",
    "bad RUT check digit",
    "not a RUT",
    "unknown sostenedor",
    "unknown network",
    "network without the school",
    "network of another deprov",
]


@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_each_problem_is_reported_by_row_and_column_and_nothing_is_written(world, run_import, kind):
    row, message = bad_row(world, kind)
    first = valid_rows(world)[0]  # a valid row first: it must not be written either
    assert import_errors(run_import, csv_text(first, row)) == [message]
    assert not User.objects.filter(email="rosa.paz@escuela.cl").exists()


def test_all_problems_of_a_file_are_listed(world, run_import):
    rows = [bad_row(world, kind)[0] for kind in ("bad email", "unknown rbd", "unknown deprov")]
    messages = import_errors(run_import, csv_text(valid_rows(world)[0], *rows))
    assert [m.split(":", 1)[0] for m in messages] == [
        "fila 2, columna email",
        "fila 3, columna rbd",
        "fila 4, columna deprov",
    ]


@pytest.mark.parametrize("missing", ["email", "rbd", "networks"])
def test_missing_header_column_is_reported(world, run_import, missing):
    header = ",".join(c for c in COLUMNS if c != missing)
    messages = import_errors(run_import, csv_text("x@escuela.cl,,,,,,", header=header))
    assert messages == [f"fila 0, columna {missing}: falta la columna en el encabezado"]


def test_file_without_rows_is_refused(world, run_import):
    assert import_errors(run_import, csv_text()) == [
        "fila 1, columna email: el archivo no tiene filas de datos"
    ]


def test_header_with_spaces_and_utf8_bom_is_read(world, run_import):
    header = ", ".join(COLUMNS)
    data = "\ufeff" + csv_text("marta.diaz@mineduc.cl,Marta,Díaz,analyst,,,,", header=header)
    result = run_import(data)
    assert result.created == 1
    assert User.objects.get(email="marta.diaz@mineduc.cl").last_name == "Díaz"


def test_row_without_its_trailing_empty_columns_is_read(world, run_import):
    result = run_import(csv_text("marta.diaz@mineduc.cl,Marta,Díaz,analyst"))
    assert result.created == 1


def test_import_respects_the_dupla_of_two_supervisors(world, run_import):
    # Network A has supervisor_a; a second one fills the dupla.
    second = SupervisorProfileFactory(deprov_id=TALCA).user
    Membership.objects.create(network=world.network_a, user=second, role="supervisor")
    messages = import_errors(
        run_import, csv_text(f"tercera@mineduc.cl,Tercera,Supervisora,supervisor,,{TALCA},,{A}")
    )
    assert len(messages) == 1 and messages[0].startswith("fila 1, columna networks:")


# --- the management command -----------------------------------------------------


def test_command_imports_a_file(world, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "personas.csv"
    path.write_text(csv_text(*valid_rows(world)), encoding="utf-8")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_users", str(path), stdout=out)
    assert out.getvalue().strip() == ("created 5, updated 0, invited 5, positions 2, memberships 3")
    assert set(User.objects.filter(email__in=NEW_EMAILS).values_list("email", flat=True)) == (
        NEW_EMAILS
    )
    assert len(mail.outbox) == 5


def test_command_dry_run_writes_nothing(world, tmp_path):
    path = tmp_path / "personas.csv"
    path.write_text(csv_text(*valid_rows(world)), encoding="utf-8")
    before, out = snapshot(), io.StringIO()
    call_command("import_users", str(path), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert snapshot() == before


def test_command_fails_with_the_problems_and_writes_nothing(world, tmp_path):
    path = tmp_path / "personas.csv"
    row, message = bad_row(world, "unknown rbd")
    path.write_text(csv_text(valid_rows(world)[0], row), encoding="utf-8")
    before, err = snapshot(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_users", str(path), stderr=err)
    assert message in err.getvalue()
    assert snapshot() == before and mail.outbox == []


def test_command_reports_a_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_users", str(tmp_path / "no-existe.csv"))


# --- the staff upload page ------------------------------------------------------


def upload(text):
    return SimpleUploadedFile("personas.csv", text.encode(), content_type="text/csv")


@pytest.mark.parametrize("role", ["supervisor_a", "director_a", "rep_a", "analyst"])
def test_import_page_is_for_staff_only(world, login, role):
    client = login(getattr(world, role))
    before = snapshot()
    assert client.get("/people/import/").status_code == 403
    response = client.post("/people/import/", {"file": upload(csv_text(*valid_rows(world)))})
    assert response.status_code == 403
    assert snapshot() == before


def test_import_page_sends_anonymous_to_sign_in(world, client):
    response = client.get("/people/import/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_staff_imports_a_file_on_the_page(world, login, django_capture_on_commit_callbacks):
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/import/", {"file": upload(csv_text(*valid_rows(world)))}, follow=True
        )
    assert response.redirect_chain == [("/people/import/", 302)]
    assert (
        "Importación terminada. Personas nuevas: 5; actualizadas: 0; invitaciones enviadas: 5."
        in response.content.decode()
    )
    assert User.objects.filter(email__in=NEW_EMAILS).count() == 5
    assert Invitation.objects.filter(email__in=NEW_EMAILS, invited_by=world.admin).count() == 5
    assert len(mail.outbox) == 5


def test_import_page_lists_the_problems_and_writes_nothing(world, login):
    client = login(world.admin)
    rows = [bad_row(world, kind) for kind in ("unknown rbd", "bad RUT check digit")]
    before = snapshot()
    response = client.post(
        "/people/import/",
        {"file": upload(csv_text(valid_rows(world)[0], *(row for row, _m in rows)))},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No se importó nada" in page
    assert response.context["errors"] == [
        "fila 2, columna rbd: no existe un establecimiento con RBD «123»",
        "fila 3, columna sostenedor_rut: el dígito verificador no corresponde al RUT",
    ]
    assert "fila 2, columna rbd" in page and "fila 3, columna sostenedor_rut" in page
    assert snapshot() == before and mail.outbox == []


def test_import_page_dry_run_writes_nothing(world, login):
    client = login(world.admin)
    before = snapshot()
    response = client.post(
        "/people/import/",
        {"file": upload(csv_text(*valid_rows(world))), "dry_run": "on"},
        follow=True,
    )
    assert "El archivo es válido. No se guardó nada." in response.content.decode()
    assert snapshot() == before


# --- inviting one person --------------------------------------------------------


def invite_data(**overrides):
    data = {
        "email": "nueva.directora@escuela.cl",
        "first_name": "Carmen",
        "last_name": "Fuentes",
        "role": "director",
    }
    return {**data, **overrides}


def test_supervisor_invites_a_director_of_their_deprov(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/invite/", invite_data(rbd=world.a2.rbd, networks=A), follow=True
        )
    assert response.redirect_chain == [("/people/invite/", 302)]
    assert "nueva.directora@escuela.cl quedó registrado/a" in response.content.decode()
    person = User.objects.get(email="nueva.directora@escuela.cl")
    assert person.role == "director" and not person.has_usable_password()
    assert list(Position.objects.active().filter(user=person).values_list("school", flat=True)) == [
        world.a2.rbd
    ]
    assert Membership.objects.filter(network=world.network_a, user=person, active=True).exists()
    assert Invitation.objects.get(user=person).invited_by == world.supervisor_a
    assert [m.to for m in mail.outbox] == [["nueva.directora@escuela.cl"]]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"rbd": "b1"},
            "rbd",
            "El establecimiento es de otro departamento provincial.",
            id="school of another deprov",
        ),
        pytest.param(
            {"rbd": "a2", "networks": B},
            "networks",
            "La red RME-13-901 no incluye el establecimiento RBD {a2}",
            id="network without the school",
        ),
        pytest.param(
            {"role": "sostenedor_rep", "sostenedor_rut": "rut_a2", "networks": B},
            "networks",
            "Solo puede sumar personas a redes de su departamento provincial.",
            id="network of another deprov",
        ),
        pytest.param(
            {"rbd": "99999999"},
            "rbd",
            "No existe un establecimiento con RBD «99999999»",
            id="unknown rbd",
        ),
        pytest.param({}, "rbd", "Falta el RBD del establecimiento", id="missing rbd"),
    ],
)
def test_supervisor_invitation_with_a_problem_creates_nothing(
    world, login, django_capture_on_commit_callbacks, data, field, message
):
    placeholders = {
        "a2": world.a2.rbd,
        "b1": world.b1.rbd,
        "rut_a2": dotted_rut(world.a2.sostenedor.rut),
    }
    data = {k: placeholders.get(v, v) for k, v in data.items()}
    message = message.format(a2=world.a2.rbd)
    client = login(world.supervisor_a)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/people/invite/", invite_data(**data))
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__")
    assert errors == [message]
    assert message in response.content.decode()
    assert snapshot() == before
    assert mail.outbox == []


def test_supervisor_may_not_invite_a_supervisor_of_a_network_of_another_deprov(world, login):
    client = login(world.supervisor_a)
    before = snapshot()
    response = client.post(
        "/people/invite/", invite_data(role="supervisor", deprov=TALCA, networks=A)
    )
    # Supervisors may invite directivos and sostenedor representatives only.
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert snapshot() == before


@pytest.mark.parametrize("role", ["director_a", "rep_a"])
def test_people_without_invitation_rights_get_403(world, login, role):
    client = login(getattr(world, role))
    assert client.get("/people/invite/").status_code == 403
    assert client.post("/people/invite/", invite_data(rbd=world.a2.rbd)).status_code == 403
    assert not User.objects.filter(email="nueva.directora@escuela.cl").exists()


def test_supervisor_may_not_take_over_an_existing_account(world, login):
    analyst = world.analyst
    client = login(world.supervisor_a)
    before = snapshot()
    response = client.post(
        "/people/invite/", invite_data(email=analyst.email, rbd=world.talca_free.rbd)
    )
    analyst.refresh_from_db()
    assert analyst.role == "analyst"
    assert not Position.objects.filter(user=analyst).exists()
    assert response.status_code == 200
    assert snapshot() == before
