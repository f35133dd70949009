"""/api/v1/ for network meetings: meetings (with their agenda, RSVP and
attendance), agenda proposals and votes, and agreements. Scoped and checked
by meeting_permissions like the pages; every write goes through
meeting_services."""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from networks.api import SkipEmptyFiltersMixin
from rme_platform.accounts.models import User
from schools.models import School

from . import permissions as perms
from . import selectors, services
from .models import (
    AgendaItem,
    AgendaProposal,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendeeRole,
    Meeting,
    MeetingStatus,
    PmeDimension,
    Rsvp,
)

MAX_ID = 2**31 - 1


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _enum_field(choices, component, *, blank=False):
    """A ChoiceField documented as its own named enum component, so the
    schema needs no ENUM_NAME_OVERRIDES entry."""
    values = list(choices.values) + ([""] if blank else [])

    @extend_schema_field({"type": "string", "enum": values}, component_name=component)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, allow_blank=blank, **kwargs)

    return EnumField


MeetingStatusField = _enum_field(MeetingStatus, "MeetingStatusEnum")
AgreementStatusField = _enum_field(AgreementStatus, "AgreementStatusEnum")
OptionalAgreementStatusField = _enum_field(
    AgreementStatus, "AgreementStatusOrBlankEnum", blank=True
)
RsvpField = _enum_field(Rsvp, "RsvpEnum")
OptionalRsvpField = _enum_field(Rsvp, "RsvpOrBlankEnum", blank=True)
AttendeeRoleField = _enum_field(AttendeeRole, "AttendeeRoleEnum")
PmeDimensionField = _enum_field(PmeDimension, "PmeDimensionOrBlankEnum", blank=True)


LIST_MEETING_FIELDS = (
    "network__code",
    "network__name",
    "title",
    "objective",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "host_school_id",
    "status",
    "proposals_close_at",
    "sequence",
    "convened_by__first_name",
    "convened_by__last_name",
    "convened_by__email",
    "cancel_reason",
)

LIST_AGREEMENT_FIELDS = (
    "meeting__network__code",
    "text",
    "responsible_user__first_name",
    "responsible_user__last_name",
    "responsible_user__email",
    "responsible_school__name",
    "due_on",
    "status",
    "closed_on",
)

LIST_PROPOSAL_FIELDS = (
    "meeting_id",
    "title",
    "rationale",
    "pme_dimension",
    "proposed_by__first_name",
    "proposed_by__last_name",
    "proposed_by__email",
    "created_at",
)


def _str_or_none(value):
    return None if value is None else str(value)


# --- serializers ----------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    network = serializers.CharField(source="network.code", read_only=True)
    network_name = serializers.CharField(source="network.name", read_only=True)
    host_school = serializers.IntegerField(source="host_school_id", read_only=True, allow_null=True)
    status = MeetingStatusField(read_only=True)
    convened_by = serializers.SerializerMethodField()
    my_rsvp = OptionalRsvpField(read_only=True, allow_null=True, default=None)
    n_yes = serializers.IntegerField(read_only=True, default=0)
    n_present = serializers.IntegerField(read_only=True, default=0)
    n_proposals = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "network",
            "network_name",
            "title",
            "objective",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "host_school",
            "status",
            "proposals_close_at",
            "sequence",
            "convened_by",
            "cancel_reason",
            "my_rsvp",
            "n_yes",
            "n_present",
            "n_proposals",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_convened_by(self, meeting):
        return meeting.convened_by.get_full_name() if meeting.convened_by_id else ""

    def to_representation(self, meeting):
        # What the fields above give, written directly: DRF's field-by-field
        # serialization was most of a page's time (issue 17). Dates go through
        # the fields' own to_representation, so the JSON is the same.
        when = self.fields["starts_at"].to_representation
        network = meeting.network
        return {
            "id": meeting.pk,
            "network": network.code,
            "network_name": network.name,
            "title": meeting.title,
            "objective": meeting.objective,
            "starts_at": when(meeting.starts_at),
            "ends_at": when(meeting.ends_at),
            "place": meeting.place,
            "online_url": meeting.online_url,
            "host_school": meeting.host_school_id,
            "status": str(meeting.status),
            "proposals_close_at": when(meeting.proposals_close_at),
            "sequence": meeting.sequence,
            "convened_by": self.get_convened_by(meeting),
            "cancel_reason": meeting.cancel_reason,
            "my_rsvp": _str_or_none(getattr(meeting, "my_rsvp", None)),
            "n_yes": getattr(meeting, "n_yes", 0),
            "n_present": getattr(meeting, "n_present", 0),
            "n_proposals": getattr(meeting, "n_proposals", 0),
        }


class MeetingWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    objective = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    # No default: "" is no valid URI for the schema; the service's is blank.
    online_url = serializers.URLField(required=False, allow_blank=True)
    host_school = _id_field(required=False, allow_null=True, default=None, help_text="RBD")
    proposals_close_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_host_school(self, value):
        if value is None:
            return None
        school = School.objects.filter(rbd=value).first()
        if school is None:
            raise serializers.ValidationError(_("No existe un establecimiento con ese RBD."))
        return school


class ConveneSerializer(MeetingWriteSerializer):
    network = serializers.CharField(max_length=30, help_text=_("Código de la red"))


class MeetingUpdateSerializer(MeetingWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RsvpSerializer(serializers.Serializer):
    answer = RsvpField()
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AttendanceSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True, allow_null=True)
    partner_id = serializers.IntegerField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    role = AttendeeRoleField(read_only=True)
    rsvp = OptionalRsvpField(read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "user_id",
            "partner_id",
            "guest_name",
            "name",
            "role",
            "rsvp",
            "rsvp_comment",
            "attended",
        ]
        read_only_fields = fields


class AttendanceRecordSerializer(serializers.Serializer):
    present_user_ids = serializers.ListField(child=_id_field(), allow_empty=True)
    partner_ids = serializers.ListField(child=_id_field(), required=False, default=list)
    guests = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )


class AgendaItemSerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="proposal_id", read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "order",
            "title",
            "description",
            "duration_minutes",
            "presenter",
            "proposal",
        ]
        read_only_fields = fields


class AgendaItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=480)
    presenter = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    proposal = _id_field(required=False, allow_null=True, default=None)


class ProposalSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    proposed_by = serializers.SerializerMethodField()
    n_votes = serializers.IntegerField(read_only=True, default=0)
    voted = serializers.BooleanField(read_only=True, default=False)
    on_agenda = serializers.BooleanField(read_only=True, default=False)
    pme_dimension = PmeDimensionField(read_only=True)

    class Meta:
        model = AgendaProposal
        fields = [
            "id",
            "meeting",
            "title",
            "rationale",
            "pme_dimension",
            "proposed_by",
            "n_votes",
            "voted",
            "on_agenda",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_proposed_by(self, proposal):
        return proposal.proposed_by.get_full_name() if proposal.proposed_by_id else ""

    def to_representation(self, proposal):
        # Written directly, like MeetingSerializer's.
        return {
            "id": proposal.pk,
            "meeting": proposal.meeting_id,
            "title": proposal.title,
            "rationale": proposal.rationale,
            "pme_dimension": str(proposal.pme_dimension),
            "proposed_by": self.get_proposed_by(proposal),
            "n_votes": getattr(proposal, "n_votes", 0),
            "voted": bool(getattr(proposal, "voted", False)),
            "on_agenda": bool(getattr(proposal, "on_agenda", False)),
            "created_at": self.fields["created_at"].to_representation(proposal.created_at),
        }


class ProposalCreateSerializer(serializers.Serializer):
    meeting = _id_field()
    title = serializers.CharField(max_length=200)
    rationale = serializers.CharField()
    pme_dimension = PmeDimensionField(required=False, default="")


# created_at as the ModelSerializers' own (read-only) DateTimeField writes
# it, without building their fields on each request (get_fields was a
# twentieth of the agreements list's time).
_DATETIME = serializers.DateTimeField(read_only=True)


class AgreementNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    status = OptionalAgreementStatusField(read_only=True)

    class Meta:
        model = AgreementNote
        fields = ["id", "text", "status", "author", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, note):
        return note.author.get_full_name() if note.author_id else ""

    def to_representation(self, note):
        # Written directly, like MeetingSerializer's.
        return {
            "id": note.pk,
            "text": note.text,
            "status": str(note.status),
            "author": self.get_author(note),
            "created_at": _DATETIME.to_representation(note.created_at),
        }


class AgreementSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    network = serializers.CharField(source="meeting.network.code", read_only=True)
    responsible_user_id = serializers.IntegerField(read_only=True, allow_null=True)
    responsible_school = serializers.IntegerField(
        source="responsible_school_id", read_only=True, allow_null=True
    )
    responsible = serializers.CharField(source="responsible_label", read_only=True)
    notes = AgreementNoteSerializer(many=True, read_only=True)
    status = AgreementStatusField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "meeting",
            "network",
            "text",
            "responsible_user_id",
            "responsible_school",
            "responsible",
            "due_on",
            "status",
            "closed_on",
            "notes",
        ]
        read_only_fields = fields

    def to_representation(self, agreement):
        # Written directly, like MeetingSerializer's; the notes are prefetched.
        note = _NOTE.to_representation
        closed = agreement.closed_on
        return {
            "id": agreement.pk,
            "meeting": agreement.meeting_id,
            "network": agreement.meeting.network.code,
            "text": agreement.text,
            "responsible_user_id": agreement.responsible_user_id,
            "responsible_school": agreement.responsible_school_id,
            "responsible": str(agreement.responsible_label),
            "due_on": agreement.due_on.isoformat(),
            "status": str(agreement.status),
            "closed_on": closed.isoformat() if closed else None,
            "notes": [note(n) for n in agreement.note_list],
        }


