"""Celery tasks of the PME app: thin and idempotent."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from rme_platform.accounts.models import User
from schools.models import Position

from .models import Comment


@shared_task
def notify_comment(comment_id):
    """Email a comment to the directivos of the plan's school, one message
    each in their language. Idempotent: a comment is notified once."""
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("plan__school", "action", "author")
            .filter(pk=comment_id, notified_at__isnull=True)
            .first()
        )
        if comment is None:
            return 0
        recipients = User.objects.filter(
            is_active=True,
            pk__in=Position.objects.active()
            .filter(school_id=comment.plan.school_id)
            .values("user_id"),
        ).exclude(pk=comment.author_id)
        url = settings.SITE_URL + (
            reverse("pme:action_detail", args=[comment.action_id])
            if comment.action_id
            else reverse("pme:plan_detail", args=[comment.plan_id])
        )
        sent = 0
        for user in recipients.order_by("pk"):
            with translation.override(user.language):
                context = {"comment": comment, "user": user, "url": url}
                subject = render_to_string("pme/email/comment_subject.txt", context).strip()
                body = render_to_string("pme/email/comment_body.txt", context)
            send_mail(subject, body, None, [user.email])
            sent += 1
        Comment.objects.filter(pk=comment.pk).update(notified_at=timezone.now())
    return sent
