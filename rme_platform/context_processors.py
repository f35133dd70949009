from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from rme_platform.accounts.permissions import can_invite, can_open_admin_site

# The links every page's menu and footer show (base.html, includes/nav*.html).
SITE_LINKS = {
    "home": "home",
    "networks": "networks:list",
    "meetings": "meetings:list",
    "practices": "practices:library",
    "pme": "pme:list",
    "monitoring": "monitoring:index",
    "schools": "schools:list",
    "set_language": "set_language",
    "profile": "accounts:profile",
    "invite": "people:invite",
    "admin": "admin:index",
    "logout": "account_logout",
    "login": "account_login",
    "api_docs": "api-docs",
    "healthz": "healthz",
}


@lru_cache(maxsize=16)
def _site_links(script_prefix, root_urlconf, urlconf):
    return {name: reverse(view) for name, view in SITE_LINKS.items()}


def site_links():
    """SITE_LINKS reversed once per process (and URL configuration), not a
    {% url %} each on every page."""
    return _site_links(get_script_prefix(), settings.ROOT_URLCONF, get_urlconf())


def platform(request):
    user = getattr(request, "user", None)
    return {
        "LANGUAGES": settings.LANGUAGES,
        "request_id": getattr(request, "request_id", ""),
        "site_links": site_links(),
        # The menu's links, from the accounts' primitives (the user alone);
        # callables, so a page that never shows the menu computes nothing.
        "can_invite": lambda: can_invite(user),
        "can_open_admin_site": lambda: can_open_admin_site(user),
    }
