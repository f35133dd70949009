"""The /api/v1/ router. Each app registers its viewsets in its own api.py;
they are collected here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from monitoring import api as monitoring_api
from networks import api as networks_api
from networks.meetings import api as meeting_api
from networks.practices import api as practice_api
from pme import api as pme_api
from rme_platform.accounts.api import MeView
from schools import api as schools_api

router = DefaultRouter()
schools_api.register(router)
networks_api.register(router)
monitoring_api.register(router)
pme_api.register(router)
meeting_api.register(router)
practice_api.register(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
