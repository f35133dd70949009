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


def pdf_bytes(size=None):
    """A real one-page PDF (header, objects, cross-reference table, trailer),
    padded with a comment to exactly `size` bytes when asked."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]

    def build(padding):
        out = b"%PDF-1.4\n" + (b"%" + b"0" * (padding - 2) + b"\n" if padding >= 2 else b"")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        return out

    content = build(0)
    if size is None or size <= len(content) + 2:
        return content
    padding = size - len(content)
    while len(content := build(padding)) != size:
        padding += size - len(content)
    return content


def record_full_sign_in(client, user):
    """Write into the client's session what allauth's sign-in writes: the
    password, then (for a user with a TOTP authenticator) the second factor.
    RequireMFAMiddleware reads these records."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        records.append({"method": "mfa", "at": now, "id": totp.pk, "type": totp.type})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
