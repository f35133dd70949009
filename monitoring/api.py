"""API of the survey: campaigns, instruments and results, scoped by
monitoring.permissions exactly like the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from rme_platform.files import protected_download

from . import permissions, selectors
from .models import Campaign, Instrument, Language, Question, Report, ReportStatus, Section
from .permissions import ScopeError, parse_scope
from .reports import services as report_services
from .reports.rendering import download_filename
from .results import campaign_results
from .risk import indicators as risk_indicators
from .risk import selectors as risk_selectors
from .risk import views as risk_views

SCOPE_PATTERN = r"^(national|region:\d{1,2}|network:[A-Za-z0-9-]{1,30})$"


class ResultsNotReleased(APIException):
    """409 {"detail": why, "code": "results_not_released"}: the campaign is
    open, and no answer aggregate of an open campaign is given to anyone
    (reading results before and after one submit would reveal that
    person's answers). Only /rates/ (participation counts)
    answers while it is open; results open when the campaign closes."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "results_not_released"
    default_detail = "results_not_released"

    def __init__(self):
        message = gettext(
            "Los resultados se podrán consultar cuando la campaña se cierre; mientras está "
            "abierta solo se informa la participación."
        )
        super().__init__({"detail": message, "code": self.default_code})


def _text(value):
    return None if value is None else str(value)


def _question_row(question):
    """A question as QuestionSerializer's fields write it, without a field
    object per value (an instrument lists some 40 questions)."""
    return {
        "code": _text(question.code),
        "kind": question.kind,
        "text_es": _text(question.text_es),
        "text_en": _text(question.text_en),
        "construct": _text(question.construct),
        "required": question.required,
        "options": question.options,
    }


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["code", "kind", "text_es", "text_en", "construct", "required", "options"]

    def to_representation(self, instance):  # read-only; the schema comes from Meta
        return _question_row(instance)


class SectionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["order", "title_es", "title_en", "questions"]

    def to_representation(self, instance):  # read-only; the schema comes from Meta
        return {
            "order": instance.order,
            "title_es": _text(instance.title_es),
            "title_en": _text(instance.title_en),
            "questions": [_question_row(q) for q in instance.questions.all()],
        }


class InstrumentSerializer(serializers.ModelSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "family",
            "name",
            "version",
            "language",
            "description",
            "frozen",
            "sections",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    instrument = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    n_responses = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "name",
            "year",
            "status",
            "instrument",
            "opens_on",
            "closes_on",
            "target",
            "imported",
            "published_at",
            "n_responses",
        ]


class QuestionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    role = serializers.ChoiceField(choices=["director", "utp"], required=False)
    n = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text='Respuestas por valor, con claves "1" a "5"; null si la celda se suprime.',
    )
    pct_agree = serializers.FloatField(allow_null=True)
    pct_neutral = serializers.FloatField(allow_null=True)
    pct_disagree = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()
    not_asked = serializers.BooleanField(
        default=False,
        help_text="La pregunta no se hizo en esta encuesta (una ola importada sin esa columna).",
    )


class ResultsSerializer(serializers.Serializer):
    campaign = serializers.CharField()
    scope = serializers.CharField()
    n_responses = serializers.IntegerField()
    n_responses_by_role = serializers.DictField(child=serializers.IntegerField(), required=False)
    questions = QuestionResultSerializer(many=True)


class NetworkRateSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class RegionRateSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    name = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    networks = NetworkRateSerializer(many=True)


class TotalRateSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class RatesSerializer(serializers.Serializer):
    regions = RegionRateSerializer(many=True)
    total = TotalRateSerializer()


