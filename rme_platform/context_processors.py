from django.conf import settings

from rme_platform.accounts.permissions import can_invite, can_open_admin_site


def platform(request):
    user = getattr(request, "user", None)
    return {
        "LANGUAGES": settings.LANGUAGES,
        "request_id": getattr(request, "request_id", ""),
        # The menu's links, from the accounts' primitives (the user alone);
        # callables, so a page that never shows the menu computes nothing.
        "can_invite": lambda: can_invite(user),
        "can_open_admin_site": lambda: can_open_admin_site(user),
    }