_NOTE = AgreementNoteSerializer()


class AgreementCreateSerializer(serializers.Serializer):
    meeting = _id_field()
    text = serializers.CharField()
    due_on = serializers.DateField()
    responsible_user_id = _id_field(required=False, allow_null=True, default=None)
    responsible_school = _id_field(required=False, allow_null=True, default=None, help_text="RBD")


class AgreementNoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField()
    status = OptionalAgreementStatusField(required=False, default="")


# --- filters ------------------------------------------------------------------------------


class MeetingFilter(django_filters.FilterSet):
    network = django_filters.CharFilter(field_name="network__code", label=_("Código de la red"))
    starts_after = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Desde (fecha)")
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Hasta (fecha)")
    )
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label=_("Estado"))

    class Meta:
        model = Meeting
        fields = ["network", "starts_after", "starts_before", "status"]


class ProposalFilter(django_filters.FilterSet):
    meeting = django_filters.NumberFilter(field_name="meeting_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = AgendaProposal
        fields = ["meeting"]


class AgreementFilter(django_filters.FilterSet):
    network = django_filters.CharFilter(field_name="meeting__network__code")
    meeting = django_filters.NumberFilter(field_name="meeting_id", min_value=1, max_value=MAX_ID)
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices)

    class Meta:
        model = Agreement
        fields = ["network", "meeting", "status"]


