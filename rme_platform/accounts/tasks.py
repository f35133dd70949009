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
    """Email the invitation link. Idempotent, also when the outbox delivers
    it twice at once: the invitation is claimed (sent_at set by a
    conditional UPDATE) before the email goes, so only one run sends it; an
    invitation already sent, accepted or revoked is not sent again. If the
    email cannot be sent the claim is given back."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(sent_at=now)
    if not claimed:
        return False
    try:
        invitation = Invitation.objects.select_related("user", "invited_by").get(pk=invitation_id)
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
    except Exception:
        Invitation.objects.filter(pk=invitation_id, sent_at=now).update(sent_at=None)
        raise
    return True
