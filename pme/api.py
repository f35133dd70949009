"""The PME API under /api/v1/pme/: cycles, plans, actions (with their
progress updates and comments), evidence files and the ATE registry.
Scoped like the pages (pme.permissions) and writing through pme.services:
an object outside the user's scope answers 404; one they may read but not
change, 403."""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from rme_platform.files import protected_download
from schools.models import School

from . import permissions, selectors, services
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AnnualPlan,
    ATEProvider,
    Comment,
    Dimension,
    DimensionAssessment,
    Evidence,
    Phase,
    PMECycle,
    StrategicGoal,
    StrategicObjective,
    Strategy,
)

# --- serializers ------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "description": "One of planned, in_progress, done, delayed (computed, never set), "
        "cancelled.",
    }
)
class ActionStatusField(serializers.ChoiceField):
    """An action status. The schema describes it as a string: an enum named
    after the field would collide with the other "status" enums of the API."""

    def __init__(self, **kwargs):
        super().__init__(choices=ActionStatus.choices, **kwargs)


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicGoal
        fields = ["id", "indicator", "baseline", "target", "unit"]


class StrategySerializer(serializers.ModelSerializer):
    class Meta:
        model = Strategy
        fields = ["id", "text"]


class ObjectiveSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    strategies = StrategySerializer(many=True, read_only=True)

    class Meta:
        model = StrategicObjective
        fields = ["id", "dimension", "text", "goals", "strategies"]


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DimensionAssessment
        fields = ["dimension", "text"]


class CycleSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="school_id")
    assessments = AssessmentSerializer(many=True, read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = PMECycle
        fields = [
            "id",
            "school",
            "first_year",
            "last_year",
            "pei_vision",
            "pei_mission",
            "pei_sellos",
            "assessments",
            "objectives",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class CycleUpdateSerializer(serializers.Serializer):
    first_year = serializers.IntegerField(required=False)
    last_year = serializers.IntegerField(required=False)
    pei_vision = serializers.CharField(required=False, allow_blank=True)
    pei_mission = serializers.CharField(required=False, allow_blank=True)
    pei_sellos = serializers.CharField(required=False, allow_blank=True)


class PlanSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="school_id", read_only=True)
    school_name = serializers.CharField(source="school.display_name", read_only=True)
    phase_label = serializers.CharField(source="get_phase_display", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.get_full_name", read_only=True, allow_null=True, default=None
    )
    n_actions = serializers.IntegerField(read_only=True)
    n_delayed = serializers.IntegerField(read_only=True)
    avg_progress = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = AnnualPlan
        fields = [
            "id",
            "cycle",
            "school",
            "school_name",
            "year",
            "phase",
            "phase_label",
            "diagnosis",
            "shared_with_network",
            "approved_by",
            "approved_at",
            "last_activity_at",
            "n_actions",
            "n_delayed",
            "avg_progress",
        ]
        read_only_fields = ["approved_at", "last_activity_at"]


class PlanCreateSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    year = serializers.IntegerField()
    diagnosis = serializers.CharField(required=False, allow_blank=True, default="")


class PlanUpdateSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    diagnosis = serializers.CharField(required=False, allow_blank=True)
    shared_with_network = serializers.BooleanField(required=False)


class ActionSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="plan.school_id", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    status = ActionStatusField(read_only=True)
    effective_status = ActionStatusField(read_only=True)
    funding = serializers.SerializerMethodField()
    total_funding = serializers.IntegerField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "school",
            "year",
            "dimension",
            "subdimension",
            "strategy",
            "name",
            "description",
            "start_date",
            "end_date",
            "responsible",
            "resources",
            "ate_provider",
            "verification_means",
            "status",
            "effective_status",
            "progress",
            "funding",
            "total_funding",
            "created_at",
            "updated_at",
        ]

    def get_funding(self, obj) -> dict[str, int]:
        return {line.source: line.amount for line in obj.funding.all()}


class ActionWriteSerializer(serializers.Serializer):
    """Fields of an action; the rules (dates within the plan's year, amounts
    in whole pesos, progress 0–100) are the services', with their messages."""

    name = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    dimension = serializers.PrimaryKeyRelatedField(queryset=Dimension.objects.all(), required=False)
    subdimension = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    strategy = serializers.PrimaryKeyRelatedField(
        queryset=Strategy.objects.select_related("objective"), required=False, allow_null=True
    )
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    responsible = serializers.CharField(required=False, allow_blank=True)
    resources = serializers.CharField(required=False, allow_blank=True)
    ate_provider = serializers.PrimaryKeyRelatedField(
        queryset=ATEProvider.objects.all(), required=False, allow_null=True
    )
    verification_means = serializers.CharField(required=False, allow_blank=True)
    status = ActionStatusField(required=False)
    progress = serializers.JSONField(required=False)
    funding = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Monto en pesos enteros por fuente: sep, pie, faep, sostenedor, other.",
    )


