"""Read-only API of the registry: regions, comunas, DEPROV, sostenedores and
schools (looked up by RBD)."""

from django.core.cache import cache
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from .cache import TIMEOUT, registry_key
from .filters import SchoolFilter
from .models import Comuna, Deprov, PerformanceCategory, Region, School, Sostenedor
from .permissions import visible_schools


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "roman", "name", "short_name", "order"]


class DeprovSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deprov
        fields = ["code", "name", "region"]


class ComunaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comuna
        fields = ["cut", "name", "province_code", "region", "deprov"]


class SostenedorSerializer(serializers.ModelSerializer):
    formatted_rut = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Sostenedor
        fields = ["rut", "check_digit", "formatted_rut", "name", "kind", "kind_label"]


class PerformanceCategorySerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = PerformanceCategory
        fields = ["year", "level", "category", "category_label"]


class SchoolSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    region = serializers.IntegerField(source="comuna.region_id", read_only=True)
    dependency_label = serializers.CharField(source="get_dependency_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    performance_categories = PerformanceCategorySerializer(many=True, read_only=True)

    class Meta:
        model = School
        fields = [
            "rbd",
            "check_digit",
            "name",
            "display_name",
            "sostenedor",
            "sostenedor_person_type",
            "region",
            "comuna",
            "deprov",
            "dependency",
            "dependency_label",
            "status",
            "status_label",
            "rural",
            "latitude",
            "longitude",
            "enrollment",
            "levels",
            "pie",
            "pace",
            "sep",
            "sep_classification",
            "last_seen_year",
            "absent",
            "performance_categories",
        ]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer


class DeprovViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Deprov.objects.all()
    serializer_class = DeprovSerializer
    filterset_fields = ["region"]


class ComunaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Comuna.objects.all()
    serializer_class = ComunaSerializer
    filterset_fields = ["region", "deprov"]


class SostenedorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Sostenedor.objects.all()
    serializer_class = SostenedorSerializer
    filterset_fields = ["kind"]


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter
    lookup_field = "rbd"
    ordering_fields = ["rbd", "name", "enrollment"]
    ordering = ["rbd"]

    def get_queryset(self):
        return (
            visible_schools(self.request.user)
            .select_related("comuna")
            .prefetch_related("performance_categories")
        )

    def list(self, request, *args, **kwargs):
        """Every signed-in user sees the same registry, so a page of it is
        cached until the registry changes."""
        key = registry_key("api-schools", request)
        data = cache.get(key)
        if data is None:
            response = super().list(request, *args, **kwargs)
            if response.status_code == 200:
                cache.set(key, response.data, TIMEOUT)
            return response
        return Response(data)


def register(router):
    """Add the registry's endpoints to the /api/v1/ router."""
    router.register("regions", RegionViewSet, basename="region")
    router.register("comunas", ComunaViewSet, basename="comuna")
    router.register("deprovs", DeprovViewSet, basename="deprov")
    router.register("sostenedores", SostenedorViewSet, basename="sostenedor")
    router.register("schools", SchoolViewSet, basename="school")
