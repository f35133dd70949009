"""Anonymous visitors: every URL either is public on purpose or sends them
to sign in (pages) or answers 401/403 (API)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/invitation/",
    "/accounts/2fa/authenticate/",
    "/accounts/2fa/reauthenticate/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/accounts/login/code/",
    "/accounts/password/reset/key/",
    "/accounts/inactive/",
    "/healthz",
    "/favicon.ico",
    "/i18n/setlang/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/admin/login/",
    "/admin/logout/",
    "/static/",
    "/media/",
)


def all_paths(resolver=None, prefix="/"):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_paths(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = str(entry.pattern)
            path = prefix + route
            for conv, sample in (("<int:", "1"), ("<str:", "x"), ("<slug:", "x"), ("<path:", "x")):
                while conv in path:
                    start = path.index(conv)
                    path = path[:start] + sample + path[path.index(">", start) + 1 :]
            if "^" in path or "(?P" in path or "\\" in path:
                continue  # regex routes (admin internals, format suffixes)
            yield path.replace("$", "")


@pytest.mark.django_db
def test_anonymous_visitors_are_kept_out_of_every_private_url(client):
    checked = 0
    for path in sorted(set(all_paths())):
        if path.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(path)
        checked += 1
        if path.startswith("/api/"):
            assert response.status_code in {401, 403, 404}, path
        elif path.startswith("/admin/"):
            assert response.status_code in {302, 404}, path
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], path
        else:
            assert response.status_code in {302, 404, 405}, (path, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], path
    assert checked > 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/healthz",
        "/api/v1/schema/",
        "/api/v1/docs/",
    ],
)
def test_public_pages_answer(client, path):
    assert client.get(path).status_code == 200
