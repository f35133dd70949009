"""The outbox publishes a task before it marks the row sent, so a crash, a
failed commit or two relays can deliver a task twice, even at the same
time. Every task it sends must then do its work once: two deliveries run
concurrently on PostgreSQL (two threads, two connections) and each person
still gets one email."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from monitoring import services as survey
from monitoring import tasks
from monitoring.models import Invitation
from rme_platform.accounts.models import hash_secret
from rme_platform.accounts.services import invite_user
from rme_platform.accounts.tasks import send_invitation_email
from tests.factories import CampaignFactory
from tests.monitoring.conftest import _default_instrument  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_mail(monkeypatch):
    """A mail server that takes a moment: time for a second delivery to
    run while the first is sending."""
    original = EmailBackend.send_messages

    def send_messages(self, messages):
        time.sleep(0.5)
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def twice_at_once(task, *args, **kwargs):
    """Run `task` in two threads started together; return both results."""
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(task(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return sorted(results)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def campaign(world):
    campaign = CampaignFactory(slug="rme-2025", closes_on=timezone.localdate() + timedelta(days=20))
    survey.open_campaign(by=world.admin, campaign=campaign, send=False)
    return campaign


def test_an_invitation_batch_delivered_twice_at_once_emails_each_person_once(campaign, slow_mail):
    invitations = Invitation.objects.filter(campaign=campaign)
    ids = list(invitations.values_list("pk", flat=True))
    emails = sorted(invitations.values_list("user__email", flat=True))
    mail.outbox.clear()

    # The two deliveries may share the rows between them (SKIP LOCKED lets
    # each take what the other has not locked yet): what matters is that
    # together they send each invitation once.
    assert sum(twice_at_once(tasks.send_invitation_batch, ids)) == len(ids)
    assert recipients() == emails
    assert not invitations.filter(sent_at__isnull=True).exists()


def test_a_reminder_batch_delivered_twice_at_once_reminds_each_person_once(campaign, slow_mail):
    invitations = Invitation.objects.filter(campaign=campaign)
    invitations.update(sent_at=timezone.now() - timedelta(days=3))
    ids = list(invitations.values_list("pk", flat=True))
    mail.outbox.clear()

    # As above: however the two share the rows, each person is reminded once.
    assert sum(twice_at_once(tasks.send_invitation_batch, ids, reminder=True)) == len(ids)
    assert len(recipients()) == len(ids) == len(set(recipients()))
    assert set(invitations.values_list("reminder_count", flat=True)) == {1}


def test_an_account_invitation_delivered_twice_at_once_is_emailed_once(world, slow_mail):
    invitation = invite_user(
        invited_by=world.admin, email="nueva.analista@mineduc.cl", role="analyst", send=False
    )
    mail.outbox.clear()

    assert twice_at_once(send_invitation_email, invitation.pk) == [False, True]
    assert recipients() == ["nueva.analista@mineduc.cl"]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # The link in the one email is the one that works (no second token).
    token = re.search(r"/accounts/invitation/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert invitation.token_hash == hash_secret(token)


def test_an_account_invitation_that_cannot_be_emailed_is_sent_by_the_next_delivery(
    world,
    monkeypatch,
):
    invitation = invite_user(
        invited_by=world.admin, email="otra.analista@mineduc.cl", role="analyst", send=False
    )
    mail.outbox.clear()

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", refuse)
        with pytest.raises(ConnectionRefusedError):
            send_invitation_email(invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert send_invitation_email(invitation.pk) is True
    assert recipients() == ["otra.analista@mineduc.cl"]


def test_a_plan_comment_notice_delivered_twice_at_once_is_emailed_once(db, slow_mail):
    from pme.tasks import notify_comment
    from tests.factories import PlanCommentFactory, PositionFactory

    comment = PlanCommentFactory()
    directors = [PositionFactory(school=comment.plan.school).user for _ in range(2)]
    mail.outbox.clear()

    assert twice_at_once(notify_comment, comment.pk) == [0, 2]
    assert recipients() == sorted(user.email for user in directors)


def test_a_practice_comment_notice_delivered_twice_at_once_is_emailed_once(db, slow_mail):
    from networks.practices.tasks import send_comment_notice
    from pme.catalog import load_catalog
    from tests.factories import PracticeCommentFactory, PracticeFactory, UserFactory

    load_catalog()  # the dimensions (a data migration this test's flush removed)
    authors = [UserFactory(role="director") for _ in range(2)]
    comment = PracticeCommentFactory(practice=PracticeFactory(authors=authors))
    mail.outbox.clear()

    results = twice_at_once(send_comment_notice, comment.pk)
    assert sum(results) == 2
    assert recipients() == sorted(user.email for user in authors)


def test_a_meeting_notice_delivered_twice_at_once_is_emailed_once(db, slow_mail):
    from networks.meetings.models import NoticeKind
    from networks.meetings.tasks import send_meeting_notice
    from tests.factories import MeetingFactory, MembershipFactory

    meeting = MeetingFactory()
    members = [MembershipFactory(network=meeting.network).user for _ in range(2)]
    mail.outbox.clear()

    results = twice_at_once(send_meeting_notice, meeting.pk, NoticeKind.CONVENED, meeting.sequence)
    assert sum(results) == 2
    assert recipients() == sorted(user.email for user in members)
