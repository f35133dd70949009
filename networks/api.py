from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rme_platform.accounts.models import User
from rme_platform.pagination import RowsFirstPagination
from schools.models import Deprov, School

from . import permissions, selectors, services
from .filters import NetworkFilter
from .models import ExternalPartner, Membership, MembershipRole, Network, NetworkSchool, PartnerKind


class _RowList(serializers.ListSerializer):
    """Nested rows already written as the API's dicts (attach_api_rows)."""

    def to_representation(self, data):
        return list(data)


class NetworkSchoolSerializer(serializers.ModelSerializer):
    rbd = serializers.IntegerField(source="school.rbd")
    name = serializers.CharField(source="school.display_name")
    comuna = serializers.CharField(source="school.comuna.name")

    class Meta:
        model = NetworkSchool
        fields = ["rbd", "name", "comuna", "joined_on"]
        list_serializer_class = _RowList

    def to_representation(self, link):
        # The row as selectors.attach_api_rows wrote it (these fields, from
        # plain values: a page of 50 networks lists a few thousand schools
        # and members, and model instances and DRF's field-by-field
        # serialization of them were most of its time).
        return link


class MembershipSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField(source="user.get_full_name")
    school_rbd = serializers.IntegerField(source="school_id", allow_null=True)

    class Meta:
        model = Membership
        fields = ["user_id", "name", "role", "school_rbd"]
        list_serializer_class = _RowList

    def to_representation(self, membership):
        # As selectors.attach_api_rows wrote it (see NetworkSchoolSerializer).
        return membership


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExternalPartner
        fields = ["id", "name", "kind", "contact_name", "contact_email", "contact_phone"]

    def to_representation(self, partner):
        return {name: getattr(partner, name) for name in self.Meta.fields}


class NetworkSerializer(serializers.ModelSerializer):
    deprov = serializers.PrimaryKeyRelatedField(queryset=Deprov.objects.all())
    region = serializers.IntegerField(source="deprov.region_id", read_only=True)
    schools = NetworkSchoolSerializer(source="active_schools", many=True, read_only=True)
    members = MembershipSerializer(source="active_members", many=True, read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)

    class Meta:
        model = Network
        fields = [
            "code",
            "name",
            "deprov",
            "region",
            "year",
            "status",
            "description",
            "work_plan",
            "schools",
            "members",
            "partners",
        ]
        read_only_fields = ["status"]
        extra_kwargs = {"code": {"validators": []}}

    def to_representation(self, network):
        # Written directly, in the fields' order: the network as read by
        # selectors.network_api_queryset, its rows by attach_api_rows (DRF's
        # field-by-field serialization was a third of a page's time).
        return {
            "code": network.code,
            "name": network.name,
            "deprov": network.deprov_id,
            "region": network.region_code,
            "year": network.year,
            "status": network.status,
            "description": network.description,
            "work_plan": network.work_plan,
            "schools": network.active_schools,
            "members": network.active_members,
            "partners": network.api_partners,
        }


class NetworkUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = ["name", "year", "status", "description", "work_plan"]


class AddSchoolSerializer(serializers.Serializer):
    rbd = serializers.IntegerField(min_value=1)


class AddMemberSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(required=False)
    email = serializers.EmailField(required=False)
    role = serializers.ChoiceField(choices=MembershipRole.choices)

    def validate(self, attrs):
        if not attrs.get("user_id") and not attrs.get("email"):
            raise serializers.ValidationError({"email": _("Indique user_id o email.")})
        return attrs


class AddPartnerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PartnerKind.choices)
    # Contacts are optional and may be blank; an omitted one is blank in the
    # service (no default here: "" is no valid email for the schema).
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class SkipEmptyFiltersMixin:
    """A list asked for no filter nor ordering (only a page) is not passed
    through the filter backends: they would change nothing, and building
    the filter set (its form, its fields copied per request) was a
    twentieth of a list's time."""

    def filter_queryset(self, queryset):
        if not self.request.query_params.keys() - {"page", "page_size"}:
            return queryset
        return super().filter_queryset(queryset)


