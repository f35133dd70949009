from django.conf import settings


def platform(request):
    return {
        "LANGUAGES": settings.LANGUAGES,
        "request_id": getattr(request, "request_id", ""),
    }