# --- PDF reports ------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    scope = serializers.CharField(source="scope_text", read_only=True)
    scope_kind = serializers.CharField(source="scope", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "campaign",
            "scope",
            "scope_kind",
            "scope_id",
            "language",
            "status",
            "checksum",
            "requested_at",
            "started_at",
            "finished_at",
            "attempts",
            "pages",
            "error",
            "download_url",
        ]

    def get_download_url(self, report) -> str | None:
        if report.status != ReportStatus.DONE or not report.file:
            return None
        url = reverse("monitoring-report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    scope = serializers.RegexField(
        r"^(all|national|region:\d{1,2}|network:[A-Za-z0-9-]{1,30})$", default="all"
    )
    language = serializers.ChoiceField(choices=Language.choices, default="es")
    force = serializers.BooleanField(default=False)


class ReportOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scope = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["queued", "unchanged", "busy"])


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """PDF reports the user may see: analysts and admins within their scope,
    network members their networks' built reports of published campaigns.
    Filters: campaign (slug), language, status, scope (national, region:7,
    network:RME-07-001)."""

    serializer_class = ReportSerializer
    queryset = Report.objects.none()
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", OpenApiTypes.STR, description="Identificador (slug)."),
            OpenApiParameter("language", OpenApiTypes.STR, enum=Language.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ReportStatus.values),
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                description="national, region:<código> o network:<código>.",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        rows = (
            permissions.visible_reports(self.request.user)
            .select_related("campaign", "region", "network")
            .order_by("campaign__slug", "language", "scope", "scope_id")
        )
        params = self.request.query_params
        if params.get("campaign"):
            rows = rows.filter(campaign__slug=params["campaign"])
        if params.get("language"):
            rows = rows.filter(language=params["language"])
        if params.get("status"):
            rows = rows.filter(status=params["status"])
        if params.get("scope"):
            kind, _sep, code = params["scope"].partition(":")
            rows = rows.filter(scope=kind, scope_id=code)
        return rows

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Informe inexistente, sin construir o ajeno."),
        }
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def download(self, request, pk=None):
        """The PDF file (only once built)."""
        report = self.get_object()
        if not report.is_done or not report.file.storage.exists(report.file.name):
            raise NotFound
        return protected_download(request, report.file, filename=download_filename(report))

    @extend_schema(request=None, responses={202: ReportSerializer})
    @action(detail=True, methods=["post"], pagination_class=None)
    def retry(self, request, pk=None):
        """Queue the report again (analysts and admins)."""
        report = self.get_object()
        if not permissions.can_build_reports(request.user, report.campaign):
            raise PermissionDenied
        report = report_services.retry_report(by=request.user, report=report)
        report.refresh_from_db()
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)


class CampaignReportsMixin:
    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            202: ReportOutcomeSerializer(many=True),
            400: OpenApiResponse(description="Campaña sin cerrar, alcance o idioma inválido."),
            403: OpenApiResponse(description="Solo analistas y administradores."),
            404: OpenApiResponse(description="Campaña o alcance fuera de su alcance."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="reports",
        pagination_class=None,
        filter_backends=[],
    )
    def request_reports(self, request, slug=None):
        """Queue the PDF reports of the campaign (all, or one scope) in one
        language; those whose inputs did not change answer "unchanged"."""
        campaign = self._campaign(slug)
        user = request.user
        if not permissions.can_view_reports_page(user, campaign):
            raise NotFound
        if not permissions.can_build_reports(user, campaign) and (
            permissions.is_admin(user) or permissions.is_analyst(user)
        ):
            raise ValidationError(
                {"campaign": ["Los informes se preparan con la campaña cerrada."]}
            )
        if not permissions.can_build_reports(user, campaign):
            raise PermissionDenied
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scope = body.validated_data["scope"]
        if scope != "all":
            try:
                parsed = parse_scope(scope)
            except ScopeError as exc:
                raise NotFound from exc
            if not permissions.can_view_scope(user, campaign, parsed):
                raise NotFound
        try:
            outcomes = report_services.request_reports(
                by=user, campaign=campaign, **body.validated_data
            )
        except DjangoPermissionDenied as exc:
            raise NotFound from exc
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        data = [
            {"id": report.pk, "scope": report.scope_text, "outcome": outcome}
            for report, outcome in outcomes
        ]
        return Response(data, status=status.HTTP_202_ACCEPTED)