class NetworkViewSet(
    SkipEmptyFiltersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Networks visible to the user, with their schools, members and partners.
    Writes go through the same services as the pages."""

    serializer_class = NetworkSerializer
    pagination_class = RowsFirstPagination
    filterset_class = NetworkFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    ordering_fields = ["code", "year", "name"]
    queryset = Network.objects.none()

    def get_queryset(self):
        # Schools and members are added to the networks written (attach_api_rows).
        return selectors.network_api_queryset(self.request.user).order_by("-year", "code")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        networks = selectors.attach_api_rows(list(queryset) if page is None else page)
        data = self.get_serializer(networks, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        network = selectors.attach_api_rows([self.get_object()])[0]
        return Response(self.get_serializer(network).data)

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return NetworkUpdateSerializer
        return super().get_serializer_class()

    def _manageable(self):
        network = self.get_object()
        if not permissions.can_manage_network(self.request.user, network):
            self.permission_denied(self.request)
        return network

    def _api_network(self, **lookup):
        queryset = selectors.network_api_queryset(self.request.user)
        return selectors.attach_api_rows([get_object_or_404(queryset, **lookup)])[0]

    def _detail(self, code):
        network = self._api_network(code=code)
        return NetworkSerializer(network, context=self.get_serializer_context()).data

    def perform_create(self, serializer):
        data = serializer.validated_data
        network = services.create_network(by=self.request.user, **data)
        serializer.instance = self._api_network(pk=network.pk)

    @extend_schema(responses=NetworkSerializer)
    def update(self, request, *args, **kwargs):
        network = self._manageable()
        partial = kwargs.get("partial", False)
        serializer = NetworkUpdateSerializer(network, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.update_network(by=request.user, network=network, **serializer.validated_data)
        return Response(self._detail(network.code))

    @extend_schema(request=AddSchoolSerializer, responses={201: NetworkSerializer})
    @action(detail=True, methods=["post"], url_path="schools")
    def add_school(self, request, code=None):
        network = self._manageable()
        body = AddSchoolSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.add_school(by=request.user, network=network, school=body.validated_data["rbd"])
        return Response(self._detail(network.code), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["delete"], url_path=r"schools/(?P<rbd>\d+)")
    def remove_school(self, request, code=None, rbd=None):
        network = self._manageable()
        school = get_object_or_404(School, rbd=rbd)
        services.remove_school(by=request.user, network=network, school=school)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AddMemberSerializer, responses={201: NetworkSerializer})
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request, code=None):
        network = self._manageable()
        body = AddMemberSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = services.find_member_candidate(
            by=request.user, email=data.get("email"), user_id=data.get("user_id")
        )
        services.add_member(by=request.user, network=network, user=user, role=data["role"])
        return Response(self._detail(network.code), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>\d+)")
    def remove_member(self, request, code=None, user_id=None):
        network = self._manageable()
        # Only the network's own (former) members: any other id answers 404, like
        # an unknown one, and no one else is named.
        user = get_object_or_404(User, pk=user_id, memberships__network=network)
        services.remove_member(by=request.user, network=network, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AddPartnerSerializer, responses={201: NetworkSerializer})
    @action(detail=True, methods=["post"], url_path="partners")
    def add_partner(self, request, code=None):
        network = self._manageable()
        body = AddPartnerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.add_partner(by=request.user, network=network, **body.validated_data)
        return Response(self._detail(network.code), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["delete"], url_path=r"partners/(?P<partner_id>\d+)")
    def remove_partner(self, request, code=None, partner_id=None):
        network = self._manageable()
        partner = get_object_or_404(network.partners.all(), pk=partner_id)
        services.remove_partner(by=request.user, network=network, partner=partner)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router):
    router.register("networks", NetworkViewSet, basename="network")
