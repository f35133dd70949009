from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from rme_platform.accounts import views as account_views

from . import views

handler404 = "rme_platform.views.page_not_found"
handler500 = "rme_platform.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("rme_platform.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("schools/", include("schools.urls")),
    path("networks/", include("networks.urls")),
    path("people/", include("networks.people_urls")),
    path("monitoring/", include("monitoring.urls")),
    path("pme/", include("pme.urls")),
    path("meetings/", include("networks.meeting_urls")),
    path("practices/", include("networks.practice_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rme_platform.api")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
