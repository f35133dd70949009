from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone

from .factories import TOTP_SECRET


def current_totp(secret=TOTP_SECRET):
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def login_with_mfa(client, user, password):
    """Sign in through allauth's real forms, answering the TOTP step."""
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    if response.status_code == 302 and "/2fa/authenticate" in response["Location"]:
        response = client.post(response["Location"], {"code": current_totp()})
    return response
