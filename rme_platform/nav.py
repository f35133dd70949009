"""The menu bar at the top of every page (includes/nav.html), rendered once
per kind of reader and kept in the process.

The bar depends on the language, the reader (signed in or not, their name,
role and the two links their role adds) and the section the page belongs
to; all of it is known before the template runs, and it renders the same
HTML each time: a few dozen translations, links and conditions that were a
measurable part of every page. Only the CSRF token of its two forms and
the path the language form returns to change with each request: the cached
HTML holds placeholders for them, filled in on the way out (escaped as the
template would)."""

from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from rme_platform.accounts.permissions import can_invite, can_open_admin_site
from rme_platform.context_processors import site_links

# Letters only, so that the template's escaping leaves them as they are.
CSRF_PLACEHOLDER = "rmenavcsrftokenplaceholder"
NEXT_PLACEHOLDER = "rmenavnextpathplaceholder"


@lru_cache(maxsize=2048)
def _render(language, links, url_name, app_name, reader):
    authenticated, full_name, role_label, invite, admin = reader
    context = {
        "site_links": dict(links),
        "LANGUAGES": settings.LANGUAGES,
        "csrf_token": CSRF_PLACEHOLDER,
        "user": SimpleNamespace(
            is_authenticated=authenticated, get_full_name=full_name, role_label=role_label
        ),
        "request": SimpleNamespace(
            resolver_match=SimpleNamespace(url_name=url_name, app_name=app_name),
            get_full_path=NEXT_PLACEHOLDER,
        ),
        "can_invite": invite,
        "can_open_admin_site": admin,
    }
    return get_template("includes/nav.html").render(context)


def render_nav(request):
    """The menu bar's HTML for this request."""
    user = request.user
    if user.is_authenticated:
        reader = (
            True,
            user.get_full_name(),
            str(user.role_label),
            can_invite(user),
            can_open_admin_site(user),
        )
    else:
        reader = (False, "", "", False, False)
    match = request.resolver_match
    html = _render(
        get_language(),
        tuple(site_links().items()),
        match.url_name if match else None,
        match.app_name if match else None,
        reader,
    )
    return mark_safe(  # noqa: S308 - the template's output, with escaped values put in
        html.replace(CSRF_PLACEHOLDER, escape(get_token(request))).replace(
            NEXT_PLACEHOLDER, escape(request.get_full_path())
        )
    )
