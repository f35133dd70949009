"""/api/v1/ for shared practices: the library (search and filters as on the
page), writing and publishing, comments, and adoptions with their notes.
Scoped and checked by practice_permissions like the pages; every write goes
through practice_services."""

import functools

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from networks.meetings.api import MAX_ID, _enum_field, _id_field
from rme_platform.accounts.models import User
from rme_platform.text import render_markdown
from schools.models import School

from . import help, selectors, services
from . import permissions as perms
from .filters import PracticeFilter
from .models import (
    AdoptionStage,
    Practice,
    PracticeAdoption,
    PracticeAdoptionNote,
    PracticeComment,
    PracticeStatus,
    PracticeVisibility,
)

PracticeStatusField = _enum_field(PracticeStatus, "PracticeStatusEnum")
PracticeVisibilityField = _enum_field(PracticeVisibility, "PracticeVisibilityEnum")
AdoptionStageField = _enum_field(AdoptionStage, "AdoptionStageEnum")


# --- serializers ------------------------------------------------------------------------------


class PracticeSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="school_id", read_only=True, help_text="RBD")
    school_name = serializers.CharField(source="school.display_name", read_only=True)
    region = serializers.IntegerField(source="school.comuna.region_id", read_only=True)
    dimension = serializers.CharField(source="dimension_id", read_only=True)
    subdimension = serializers.CharField(source="subdimension_id", read_only=True, allow_null=True)
    levels = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    tags = serializers.SerializerMethodField()
    status = PracticeStatusField(read_only=True)
    visibility = PracticeVisibilityField(read_only=True)
    n_adoptions = serializers.IntegerField(read_only=True, default=0)
    n_comments = serializers.IntegerField(read_only=True, default=0)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Practice
        fields = [
            "id",
            "title",
            "summary",
            "school",
            "school_name",
            "region",
            "dimension",
            "subdimension",
            "levels",
            "rural",
            "enrollment",
            "tags",
            "status",
            "visibility",
            "published_at",
            "n_adoptions",
            "n_comments",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, practice):
        return [tag.slug for tag in practice.tags.all()]

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, practice):
        return practice.get_absolute_url()

    def to_representation(self, practice):
        """The list's rows (dicts of selectors.PageByIds) written straight
        from their values, with the same keys, order and values as DRF's
        field-by-field loop (which was most of the time of a page of 50).
        The detail keeps the generic path."""
        if not isinstance(practice, dict):
            return super().to_representation(practice)
        fields = _list_fields()
        if not hasattr(self, "_url_prefix"):
            # The practice page's URL, reversed once: /practices/<pk>/.
            self._url_prefix = reverse("practices:detail", args=[0])[: -len("0/")]
        published = practice["published_at"]
        levels = practice["levels"]
        name = practice["school__name"]
        return {
            "id": practice["pk"],
            "title": str(practice["title"]),
            "summary": str(practice["summary"]),
            "school": practice["school_id"],
            # School.display_name ("RBD N" for a school without a name).
            "school_name": str(name or School(rbd=practice["school_id"]).display_name),
            "region": practice["school__comuna__region_id"],
            "dimension": _str_or_none(practice["dimension_id"]),
            "subdimension": _str_or_none(practice["subdimension_id"]),
            "levels": None if levels is None else fields["levels"].to_representation(levels),
            "rural": fields["rural"].to_representation(practice["rural"]),
            "enrollment": int(practice["enrollment"]),
            "tags": [slug for slug, _name in practice["tags"]],
            "status": fields["status"].to_representation(practice["status"]),
            "visibility": fields["visibility"].to_representation(practice["visibility"]),
            "published_at": (
                None if published is None else fields["published_at"].to_representation(published)
            ),
            "n_adoptions": int(practice["n_adoptions"]),
            "n_comments": int(practice["n_comments"]),
            "url": f"{self._url_prefix}{practice['pk']}/",
        }


@functools.cache
def _list_fields():
    """PracticeSerializer's fields, built once per process rather than by
    every request's serializer (they keep no request state: dates are put
    in the current time zone when written)."""
    return PracticeSerializer().fields


def _str_or_none(value):
    return None if value is None else str(value)


class PracticeDetailSerializer(PracticeSerializer):
    authors = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta(PracticeSerializer.Meta):
        fields = PracticeSerializer.Meta.fields + [
            "context",
            "problem",
            "body",
            "results",
            "body_html",
            "authors",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, practice):
        return [u.get_full_name() or u.email for u in practice.authors.all()]

    @extend_schema_field(OpenApiTypes.STR)
    def get_body_html(self, practice):
        return render_markdown(practice.body)


class PracticeWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    summary = serializers.CharField(max_length=1000, allow_blank=True)
    context = serializers.CharField(required=False, allow_blank=True)
    problem = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    results = serializers.CharField(required=False, allow_blank=True)
    levels = serializers.ListField(child=serializers.IntegerField(), required=False)
    rural = serializers.BooleanField(required=False)
    enrollment = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    dimension = serializers.CharField(max_length=40)
    subdimension = serializers.CharField(max_length=40, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    coauthors = serializers.ListField(child=_id_field(), required=False, help_text=_("Ids"))
    visibility = PracticeVisibilityField(required=False)


class PracticeCreateSerializer(PracticeWriteSerializer):
    school = _id_field(help_text="RBD")


class PracticeUpdateSerializer(PracticeWriteSerializer):
    title = serializers.CharField(max_length=200, allow_blank=True, required=False)
    summary = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    dimension = serializers.CharField(max_length=40, required=False)


class PracticeCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = PracticeComment
        fields = ["id", "author", "body", "body_html", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, comment):
        return comment.author.get_full_name() if comment.author_id else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_body_html(self, comment):
        return render_markdown(comment.body)


class PracticeCommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()


class PracticeAdoptionNoteSerializer(serializers.ModelSerializer):
    stage = AdoptionStageField(read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = PracticeAdoptionNote
        fields = ["id", "date", "stage", "text", "author"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, note):
        return note.author.get_full_name() if note.author_id else ""


class AdoptionSerializer(serializers.ModelSerializer):
    practice = serializers.IntegerField(source="practice_id", read_only=True)
    school = serializers.IntegerField(source="school_id", read_only=True, help_text="RBD")
    school_name = serializers.CharField(source="school.display_name", read_only=True)
    stage = AdoptionStageField(read_only=True)
    pme_action = serializers.IntegerField(source="pme_action_id", read_only=True, allow_null=True)
    notes = PracticeAdoptionNoteSerializer(many=True, read_only=True)

    class Meta:
        model = PracticeAdoption
        fields = [
            "id",
            "practice",
            "school",
            "school_name",
            "stage",
            "pme_action",
            "created_at",
            "updated_at",
            "notes",
        ]
        read_only_fields = fields

    def to_representation(self, adoption):
        """Rows and their notes read straight from the adoption, with the
        same keys, order and values as DRF's field-by-field loop."""
        if isinstance(adoption, dict):
            return _adoption_row(adoption)
        fields = self.fields
        note_fields = fields["notes"].child.fields
        stage, date, created = fields["stage"], note_fields["date"], fields["created_at"]
        return {
            "id": adoption.pk,
            "practice": adoption.practice_id,
            "school": adoption.school_id,
            "school_name": str(adoption.school.display_name),
            "stage": stage.to_representation(adoption.stage),
            "pme_action": adoption.pme_action_id,
            "created_at": created.to_representation(adoption.created_at),
            "updated_at": fields["updated_at"].to_representation(adoption.updated_at),
            "notes": [
                {
                    "id": note.pk,
                    "date": date.to_representation(note.date),
                    "stage": stage.to_representation(note.stage),
                    "text": str(note.text),
                    "author": note.author.get_full_name() if note.author_id else "",
                }
                for note in adoption.notes.all()
            ],
        }


@functools.cache
def _adoption_fields():
    """AdoptionSerializer's fields, built once per process (see _list_fields)."""
    return AdoptionSerializer().fields


# What a row of the adoptions' list reads (values, no model instances), and
# of each of its notes ("notes": AdoptionList.notes).
ADOPTION_VALUES = (
    "pk",
    "practice_id",
    "school_id",
    "school__name",
    "stage",
    "pme_action_id",
    "created_at",
    "updated_at",
)
NOTE_VALUES = (
    "adoption_id",
    "pk",
    "date",
    "stage",
    "text",
    "author_id",
    "author__first_name",
    "author__last_name",
    "author__email",
)


def _author_name(note):
    """User.get_full_name() of the note's author, "" without one."""
    if note["author_id"] is None:
        return ""
    name = f"{note['author__first_name']} {note['author__last_name']}".strip()
    return name or note["author__email"]


def _adoption_row(adoption):
    """AdoptionSerializer.to_representation of a row of values with its
    notes: the same keys, order and values."""
    fields = _adoption_fields()
    note_fields = fields["notes"].child.fields
    stage, date = fields["stage"], note_fields["date"]
    name = adoption["school__name"]
    return {
        "id": adoption["pk"],
        "practice": adoption["practice_id"],
        "school": adoption["school_id"],
        # School.display_name ("RBD N" for a school without a name).
        "school_name": str(name or School(rbd=adoption["school_id"]).display_name),
        "stage": stage.to_representation(adoption["stage"]),
        "pme_action": adoption["pme_action_id"],
        "created_at": fields["created_at"].to_representation(adoption["created_at"]),
        "updated_at": fields["updated_at"].to_representation(adoption["updated_at"]),
        "notes": [
            {
                "id": note["pk"],
                "date": date.to_representation(note["date"]),
                "stage": stage.to_representation(note["stage"]),
                "text": str(note["text"]),
                "author": _author_name(note),
            }
            for note in adoption["notes"]
        ],
    }


def _with_notes(adoptions):
    """The page's adoptions (dicts) with their notes, by date, in one query."""
    adoptions = list(adoptions)
    by_id = {}
    for adoption in adoptions:
        adoption["notes"] = []
        by_id[adoption["pk"]] = adoption
    if by_id:
        notes = (
            PracticeAdoptionNote.objects.filter(adoption_id__in=list(by_id))
            .order_by("date", "pk")
            .values(*NOTE_VALUES)
        )
        for note in notes:
            by_id[note["adoption_id"]]["notes"].append(note)
    return adoptions


class AdoptionCreateSerializer(serializers.Serializer):
    practice = _id_field()
    school = _id_field(help_text="RBD")
    stage = AdoptionStageField(required=False, default=AdoptionStage.EXPLORING)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    pme_action = _id_field(required=False, allow_null=True, default=None)


class AdoptionNoteCreateSerializer(serializers.Serializer):
    stage = AdoptionStageField()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)
    pme_action = _id_field(required=False, allow_null=True)


# --- helpers ------------------------------------------------------------------------------------


def _service_fields(data, school):
    """The service's arguments; an unknown co-author id gets the same answer
    as one the caller may not name (no error tells which ids exist)."""
    data = dict(data)
    if "coauthors" in data:
        ids = data["coauthors"]
        users = list(User.objects.filter(pk__in=ids))
        if len(users) != len(set(ids)):
            raise serializers.ValidationError({"coauthors": [services.coauthors_error(school)]})
        data["coauthors"] = users
    return data


class AdoptionFilter(django_filters.FilterSet):
    practice = django_filters.NumberFilter(field_name="practice_id", min_value=1, max_value=MAX_ID)
    school = django_filters.NumberFilter(field_name="school_id", min_value=1, max_value=MAX_ID)
    stage = django_filters.ChoiceFilter(choices=AdoptionStage.choices)

    class Meta:
        model = PracticeAdoption
        fields = ["practice", "school", "stage"]


class HelpQuerySerializer(serializers.Serializer):
    school = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="RBD"
    )
    subdimension = serializers.CharField(max_length=40, required=False)
    action = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=help.DEFAULT_LIMIT)

    def validate(self, data):
        if "action" not in data and not ("school" in data and data.get("subdimension")):
            raise serializers.ValidationError(_("Indique school y subdimension, o action."))
        return data


class HelpSuggestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["practice", "school"])
    id = serializers.IntegerField(source="pk", help_text="practice id, or the school's RBD")
    title = serializers.CharField()
    school = serializers.IntegerField(source="school_rbd", help_text="RBD")
    school_name = serializers.CharField()
    url = serializers.CharField()
    reason = serializers.CharField()
    reach = serializers.ChoiceField(
        choices=["network", "deprov", "region", "country"], source="reach_name"
    )
    traits = serializers.ListField(child=serializers.CharField())
    evidence = serializers.IntegerField()
    adoptions = serializers.DictField(
        child=serializers.IntegerField(), source="stages", help_text="practices: by stage"
    )
    n_comments = serializers.IntegerField()
    n_completed = serializers.IntegerField(help_text="schools: completed actions this cycle")


# --- viewsets ---------------------------------------------------------------------------------


class PracticeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The library: published practices the user may see (q: full-text
    search; filters dimension, level, region, network, rural, tag;
    ordering relevance|recent). A detail shows drafts to their school's
    directivos. POST writes a draft, PATCH edits, POST …/publish/."""

    serializer_class = PracticeSerializer
    filterset_class = PracticeFilter
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"\d+"
    queryset = Practice.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.library(self.request.user)
        return selectors.with_counts(selectors.detail_queryset(self.request.user)).prefetch_related(
            "tags", "authors"
        )

    def get_serializer_class(self):
        return PracticeSerializer if self.action == "list" else PracticeDetailSerializer

    def paginate_queryset(self, queryset):
        if self.action == "list":
            queryset = selectors.PageByIds(queryset)
        return super().paginate_queryset(queryset)

    def _detail(self, practice):
        return PracticeDetailSerializer(
            selectors.with_counts(selectors.detail_queryset(self.request.user))
            .prefetch_related("tags", "authors")
            .get(pk=practice.pk)
        ).data

    @extend_schema(request=PracticeCreateSerializer, responses={201: PracticeDetailSerializer})
    def create(self, request, *args, **kwargs):
        body = PracticeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        school = perms.writable_schools(request.user).filter(pk=data.pop("school")).first()
        if school is None:
            raise PermissionDenied(
                _("Solo comparte prácticas de un establecimiento donde es directivo.")
            )
        data = _service_fields(data, school)
        practice = services.create_practice(by=request.user, school=school, **data)
        return Response(self._detail(practice), status=status.HTTP_201_CREATED)

    @extend_schema(request=PracticeUpdateSerializer, responses=PracticeDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        practice = self.get_object()
        body = PracticeUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.update_practice(
            by=request.user,
            practice=practice,
            **_service_fields(body.validated_data, practice.school),
        )
        return Response(self._detail(practice))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        practice = self.get_object()
        services.publish_practice(by=request.user, practice=practice)
        return Response(self._detail(practice))

    @extend_schema(methods=["get"], request=None, responses=PracticeCommentSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=PracticeCommentCreateSerializer,
        responses={201: PracticeCommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        practice = self.get_object()
        if request.method == "GET":
            comments = practice.comments.select_related("author")
            return Response(PracticeCommentSerializer(comments, many=True).data)
        body = PracticeCommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.add_comment(by=request.user, practice=practice, **body.validated_data)
        return Response(PracticeCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[HelpQuerySerializer],
        responses=HelpSuggestionSerializer(many=True),
        summary="¿Quién puede ayudarnos?",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def help(self, request):
        """Practices and schools that may help a school in a PME subdimension
        (or with one action), best first, each with its reason. Only schools
        whose plan the user may read; 404 otherwise."""
        query = HelpQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        action_obj = None
        if "action" in data:
            action_obj = get_object_or_404(help.help_actions(request.user), pk=data["action"])
            school = action_obj.plan.school
        else:
            school = get_object_or_404(help.help_schools(request.user), pk=data["school"])
        suggestions = help.help_suggestions(
            request.user,
            school=school,
            subdimension=data.get("subdimension") or None,
            action=action_obj,
            limit=data["limit"],
        )
        return Response(HelpSuggestionSerializer(suggestions, many=True).data)


class PracticeAdoptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Adoptions of the practices the user may see (filters practice,
    school, stage). POST declares one for one of the user's schools;
    POST …/notes/ adds a dated note and moves the stage."""

    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"\d+"
    queryset = PracticeAdoption.objects.none()

    def get_queryset(self):
        # Adoptions of practices the user may see, checked on the
        # practice's own columns (a join, not a subquery over every visible
        # practice).
        adoptions = PracticeAdoption.objects.filter(
            perms.visible_scope(self.request.user)("practice__")
        ).order_by("-updated_at", "pk")
        if self.action == "list":
            # The list reads values and its page's notes in one query
            # (paginate_queryset): no model instances for the adoptions,
            # their schools, notes and authors.
            return adoptions.values(*ADOPTION_VALUES)
        return adoptions.select_related("school").prefetch_related("notes__author")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.action == "list" and page is not None:
            page = _with_notes(page)
        return page

    @extend_schema(request=AdoptionCreateSerializer, responses={201: AdoptionSerializer})
    def create(self, request, *args, **kwargs):
        body = AdoptionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        practice = get_object_or_404(perms.visible_practices(request.user), pk=data.pop("practice"))
        school = perms.writable_schools(request.user).filter(pk=data.pop("school")).first()
        if school is None:
            raise serializers.ValidationError(
                {"school": [_("Solo puede registrar adopciones de un establecimiento propio.")]}
            )
        adoption = services.adopt_practice(
            by=request.user, practice=practice, school=school, **data
        )
        return Response(
            AdoptionSerializer(self.get_queryset().get(pk=adoption.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=AdoptionNoteCreateSerializer, responses={201: AdoptionSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        adoption = self.get_object()
        body = AdoptionNoteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.follow_up_adoption(by=request.user, adoption=adoption, **body.validated_data)
        return Response(
            AdoptionSerializer(self.get_queryset().get(pk=adoption.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def register(router):
    router.register("practices", PracticeViewSet, basename="practice")
    router.register("practice-adoptions", PracticeAdoptionViewSet, basename="practice-adoption")
