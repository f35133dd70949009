"""The library's page and the API lists write their rows from values (not
model instances): each row is the same as the serializer's field-by-field
loop, and a card the same as the template wrote, whatever the row holds
(a school without a name, no tags, notes with and without an author)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework import serializers

from networks.practices import permissions as perms
from networks.practices import selectors
from networks.practices.api import AdoptionSerializer, PracticeSerializer
from networks.practices.models import Practice, PracticeAdoption, PracticeAdoptionNote
from schools.models import Position
from tests.factories import (
    PracticeAdoptionFactory,
    PracticeCommentFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db


def test_the_api_list_rows_are_the_serializers_fields(practice_world, practice_of, login):
    tagged = practice_of("all", tags=["lectura", "Convivencia escolar"], enrollment=340)
    plain = practice_of("all", levels=[], subdimension=None)
    plain.school.name = ""  # "RBD N"
    plain.school.save()
    PracticeCommentFactory(practice=tagged, author=practice_world.director_b)
    PracticeAdoptionFactory(practice=tagged, school=practice_world.b1)
    rows = {
        row["id"]: row
        for row in login(practice_world.director_b).get("/api/v1/practices/").json()["results"]
    }
    assert {tagged.pk, plain.pk} <= set(rows)
    generic = PracticeSerializer()
    for practice in (
        selectors.with_counts(Practice.objects.filter(pk__in=[tagged.pk, plain.pk]))
        .select_related("school__comuna")
        .prefetch_related("tags")
    ):
        expected = serializers.ModelSerializer.to_representation(generic, practice)
        assert rows[practice.pk] == expected
    assert rows[tagged.pk]["n_adoptions"] == rows[tagged.pk]["n_comments"] == 1
    assert rows[plain.pk]["school_name"] == f"RBD {plain.school_id}"


def test_the_adoption_list_rows_are_the_serializers(practice_world, practice_of, login):
    practice = practice_of("all")
    adoption = PracticeAdoptionFactory(practice=practice, school=practice_world.b1)
    PracticeAdoptionNote.objects.create(
        adoption=adoption, stage="trying", text="Con autor", author=practice_world.director_b
    )
    PracticeAdoptionNote.objects.create(adoption=adoption, stage="adopted", text="Sin autor")
    bare = PracticeAdoptionFactory(practice=practice_of("all"), school=SchoolFactory())
    rows = {
        row["id"]: row
        for row in login(practice_world.director_a)
        .get("/api/v1/practice-adoptions/")
        .json()["results"]
    }
    for instance in PracticeAdoption.objects.filter(pk__in=[adoption.pk, bare.pk]):
        assert rows[instance.pk] == AdoptionSerializer(instance).data
    authors = [note["author"] for note in rows[adoption.pk]["notes"]]
    assert authors == [practice_world.director_b.get_full_name(), ""]
    assert rows[bare.pk]["notes"] == []


def test_a_library_card_shows_the_practice(practice_world, practice_of, login):
    practice = practice_of(
        "all", title="Lectura <en voz alta>", summary="x" * 230, tags=["b tema", "a tema"]
    )
    PracticeAdoptionFactory(practice=practice, school=practice_world.b1)
    html = login(practice_world.director_b).get("/practices/").content.decode()
    card = html[html.index(f'href="/practices/{practice.pk}/"') :]
    card = card[: card.index("</article>")]
    assert "Lectura &lt;en voz alta&gt;</a>" in card
    assert f'<p class="small mb-2">{"x" * 219}…</p>' in card
    assert card.index("#a tema") < card.index("#b tema")
    assert "1 adopción · 0 comentarios" in card


def test_only_a_directivo_with_an_active_position_writes_from_the_library(
    practice_world, practice_of, login
):
    """The library reads the user's schools once: they scope the list, say
    whether the user may write and list the school's own practices."""
    draft = practice_of("draft", title="Borrador de a1")
    client = login(practice_world.director_a)
    html = client.get("/practices/").content.decode()
    assert "Compartir una práctica" in html and "Borrador de a1" in html
    Position.objects.filter(user=practice_world.director_a).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = client.get("/practices/").content.decode()
    assert "Compartir una práctica" not in html and draft.title not in html
    assert not perms.can_write_practices(practice_world.director_a)
