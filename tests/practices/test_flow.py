"""Sharing, publishing, adopting and following a practice through the pages,
and the bad inputs that must store nothing and say why."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from networks.practices.filters import search
from networks.practices.models import (
    Practice,
    PracticeAdoption,
    PracticeAdoptionNote,
    PracticeAttachment,
    PracticeComment,
)
from tests.factories import ActionFactory, AnnualPlanFactory, PMECycleFactory
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Lectura compartida de 15 minutos",
    "summary": "Todos los cursos leen juntos al inicio de la jornada.",
    "problem": "Baja comprensión lectora en **segundo básico**.",
    "body": "1. Selección de textos\n2. Lectura en voz alta\n3. Conversación",
    "results": "Subimos 12 puntos en la evaluación de lectura.",
    "levels": ["10", "110"],
    "rural": "on",
    "enrollment": "120",
    "dimension": "gestion_pedagogica",
    "subdimension": "",
    "tags": "lectura, primer ciclo",
    "visibility": "all",
}


def test_the_form_starts_with_the_schools_context(practice_world, login):
    response = login(practice_world.director_a).get("/practices/new/")
    form = response.context["form"]
    assert form.initial["levels"] == [10, 110]
    assert form.initial["rural"] is True and form.initial["enrollment"] == 120
    # Co-authors are offered among the school's other directivos only.
    assert list(form.fields["coauthors"].queryset) == [practice_world.utp_a1]


def test_subdimensions_are_offered_under_their_dimension(practice_world, login):
    html = login(practice_world.director_a).get("/practices/new/").content.decode()
    group = html.index('<optgroup label="Liderazgo">')
    assert group < html.index("Liderazgo del director") < html.index('<optgroup label="Formación')


def test_a_directivo_shares_and_publishes_a_practice(practice_world, login):
    client = login(practice_world.director_a)
    response = client.post("/practices/new/", {**FORM, "coauthors": [practice_world.utp_a1.pk]})
    practice = Practice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/practices/{practice.pk}/"
    assert practice.status == "draft" and practice.school == practice_world.a1
    assert set(practice.authors.all()) == {practice_world.director_a, practice_world.utp_a1}
    assert sorted(t.slug for t in practice.tags.all()) == ["lectura", "primer-ciclo"]
    assert practice.levels == [10, 110] and practice.rural
    assert [p.pk for p in search(Practice.objects.all(), "lectura compartida")] == [practice.pk]
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "<strong>segundo básico</strong>" in page and "Publicar" in page
    client.post(f"/practices/{practice.pk}/publish/")
    practice.refresh_from_db()
    assert practice.status == "published" and practice.published_at is not None
    # The co-author edits it too.
    form = login(practice_world.utp_a1).get(f"/practices/{practice.pk}/edit/").context["form"]
    assert form.initial["coauthors"] and practice_world.utp_a1 in form.fields["coauthors"].queryset
    edit = login(practice_world.utp_a1).post(
        f"/practices/{practice.pk}/edit/",
        {**FORM, "title": "Lectura compartida diaria", "coauthors": [practice_world.utp_a1.pk]},
    )
    assert edit.status_code == 302
    practice.refresh_from_db()
    assert practice.title == "Lectura compartida diaria"
    assert set(practice.authors.all()) == {practice_world.director_a, practice_world.utp_a1}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "Indique el título de la práctica."),
        ("body", "Hola <script>alert(1)</script>", "código que no se permite"),
        ("results", "[clic](javascript:alert(1))", "código que no se permite"),
        ("problem", '<img src=x onerror="alert(1)">', "código que no se permite"),
        ("dimension", "", "Elija la dimensión del PME."),
    ],
)
def test_bad_input_stores_nothing_and_says_why(practice_world, login, field, value, message):
    response = login(practice_world.director_a).post("/practices/new/", {**FORM, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Practice.objects.exists()


def test_a_co_author_must_be_of_the_same_school(practice_world):
    from django.core.exceptions import ValidationError

    from networks.practices import services as services

    with pytest.raises(ValidationError) as raised:
        services.create_practice(
            by=practice_world.director_a,
            school=practice_world.a1,
            title="Una práctica",
            summary="Resumen",
            dimension="liderazgo",
            coauthors=[practice_world.utp_a2],
        )
    assert "coauthors" in raised.value.message_dict
    assert not Practice.objects.exists()


def test_publishing_needs_what_was_done(practice_world, practice_of, login):
    practice = practice_of("draft", body="")
    response = login(practice_world.director_a).post(
        f"/practices/{practice.pk}/publish/", follow=True
    )
    assert "Cuente qué se hizo antes de publicar la práctica." in response.content.decode()
    practice.refresh_from_db()
    assert practice.status == "draft"


@pytest.mark.parametrize(
    ("name", "content", "size", "message"),
    [
        ("video.mp4", b"\x00\x00\x00\x18ftypmp42", None, "no es de un tipo permitido"),
        ("script.exe", b"MZ\x90\x00", None, "no es de un tipo permitido"),
        ("falso.pdf", b"<html>no soy un pdf</html>", None, "no corresponde a un archivo PDF"),
        ("enorme.pdf", b"%PDF-1.4", 11 * 1024 * 1024, "el máximo es 10"),
    ],
)
def test_bad_attachments_are_refused(
    practice_world, practice_of, login, name, content, size, message
):
    practice = practice_of("all")
    upload = SimpleUploadedFile(name, content + b"0" * (size or 0))
    response = login(practice_world.director_a).post(
        f"/practices/{practice.pk}/files/", {"file": upload}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PracticeAttachment.objects.exists()


def test_a_good_attachment_is_kept_and_listed(practice_world, practice_of, login):
    practice = practice_of("all")
    client = login(practice_world.director_a)
    upload = SimpleUploadedFile("pauta.pdf", pdf_bytes())
    response = client.post(f"/practices/{practice.pk}/files/", {"file": upload}, follow=True)
    assert "pauta.pdf" in response.content.decode()
    attachment = PracticeAttachment.objects.get()
    client.post(f"/practices/files/{attachment.pk}/remove/")
    assert not PracticeAttachment.objects.exists()


# --- adoption -------------------------------------------------------------------------------


def test_another_school_adopts_and_the_author_sees_how_it_goes(practice_world, practice_of, login):
    practice = practice_of("deprov", title="Recreos entretenidos")
    cycle = PMECycleFactory(school=practice_world.c1)
    plan = AnnualPlanFactory(cycle=cycle, school=practice_world.c1)
    action = ActionFactory(plan=plan, name="Recreos con juegos guiados")
    client = login(practice_world.director_c)
    page = client.get(f"/practices/{practice.pk}/")
    assert "Adoptar esta práctica" in page.content.decode()
    response = client.post(
        f"/practices/{practice.pk}/adopt/",
        {"school": practice_world.c1.pk, "stage": "trying", "notes": "Partimos en marzo."},
    )
    assert response.status_code == 302
    adoption = PracticeAdoption.objects.get()
    assert (adoption.school, adoption.stage, adoption.adopted_by) == (
        practice_world.c1,
        "trying",
        practice_world.director_c,
    )
    # A dated note later, linking the PME action that carries it.
    client.post(
        f"/practices/adoptions/{adoption.pk}/notes/",
        {"stage": "adopted", "text": "Ya es parte del recreo.", "pme_action": action.pk},
    )
    adoption.refresh_from_db()
    assert adoption.stage == "adopted" and adoption.pme_action == action
    assert PracticeAdoptionNote.objects.filter(adoption=adoption).count() == 2
    author_page = (
        login(practice_world.director_a).get(f"/practices/{practice.pk}/").content.decode()
    )
    assert "Escuela Talca Norte" in author_page
    assert "Ya es parte del recreo." in author_page and "Recreos con juegos guiados" in author_page


def test_adopting_ones_own_schools_practice_is_refused(practice_world, practice_of, login):
    practice = practice_of("all")
    response = login(practice_world.utp_a1).post(
        f"/practices/{practice.pk}/adopt/", {"school": practice_world.a1.pk, "stage": "exploring"}
    )
    assert response.status_code == 400
    assert "No se puede adoptar una práctica del propio establecimiento." in (
        response.content.decode()
    )
    assert not PracticeAdoption.objects.exists()


def test_adopting_twice_is_refused(practice_world, practice_of, login):
    practice = practice_of("all")
    client = login(practice_world.director_b)
    data = {"school": practice_world.b1.pk, "stage": "exploring"}
    assert client.post(f"/practices/{practice.pk}/adopt/", data).status_code == 302
    again = client.post(f"/practices/{practice.pk}/adopt/", data)
    assert again.status_code == 400
    assert "ya registró la adopción de esta práctica" in again.content.decode()
    assert PracticeAdoption.objects.count() == 1


def test_a_pme_action_of_another_school_cannot_carry_an_adoption(practice_world, practice_of):
    from django.core.exceptions import ValidationError

    from networks.practices import services as services

    practice = practice_of("all")
    other_action = ActionFactory(
        plan=AnnualPlanFactory(cycle=PMECycleFactory(school=practice_world.a2))
    )
    with pytest.raises(ValidationError) as raised:
        services.adopt_practice(
            by=practice_world.director_b,
            practice=practice,
            school=practice_world.b1,
            pme_action=other_action,
        )
    assert "pme_action" in raised.value.message_dict
    assert not PracticeAdoption.objects.exists()


def test_a_draft_cannot_be_adopted_nor_commented(practice_world, practice_of, login):
    practice = practice_of("draft")
    response = login(practice_world.utp_a1).post(
        f"/practices/{practice.pk}/comments/", {"body": "Hola"}
    )
    assert response.status_code == 403
    assert not PracticeComment.objects.exists()


# --- comments ---------------------------------------------------------------------------------


def test_comments_are_markdown_and_sanitized(practice_world, practice_of, login):
    practice = practice_of("all")
    client = login(practice_world.director_b)
    client.post(f"/practices/{practice.pk}/comments/", {"body": "Nos sirvió **mucho**."})
    bad = client.post(f"/practices/{practice.pk}/comments/", {"body": "<script>x()</script>"})
    assert bad.status_code == 400 and PracticeComment.objects.count() == 1
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "Nos sirvió <strong>mucho</strong>." in page and "<script>x()" not in page


def test_the_practice_pages_forms_follow_the_readers_language_and_schools(practice_world, login):
    """The empty comment and adoption forms are rendered once per process
    and language (the adoption form per list of schools offered): another
    language, or another school to offer, shows at once."""
    from tests.factories import PositionFactory, PracticeFactory

    w = practice_world
    practice = PracticeFactory(school=w.a1, visibility="all", title="Recreos activos")
    client = login(w.director_b)
    page = client.get(practice.get_absolute_url()).content.decode()
    assert ">Comentario</label>" in page and w.b1.display_name in page
    assert w.c1.display_name not in page
    w.director_b.language = "en"
    w.director_b.save()
    try:
        page = client.get(practice.get_absolute_url()).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request's, for the next tests
    assert ">Comment</label>" in page and ">Comentario</label>" not in page
    w.director_b.language = "es"
    w.director_b.save()
    PositionFactory(school=w.c1, user=w.director_b)
    page = client.get(practice.get_absolute_url()).content.decode()
    assert f'">{w.c1.display_name}</option>' in page
    assert f'">{w.b1.display_name}</option>' in page
