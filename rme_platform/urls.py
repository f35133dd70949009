from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from monitoring import views as monitoring_views
from networks import urls as networks_urls
from networks import views as networks_views
from networks.practices import views as practices_views
from pme import urls as pme_urls
from pme import views as pme_views
from rme_platform.accounts import views as account_views
from schools import urls as schools_urls

from . import views

handler404 = "rme_platform.views.page_not_found"
handler500 = "rme_platform.views.server_error"

# Pages load the panels of the apps above them by htmx: the school page its
# networks, a network's page its PME, survey and practices panels. Those views
# live in the apps above and are routed here, in the namespace of the page's
# app, so that schools and networks import none of them. Same for the PME
# action copied from a practice and the "¿Quién puede ayudarnos?" panels of
# the PME action and plan pages, views of the practices app.
networks_patterns = [
    *networks_urls.urlpatterns,
    path("<str:code>/pme-panel/", pme_views.network_panel, name="pme_panel"),
    path("<str:code>/survey-panel/", monitoring_views.network_panel, name="survey_panel"),
    path("<str:code>/practices-panel/", practices_views.network_panel, name="practices_panel"),
    path("<str:code>/help-panel/", practices_views.network_help, name="help_panel"),
    path("<str:code>/help-agenda/", practices_views.network_help_agenda, name="help_agenda"),
]
schools_patterns = [
    *schools_urls.urlpatterns,
    path("<int:rbd>/networks-panel/", networks_views.school_panel, name="networks_panel"),
]
pme_patterns = [
    *pme_urls.urlpatterns,
    path(
        "practices/<int:practice_id>/action/",
        practices_views.pme_action,
        name="action_from_practice",
    ),
    path("actions/<int:pk>/help/", practices_views.action_help, name="action_help"),
    path("plans/<int:pk>/help/", practices_views.plan_help, name="plan_help"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("home/panels/<str:name>/", views.home_panel, name="home_panel"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("rme_platform.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("schools/", include((schools_patterns, schools_urls.app_name))),
    path("networks/", include((networks_patterns, networks_urls.app_name))),
    path("people/", include((networks_urls.people_urlpatterns, "people"))),
    path("monitoring/", include("monitoring.urls")),
    path("pme/", include((pme_patterns, pme_urls.app_name))),
    path("meetings/", include("networks.meetings.urls")),
    path("practices/", include("networks.practices.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rme_platform.api")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