# --- viewsets -----------------------------------------------------------------------------


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of the networks the user belongs to or runs. POST convenes,
    PATCH edits or reschedules (members are emailed when the date, time,
    place or link change)."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at", "title"]
    lookup_value_regex = r"\d+"
    queryset = Meeting.objects.none()
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        meetings = selectors.meeting_list(self.request.user)
        if self.action == "list":
            # Only what a row writes: the host school is its id, the
            # network its code and name, who convened it their name.
            return (
                meetings.select_related(None)
                .select_related("network", "convened_by")
                .only(*LIST_MEETING_FIELDS)
            )
        return meetings.select_related("host_school", "convened_by")

    def _detail(self, meeting):
        return MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data

    @extend_schema(request=ConveneSerializer, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        body = ConveneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        network = get_object_or_404(perms.meeting_networks(request.user), code=data.pop("network"))
        meeting = services.convene_meeting(by=request.user, network=network, **data)
        return Response(self._detail(meeting), status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingSerializer)
    def update(self, request, *args, **kwargs):
        meeting = self.get_object()
        body = MeetingUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.update_meeting(by=request.user, meeting=meeting, **body.validated_data)
        return Response(self._detail(meeting))

    @extend_schema(request=CancelSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.cancel_meeting(
            by=request.user, meeting=meeting, reason=body.validated_data["reason"]
        )
        return Response(self._detail(meeting))

    @extend_schema(request=RsvpSerializer, responses=AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def rsvp(self, request, pk=None):
        meeting = self.get_object()
        body = RsvpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attendance = services.respond_rsvp(by=request.user, meeting=meeting, **body.validated_data)
        return Response(AttendanceSerializer(attendance).data)

    @extend_schema(methods=["get"], request=None, responses=AgendaItemSerializer(many=True))
    @extend_schema(
        methods=["post"], request=AgendaItemCreateSerializer, responses={201: AgendaItemSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "GET":
            items = selectors.agenda_items(meeting)
            return Response(AgendaItemSerializer(items, many=True).data)
        body = AgendaItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        proposal_id = data.pop("proposal")
        proposal = None
        if proposal_id is not None:
            proposal = AgendaProposal.objects.filter(pk=proposal_id, meeting=meeting).first()
            if proposal is None:
                raise serializers.ValidationError(
                    {"proposal": [_("La propuesta no es de esta reunión.")]}
                )
        item = services.add_agenda_item(by=request.user, meeting=meeting, proposal=proposal, **data)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], request=None, responses=AttendanceSerializer(many=True))
    @extend_schema(
        methods=["put"],
        request=AttendanceRecordSerializer,
        responses=AttendanceSerializer(many=True),
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None, filter_backends=[])
    def attendance(self, request, pk=None):
        """GET: invitations, answers and presence (only who runs the meeting).
        PUT: record the attendance (replaces the earlier record)."""
        meeting = self.get_object()
        if not perms.can_run(request.user, meeting):
            self.permission_denied(request)
        if request.method == "PUT":
            body = AttendanceRecordSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            services.record_attendance(by=request.user, meeting=meeting, **body.validated_data)
        rows = Attendance.objects.filter(meeting=meeting).select_related("user", "partner")
        return Response(AttendanceSerializer(rows.order_by("role", "pk"), many=True).data)


class ProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Agenda proposals of visible meetings, most voted first. Members
    propose before the cut-off; POST/DELETE .../vote/ votes and withdraws
    the vote; DELETE withdraws one's own proposal."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    ordering_fields = ["created_at"]
    lookup_value_regex = r"\d+"
    queryset = AgendaProposal.objects.none()

    def get_queryset(self):
        proposals = selectors.proposal_queryset(self.request.user).order_by(
            "meeting_id", "-n_votes", "created_at", "pk"
        )
        if self.action == "list":
            # Only what a row writes: the meeting is its id.
            return (
                proposals.select_related(None)
                .select_related("proposed_by")
                .only(*LIST_PROPOSAL_FIELDS)
            )
        return proposals

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        body = ProposalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        meeting = get_object_or_404(perms.visible_meetings(request.user), pk=data.pop("meeting"))
        proposal = services.propose_agenda_item(by=request.user, meeting=meeting, **data)
        return Response(
            ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        services.withdraw_proposal(by=self.request.user, proposal=instance)

    @extend_schema(methods=["post"], request=None, responses={201: ProposalSerializer})
    @extend_schema(
        methods=["delete"], request=None, responses={204: OpenApiResponse(description="Withdrawn")}
    )
    @action(detail=True, methods=["post", "delete"])
    def vote(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "DELETE":
            services.withdraw_vote(by=request.user, proposal=proposal)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.vote_for_proposal(by=request.user, proposal=proposal)
        return Response(
            ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AgreementViewSet(
    SkipEmptyFiltersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Agreements of visible meetings with their follow-up notes. Who runs
    the meeting records them; notes (POST .../notes/) by who runs the
    network's meetings or who is responsible."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["due_on", "status"]
    lookup_value_regex = r"\d+"
    queryset = Agreement.objects.none()

    def get_queryset(self):
        agreements = selectors.agreement_queryset(self.request.user).order_by("due_on", "pk")
        if self.action == "list":
            # Only what a row writes (the responsible school's label is its
            # display name).
            return agreements.only(*LIST_AGREEMENT_FIELDS)
        return agreements

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementSerializer})
    def create(self, request, *args, **kwargs):
        body = AgreementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        meeting = get_object_or_404(perms.visible_meetings(request.user), pk=data.pop("meeting"))
        user_id, rbd = data.pop("responsible_user_id"), data.pop("responsible_school")
        errors = {}
        user = school = None
        if user_id is not None:
            user = User.objects.filter(pk=user_id, is_active=True).first()
            if user is None:
                # The service's answer for someone outside the network: the
                # caller learns nothing of which ids exist.
                errors["responsible_user"] = [_("La persona responsable debe integrar la red.")]
        if rbd is not None:
            school = School.objects.filter(rbd=rbd).first()
            if school is None:
                errors["responsible_school"] = [_("No existe un establecimiento con ese RBD.")]
        if errors:
            raise serializers.ValidationError(errors)
        agreement = services.add_agreement(
            by=request.user,
            meeting=meeting,
            responsible_user=user,
            responsible_school=school,
            **data,
        )
        return Response(
            AgreementSerializer(self.get_queryset().get(pk=agreement.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=AgreementNoteCreateSerializer, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        agreement = self.get_object()
        body = AgreementNoteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.follow_up_agreement(by=request.user, agreement=agreement, **body.validated_data)
        return Response(
            AgreementSerializer(self.get_queryset().get(pk=agreement.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def register(router):
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("meeting-proposals", ProposalViewSet, basename="meeting-proposal")
    router.register("agreements", AgreementViewSet, basename="agreement")
