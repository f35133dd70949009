import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from .factories import TOTP_SECRET

PERIOD = 30


def current_totp(secret=TOTP_SECRET):
    """The code an authenticator app shows now. Near the end of a 30-second
    window we wait for the next one, so the code is still valid when the
    server checks it (a real user would simply read the new code)."""
    if time.time() % PERIOD > PERIOD - 3:
        time.sleep(PERIOD - time.time() % PERIOD + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD))


def login_with_mfa(client, user, password):
    """Sign in through allauth's real forms, answering the TOTP step."""
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    if response.status_code == 302 and "/2fa/authenticate" in response["Location"]:
        response = client.post(response["Location"], {"code": current_totp()})
    return response