class ActionCreateSerializer(ActionWriteSerializer):
    plan = serializers.IntegerField()


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "uploaded_at"]


class UpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", default=None, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "date", "progress", "note", "author", "created_at", "evidence"]


class UpdateCreateSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    progress = serializers.JSONField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.ListField(child=serializers.FileField(), required=False)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", default=None, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "plan", "action", "author", "body", "created_at"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


class ATEProviderSerializer(serializers.ModelSerializer):
    formatted_rut = serializers.CharField(read_only=True)

    class Meta:
        model = ATEProvider
        fields = [
            "id",
            "rut",
            "check_digit",
            "formatted_rut",
            "name",
            "registry_number",
            "service_areas",
            "regions",
            "active",
        ]


# --- filters ------------------------------------------------------------------------------


def _network_condition(prefix, value):
    return Q(
        **{
            f"{prefix}school__network_links__network__code": value,
            f"{prefix}school__network_links__left_on__isnull": True,
        }
    )


class CycleFilter(django_filters.FilterSet):
    school = django_filters.NumberFilter(field_name="school_id", label="RBD")

    class Meta:
        model = PMECycle
        fields = ["school"]


class PlanFilter(django_filters.FilterSet):
    school = django_filters.NumberFilter(field_name="school_id", label="RBD")
    network = django_filters.CharFilter(method="filter_network", label="Código de red")
    year = django_filters.NumberFilter()
    phase = django_filters.ChoiceFilter(choices=Phase.choices)
    shared_with_network = django_filters.BooleanFilter()

    class Meta:
        model = AnnualPlan
        fields = ["school", "network", "year", "phase", "shared_with_network"]

    def filter_network(self, queryset, name, value):
        return queryset.filter(_network_condition("", value))


class ActionFilter(django_filters.FilterSet):
    school = django_filters.NumberFilter(field_name="plan__school_id", label="RBD")
    network = django_filters.CharFilter(method="filter_network", label="Código de red")
    year = django_filters.NumberFilter(field_name="plan__year")
    plan = django_filters.NumberFilter(field_name="plan_id")
    dimension = django_filters.CharFilter(field_name="dimension_id")
    status = django_filters.ChoiceFilter(
        choices=ActionStatus.choices, method="filter_status", label="Estado efectivo"
    )

    class Meta:
        model = Action
        fields = ["school", "network", "year", "plan", "dimension", "status"]

    def filter_network(self, queryset, name, value):
        return queryset.filter(_network_condition("plan__", value))

    def filter_status(self, queryset, name, value):
        return queryset.in_state(value)


class ATEFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Nombre o número de registro")
    area = django_filters.CharFilter(field_name="service_areas", label="Dimensión")
    region = django_filters.NumberFilter(field_name="regions")

    class Meta:
        model = ATEProvider
        fields = ["q", "area", "region", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(registry_number__icontains=value))


# --- viewsets -----------------------------------------------------------------------------


