from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation
from .services import issue_invitation_token


@shared_task
def send_invitation_email(invitation_id):
    """Email the invitation link. Idempotent: an invitation already sent,
    accepted or revoked is not sent again."""
    invitation = (
        Invitation.objects.select_related("user", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.sent_at or invitation.accepted_at or invitation.revoked_at:
        return False
    user = invitation.user
    token = issue_invitation_token(invitation)
    with translation.override(user.language):
        context = {
            "user": user,
            "invitation": invitation,
            "url": settings.SITE_URL + reverse("accounts:accept_invitation", args=[token]),
            "valid_days": settings.INVITATION_VALID_DAYS,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
        html = render_to_string("accounts/email/invitation_body.html", context)
    message = EmailMultiAlternatives(subject, body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True
