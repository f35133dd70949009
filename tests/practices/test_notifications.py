"""A comment emails the practice's authors (once, however many times the
task runs), except the authors who chose a daily digest: they get one email
a day with the day's comments, once."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from networks.practices import services as services
from networks.practices.models import PracticeComment, PracticeDigest, PracticeNotice
from networks.practices.tasks import send_comment_notice, send_practice_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(practice_world, practice_of):
    practice = practice_of("all", title="Lectura compartida")
    practice.authors.add(practice_world.utp_a1)
    return practice


def test_a_comment_emails_each_author_once(
    practice_world, practice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.add_comment(
            by=practice_world.director_b, practice=practice, body="¿Cómo eligen los **textos**?"
        )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [practice_world.director_a.email, practice_world.utp_a1.email]
    )
    message = mailoutbox[0]
    assert "Lectura compartida" in message.subject
    assert "¿Cómo eligen los **textos**?" in message.body
    assert f"/practices/{practice.pk}/" in message.body
    assert "<strong>textos</strong>" in message.alternatives[0][0]
    # The task run again sends nothing more.
    assert send_comment_notice.delay(comment.pk).get() == 0
    assert len(mailoutbox) == 2 and PracticeNotice.objects.count() == 2


def test_the_commenter_is_not_told_of_their_own_comment(
    practice_world, practice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(by=practice_world.utp_a1, practice=practice, body="Sumamos la pauta.")
    assert [m.to[0] for m in mailoutbox] == [practice_world.director_a.email]


def test_authors_who_chose_the_digest_get_one_email_a_day(
    practice_world, practice, mailoutbox, django_capture_on_commit_callbacks
):
    services.set_digest_preference(user=practice_world.director_a, daily_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(
            by=practice_world.director_b, practice=practice, body="Primera pregunta."
        )
        services.add_comment(
            by=practice_world.director_c, practice=practice, body="Segunda pregunta."
        )
    # Immediate emails go only to the co-author, who did not choose the digest.
    assert {m.to[0] for m in mailoutbox} == {practice_world.utp_a1.email}
    mailoutbox.clear()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    PracticeComment.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    assert send_practice_digests.delay().get() == 1
    (digest,) = mailoutbox
    assert digest.to == [practice_world.director_a.email]
    assert "2 comentarios nuevos" in digest.subject
    assert "Primera pregunta." in digest.body and "Segunda pregunta." in digest.body
    assert PracticeDigest.objects.get().day == yesterday
    # Run again: nothing more.
    assert send_practice_digests.delay().get() == 0
    assert len(mailoutbox) == 1


def test_the_digest_preference_is_set_on_the_library_page(practice_world, login):
    client = login(practice_world.director_a)
    client.post("/practices/preferences/", {"daily_digest": "1"})
    assert services.wants_digest(practice_world.director_a)
    assert 'id="digest-1" checked' in client.get("/practices/").content.decode()
    client.post("/practices/preferences/", {"daily_digest": "0"})
    assert not services.wants_digest(practice_world.director_a)


def test_the_digest_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["practices-send-digests"]
    assert entry["task"] == "networks.practices.tasks.send_practice_digests"