def _comments_response(view, request, plan, action_obj=None):
    if request.method == "POST":
        body = CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.add_comment(
            by=request.user, plan=plan, action=action_obj, body=body.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
    comments = Comment.objects.filter(plan=plan).select_related("author").order_by("created_at")
    if action_obj is not None:
        comments = comments.filter(action=action_obj)
    page = view.paginate_queryset(comments)
    return view.get_paginated_response(CommentSerializer(page, many=True).data)


class CycleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Improvement cycles (the four-year strategic phase) the user may read."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    queryset = PMECycle.objects.none()
    ordering_fields = ["first_year", "school"]

    def get_queryset(self):
        return selectors.api_cycles(self.request.user)

    @extend_schema(request=CycleSerializer, responses={201: CycleSerializer})
    def create(self, request, *args, **kwargs):
        body = CycleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        school = get_object_or_404(School, rbd=data.pop("school_id"))
        cycle = services.create_cycle(by=request.user, school=school, **data)
        return Response(
            CycleSerializer(self.get_queryset().get(pk=cycle.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CycleUpdateSerializer, responses=CycleSerializer)
    def update(self, request, *args, **kwargs):
        cycle = self.get_object()
        body = CycleUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        services.update_cycle(by=request.user, cycle=cycle, **body.validated_data)
        return Response(CycleSerializer(self.get_queryset().get(pk=cycle.pk)).data)


class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Annual plans the user may read, with their action figures. Directivos
    create and change their school's; sostenedor representatives approve."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    queryset = AnnualPlan.objects.none()
    ordering_fields = ["year", "school", "last_activity_at"]

    def get_queryset(self):
        return selectors.api_plans(self.request.user)

    def _fresh(self, plan):
        return PlanSerializer(self.get_queryset().get(pk=plan.pk)).data

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request, *args, **kwargs):
        body = PlanCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cycle = get_object_or_404(permissions.visible_cycles(request.user), pk=data["cycle"])
        plan = services.create_plan(
            by=request.user, cycle=cycle, year=data["year"], diagnosis=data["diagnosis"]
        )
        return Response(self._fresh(plan), status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer)
    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        body = PlanUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        shared = data.pop("shared_with_network", None)
        if shared is not None:
            services.set_plan_sharing(by=request.user, plan=plan, shared=shared)
        if data:
            services.update_plan(by=request.user, plan=plan, **data)
        return Response(self._fresh(plan))

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Record the sostenedor's approval (representatives of the school's sostenedor)."""
        plan = self.get_object()
        services.approve_plan(by=request.user, plan=plan)
        return Response(self._fresh(plan))

    @extend_schema(request=None, responses={201: PlanSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """Draft next year's plan from this one (actions carried, progress reset)."""
        plan = self.get_object()
        new = services.copy_plan_to_next_year(by=request.user, plan=plan)
        return Response(self._fresh(new), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=CommentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=CommentCreateSerializer, responses={201: CommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """The plan's comments (on the plan and its actions); POST adds one on the plan."""
        return _comments_response(self, request, self.get_object())


class ActionViewSet(viewsets.ModelViewSet):
    """Actions of the plans the user may read. Filters: school (RBD), network
    (code), year, plan, dimension (code), status (effective: "delayed" when
    the end date has passed with progress below 100)."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    queryset = Action.objects.none()
    ordering_fields = ["start_date", "end_date", "progress"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.api_actions(self.request.user)

    def _fresh(self, obj):
        return ActionSerializer(self.get_queryset().get(pk=obj.pk)).data

    @staticmethod
    def _service_fields(data):
        data = dict(data)
        funding = data.pop("funding", None)
        if "subdimension" in data and not data["subdimension"]:
            data["subdimension"] = None
        return data, funding

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request, *args, **kwargs):
        body = ActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data, funding = self._service_fields(body.validated_data)
        plan = get_object_or_404(permissions.visible_plans(request.user), pk=data.pop("plan"))
        created = services.create_action(by=request.user, plan=plan, funding=funding, **data)
        return Response(self._fresh(created), status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionWriteSerializer, responses=ActionSerializer)
    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        body = ActionWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        data, funding = self._service_fields(body.validated_data)
        services.update_action(by=request.user, action=obj, funding=funding, **data)
        return Response(self._fresh(obj))

    def destroy(self, request, *args, **kwargs):
        services.delete_action(by=request.user, action=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], request=None, responses=UpdateSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        # Declared as the upload it is; JSON without files is accepted too,
        # but one content type per body keeps generated clients usable.
        request={"multipart/form-data": UpdateCreateSerializer},
        responses={201: UpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def updates(self, request, pk=None):
        """Progress updates of the action; POST records one (multipart with
        `evidence` files, or JSON without)."""
        obj = self.get_object()
        if request.method == "POST":
            body = UpdateCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            files = request.FILES.getlist("evidence") if request.FILES else []
            update = services.record_progress(
                by=request.user,
                action=obj,
                progress=data["progress"],
                date=data.get("date"),
                note=data.get("note", ""),
                files=files,
            )
            update = selectors.api_updates(obj).get(pk=update.pk)
            return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.api_updates(obj))
        return self.get_paginated_response(UpdateSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=CommentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=CommentCreateSerializer, responses={201: CommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """Comments on the action; POST adds one."""
        obj = self.get_object()
        return _comments_response(self, request, obj.plan, obj)


class EvidenceViewSet(viewsets.GenericViewSet):
    """Download an evidence file of an action the user may read."""

    queryset = Evidence.objects.none()
    serializer_class = EvidenceSerializer

    def get_queryset(self):
        return Evidence.objects.filter(
            update__action__in=permissions.visible_actions(self.request.user)
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not found"),
        }
    )
    def retrieve(self, request, pk=None):
        evidence = self.get_object()
        return protected_download(request, evidence.file, filename=evidence.original_name)


class ATEProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """The ATE registry (public information for signed-in users)."""

    serializer_class = ATEProviderSerializer
    filterset_class = ATEFilter
    queryset = ATEProvider.objects.prefetch_related("service_areas", "regions").order_by("name")


def register(router):
    """Add the PME endpoints to the /api/v1/ router, under pme/."""
    router.register("pme/cycles", CycleViewSet, basename="pme-cycle")
    router.register("pme/plans", PlanViewSet, basename="pme-plan")
    router.register("pme/actions", ActionViewSet, basename="pme-action")
    router.register("pme/evidence", EvidenceViewSet, basename="pme-evidence")
    router.register("pme/ate-providers", ATEProviderViewSet, basename="pme-ate-provider")
