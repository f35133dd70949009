"""A request body over MAX_REQUEST_BYTES is refused with 413 from its
Content-Length, before any of it is read (a 100 MB upload used to be
received and written to a temporary file whole, then refused)."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler

from rme_platform.accounts.models import User

pytestmark = pytest.mark.django_db

HUNDRED_MB = 100 * 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that must not be touched."""

    def __init__(self):
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.bytes_read += len(buffer)
        raise AssertionError("the body of a too large request was read")


def wsgi_post(path, length, body):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(length),
    }
    status = {}

    def start_response(line, headers):
        status["line"], status["headers"] = line, dict(headers)

    content = b"".join(WSGIHandler()(environ, start_response))
    return status["line"], status["headers"], content.decode()


def test_a_100_mb_upload_is_refused_before_its_body_is_read():
    body = UnreadableBody()
    line, headers, page = wsgi_post("/people/import/", HUNDRED_MB, body)
    assert line.startswith("413")
    assert body.bytes_read == 0
    page = page.replace("\xa0", " ")
    assert "100,0 MB" in page and "30,0 MB" in page
    assert headers["Content-Type"].startswith("text/html")


def test_the_api_answers_413_in_json(client):
    response = client.post(
        "/api/v1/practices/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(HUNDRED_MB),
    )
    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_the_limit_is_a_setting_and_requests_under_it_go_through(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = client.post("/accounts/login/", {"login": "x@example.cl", "password": "y" * 2000})
    assert response.status_code == 413
    response = client.post("/accounts/login/", {"login": "x@example.cl", "password": "y"})
    assert response.status_code == 200
    assert not User.objects.exists()