class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Instruments with their sections and questions."""

    serializer_class = InstrumentSerializer
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9-]+"
    ordering_fields = ["slug", "version"]
    queryset = Instrument.objects.none()

    def get_queryset(self):
        questions = Question.objects.order_by("order", "pk")
        sections = Section.objects.order_by("order", "pk").prefetch_related(
            Prefetch("questions", queryset=questions)
        )
        return (
            permissions.visible_instruments(self.request.user)
            .prefetch_related(Prefetch("sections", queryset=sections))
            .order_by("family", "-version")
        )


def _flag(value):
    return str(value).strip().lower() in {"1", "true", "yes"}


class CampaignViewSet(CampaignReportsMixin, viewsets.ReadOnlyModelViewSet):
    """Survey campaigns the user may see, their results (with small-cell
    suppression) and response rates (counts only)."""

    serializer_class = CampaignSerializer
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9-]+"
    filterset_fields = ["year", "status"]
    ordering_fields = ["year", "slug"]
    queryset = Campaign.objects.none()

    def get_queryset(self):
        return (
            permissions.visible_campaigns(self.request.user)
            .select_related("instrument")
            .annotate(n_responses=Count("responses"))
            .order_by("-year", "slug")
        )

    def _campaign(self, slug):
        return get_object_or_404(
            permissions.visible_campaigns(self.request.user).select_related("instrument"),
            slug=slug,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                description="national, region:<código> o network:<código> (por defecto national).",
                pattern=SCOPE_PATTERN,
            ),
            OpenApiParameter("by_role", OpenApiTypes.BOOL, description="Separar por cargo."),
        ],
        responses={
            200: ResultsSerializer,
            400: OpenApiResponse(description="Alcance mal escrito."),
            403: OpenApiResponse(description="Sin acceso a los resultados de la campaña."),
            404: OpenApiResponse(
                description="Campaña o alcance inexistente o fuera de su alcance."
            ),
            409: OpenApiResponse(
                description=(
                    'Campaña abierta: ningún resultado hasta su cierre (código "results_not_'
                    'released"); la participación está en /rates/.'
                )
            ),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def results(self, request, slug=None):
        """The results of one scope, as `survey_results --format json` prints them."""
        campaign = self._campaign(slug)
        user = request.user
        if not permissions.can_view_results(user, campaign):
            raise PermissionDenied
        text = request.query_params.get("scope", "national")
        try:
            scope = parse_scope(text)
        except ScopeError as exc:
            if ":" in text and text.split(":", 1)[0] in {"region", "network"}:
                raise NotFound from exc
            raise ValidationError(
                {"scope": ["Use national, region:<código> o network:<código>."]}
            ) from exc
        if not permissions.can_view_scope(user, campaign, scope):
            raise NotFound
        if not permissions.results_released(campaign):
            raise ResultsNotReleased
        by_role = _flag(request.query_params.get("by_role", ""))
        return Response(campaign_results(campaign, by_role=by_role).for_scope(scope))

    @extend_schema(
        responses={
            200: RatesSerializer,
            403: OpenApiResponse(description="Sin acceso a la participación de la campaña."),
            404: OpenApiResponse(description="Campaña inexistente o fuera de su alcance."),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def rates(self, request, slug=None):
        """Invitations and answers per region and network (counts only)."""
        campaign = self._campaign(slug)
        if not permissions.can_view_rates(request.user, campaign):
            raise PermissionDenied
        return Response(selectors.response_rates(request.user, campaign))


class ConstructChangeSerializer(serializers.Serializer):
    current = serializers.FloatField(allow_null=True, help_text="% de acuerdo en esta ola.")
    previous = serializers.FloatField(allow_null=True, help_text="% de acuerdo en la ola anterior.")
    change = serializers.FloatField(allow_null=True, help_text="Diferencia en puntos.")


class RiskReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=risk_indicators.REASON_CODES)
    text = serializers.CharField(help_text="La razón, en el idioma de la solicitud.")


class RoleFiguresSerializer(serializers.Serializer):
    director = serializers.FloatField(allow_null=True)
    utp = serializers.FloatField(allow_null=True)
    sostenedor_rep = serializers.FloatField(allow_null=True)


class NetworkRiskSerializer(serializers.Serializer):
    network = serializers.CharField(help_text="Código de la red.")
    name = serializers.CharField()
    deprov = serializers.IntegerField()
    region = serializers.IntegerField()
    year = serializers.IntegerField()
    meetings_held = serializers.IntegerField()
    attendance = RoleFiguresSerializer(help_text="Asistencia por rol en el año (%).")
    attendance_change = RoleFiguresSerializer(
        help_text="Cambio de la asistencia en las últimas tres reuniones realizadas (puntos)."
    )
    agenda_from_members = serializers.FloatField(allow_null=True)
    agreements_on_time = serializers.FloatField(allow_null=True)
    meetings_with_partners = serializers.IntegerField()
    pme_actions = serializers.IntegerField()
    pme_delayed = serializers.FloatField(allow_null=True, help_text="% de acciones atrasadas.")
    survey = serializers.DictField(
        child=ConstructChangeSerializer(),
        help_text='Constructos "interest" y "community"; null donde la celda se suprime.',
    )
    flagged = serializers.BooleanField()
    reasons = RiskReasonSerializer(many=True)


class NetworksAtRiskSerializer(serializers.Serializer):
    scope = serializers.CharField()
    year = serializers.IntegerField()
    networks_total = serializers.IntegerField()
    networks_flagged = serializers.IntegerField()
    thresholds = serializers.DictField(child=serializers.FloatField())
    networks = NetworkRiskSerializer(many=True)


class NetworksAtRiskViewSet(viewsets.ViewSet):
    """Networks at risk of a DEPROV, a region or the country, scoped like the page."""

    @extend_schema(
        summary="Redes en riesgo",
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                description="national, region:<código> o deprov:<código> (por defecto, el "
                "departamento del supervisor o la región del analista).",
                pattern=r"^(national|region:\d{1,2}|deprov:\d{1,4})$",
            ),
            OpenApiParameter("year", OpenApiTypes.INT, description="Año de las redes."),
            OpenApiParameter(
                "sort", OpenApiTypes.STR, enum=list(risk_selectors.SORTS), description="Orden."
            ),
            OpenApiParameter(
                "all", OpenApiTypes.INT, enum=[1], description="1: también las redes sin señales."
            ),
        ],
        responses={
            200: NetworksAtRiskSerializer,
            403: OpenApiResponse(description="El usuario no lee redes en riesgo."),
            404: OpenApiResponse(description="Alcance inexistente o fuera del suyo."),
        },
    )
    def list(self, request):
        scope, year, sort, flagged_only = risk_views.risk_request(request)
        risks = risk_selectors.risks_for(request.user, scope, year)
        rows = risk_selectors.sorted_risks(risks, sort, flagged_only=flagged_only)
        data = {
            "scope": str(scope),
            "year": year,
            "networks_total": len(risks),
            "networks_flagged": sum(1 for r in risks if r.flagged),
            "thresholds": risk_indicators.thresholds(),
            "networks": [risk.as_dict() for risk in rows],
        }
        return Response(NetworksAtRiskSerializer(data).data)


def register(router):
    router.register(
        "monitoring/networks-at-risk", NetworksAtRiskViewSet, basename="monitoring-risk"
    )
    router.register("monitoring/reports", ReportViewSet, basename="monitoring-report")
    router.register("monitoring/campaigns", CampaignViewSet, basename="monitoring-campaign")
    router.register("monitoring/instruments", InstrumentViewSet, basename="monitoring-instrument")
