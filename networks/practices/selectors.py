"""Reads about shared practices shared by the pages, the API, the network
page and the home page. Lists are scoped with practice_permissions and run
a fixed number of queries."""

import hashlib
from types import SimpleNamespace

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from networks.meetings import permissions as meeting_perms
from networks.meetings.models import AgendaItem, Meeting, MeetingStatus
from networks.models import Network, NetworkSchool, NetworkStatus
from networks.permissions import visible_networks
from pme.models import Action, AnnualPlan, Dimension, Phase
from rme_platform.accounts.models import User
from rme_platform.links import row_url
from rme_platform.sql import quoted, row_datetime
from rme_platform.text import render_markdown
from schools.models import Comuna, Position, PositionRole, School
from schools.permissions import directivo_school_ids

from . import permissions as perms
from .filters import library_sql
from .models import (
    AdoptionStage,
    Practice,
    PracticeAdoption,
    PracticeAdoptionNote,
    PracticeAttachment,
    PracticeComment,
    PracticeFeature,
    PracticePresentation,
    Tag,
)


def _count(queryset):
    """The number of rows of `queryset` (filtered on OuterRef("pk")) as a
    subquery, so counts do not multiply each other."""
    counted = queryset.order_by().values("practice_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(queryset):
    return queryset.annotate(
        n_adoptions=_count(PracticeAdoption.objects.filter(practice=OuterRef("pk"))),
        n_comments=_count(PracticeComment.objects.filter(practice=OuterRef("pk"))),
    )


def library(user):
    """Published practices the user may see, for the API's list. Filter and
    order it (see filters.PracticeFilter), then page it with PageByIds (one
    query for the count, one for the ids of the page, one for its rows with
    their tags on PostgreSQL, two elsewhere). The library page writes the
    same as SQL (LibraryQuery)."""
    return perms.published_practices(user)


def my_practices(user, schools=None):
    """Drafts and published practices of the schools where the user is a
    directivo (index on school; `schools`: perms.directivo_schools(user)
    when the caller has read them)."""
    if schools is None:
        schools = directivo_school_ids(user)
    return (
        Practice.objects.filter(school__in=schools)
        .only("title", "status", "updated_at")
        .order_by("-updated_at")
    )


# What a library row carries (the page's cards and the API's list): the
# practice's own columns, its school, comuna, region and dimension, and its
# counts, read as values (no model instances).
LIST_VALUES = (
    "pk",
    "title",
    "summary",
    "school_id",
    "school__name",
    "school__comuna_id",
    "school__comuna__name",
    "school__comuna__region_id",
    "dimension_id",
    "dimension__name",
    "subdimension_id",
    "levels",
    "rural",
    "enrollment",
    "status",
    "visibility",
    "published_at",
    "n_adoptions",
    "n_comments",
)


def _list_count(model):
    """with_counts' count of `model`'s rows of each practice, written as SQL:
    the same number (0 for none), without building two correlated
    subqueries in the ORM for every page (a tenth of the API list's time)."""
    table = connection.ops.quote_name(model._meta.db_table)
    practices = connection.ops.quote_name(Practice._meta.db_table)
    return RawSQL(  # noqa: S611 - no value from outside: table names and no parameters
        f"SELECT COUNT(*) FROM {table} WHERE {table}.practice_id = {practices}.id",  # noqa: S608 - our models' quoted names
        (),
        output_field=IntegerField(),
    )


class PageByIds:
    """A library list for Paginator: the page is chosen on the practices
    table alone (filter, rank, order, offset), then only its rows are loaded
    with their school, region, dimension, tags and counts. Joining those for
    every match before sorting is what made a national search slow.

    The rows are dicts (LIST_VALUES, and "tags": [(slug, name), …] by name;
    one query on PostgreSQL, _page_rows):
    building twenty to fifty practices with their school, comuna, region and
    dimensions as models, and their tags by prefetch, was most of the API
    list's time."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return _list_rows(list(self.queryset.values_list("pk", flat=True)[index]))


class LibraryQuery:
    """The library page's list for Paginator, like PageByIds, with its
    count and page of ids written as SQL (scope: perms.published_scope_sql;
    filters, search and order: filters.library_sql) rather than compiled
    from querysets, which cost more than the rest of a search page. `data`:
    the valid PracticeFilter form's cleaned_data; `schools`:
    perms.directivo_schools(user)."""

    COLUMNS = (
        "id",
        "status",
        "visibility",
        "school_id",
        "dimension_id",
        "levels",
        "rural",
        "published_at",
        "search_vector",
        "search_text",
    )

    def __init__(self, user, data, schools=None):
        quote = connection.ops.quote_name
        self.table = quote(Practice._meta.db_table)
        p = {c: f"{self.table}.{quote(c)}" for c in self.COLUMNS}
        scope = perms.published_scope_sql(
            user, p["status"], p["visibility"], p["id"], p["school_id"], schools
        )
        if scope is None:
            self.where = None
            return
        sql, params, self.order, self.order_params = library_sql(data, p)
        self.where = " AND ".join([scope[0], *sql])
        self.params = [*scope[1], *params]

    def count(self):
        if self.where is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {self.table} WHERE {self.where}",  # noqa: S608 - our models' quoted names; values are parameters
                self.params,
            )
            return cursor.fetchone()[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if self.where is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {self.table}.id FROM {self.table} WHERE {self.where} "  # noqa: S608 - our models' quoted names; values are parameters
                f"ORDER BY {self.order} LIMIT %s OFFSET %s",
                [*self.params, *self.order_params, index.stop - index.start, index.start],
            )
            return _list_rows([pk for (pk,) in cursor.fetchall()])


def _list_rows(ids):
    """The rows of PageByIds and LibraryQuery: the practices `ids`, in that
    order, as dicts."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return _page_rows(ids)
    rows = {
        row["pk"]: row
        for row in Practice.objects.filter(pk__in=ids)
        .annotate(
            n_adoptions=_list_count(PracticeAdoption), n_comments=_list_count(PracticeComment)
        )
        .order_by()
        .values(*LIST_VALUES)
    }
    for row in rows.values():
        row["tags"] = []
    tagged = (
        Practice.tags.through.objects.filter(practice_id__in=ids)
        .order_by("tag__name", "tag_id")
        .values_list("practice_id", "tag__slug", "tag__name")
    )
    for practice_id, slug, name in tagged:
        rows[practice_id]["tags"].append((slug, name))
    return [rows[pk] for pk in ids if pk in rows]


def _page_rows_sql():
    """The SQL of _page_rows: LIST_VALUES (in that order) and the tags'
    slugs and names, by name, of the practices whose ids are the parameter."""
    q = connection.ops.quote_name
    practice, school, comuna, dimension, adoption, comment, tag = (
        q(model._meta.db_table)
        for model in (
            Practice,
            Practice.school.field.related_model,
            Practice.school.field.related_model.comuna.field.related_model,
            Practice.dimension.field.related_model,
            PracticeAdoption,
            PracticeComment,
            Practice.tags.field.related_model,
        )
    )
    tagged = q(Practice.tags.through._meta.db_table)
    tags = (
        f"FROM {tagged} pt JOIN {tag} t ON t.id = pt.tag_id "
        "WHERE pt.practice_id = p.id ORDER BY t.name, t.id"
    )
    return (
        "SELECT p.id, p.title, p.summary, p.school_id, s.name, s.comuna_id, c.name, "  # noqa: S608 - our models' quoted names; the ids are a parameter
        "c.region_id, p.dimension_id, d.name, p.subdimension_id, p.levels, p.rural, "
        "p.enrollment, p.status, p.visibility, p.published_at, "
        f"(SELECT COUNT(*) FROM {adoption} a WHERE a.practice_id = p.id), "
        f"(SELECT COUNT(*) FROM {comment} m WHERE m.practice_id = p.id), "
        f"ARRAY(SELECT t.slug {tags}), ARRAY(SELECT t.name {tags}) "
        f"FROM {practice} p JOIN {school} s ON s.rbd = p.school_id "
        f"LEFT JOIN {comuna} c ON c.cut = s.comuna_id "
        f"JOIN {dimension} d ON d.code = p.dimension_id "
        "WHERE p.id = ANY(%s)"
    )


def _page_rows(ids):
    """PageByIds' rows on PostgreSQL: the practices, their counts and their
    tags in one query written as SQL (the ORM's values() and a second query
    for the tags cost more to build than to run), as the same dicts."""
    levels = Practice._meta.get_field("levels")
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(_page_rows_sql(), [ids])
        for values in cursor.fetchall():
            row = dict(zip(LIST_VALUES, values[:-2], strict=True))
            row["levels"] = levels.from_db_value(row["levels"], None, connection)
            row["tags"] = list(zip(values[-2], values[-1], strict=True))
            rows[row["pk"]] = row
    return [rows[pk] for pk in ids if pk in rows]


def detail_queryset(user):
    """Practices `user` may see with what their page shows; every practice
    for user=None (the caller checks permissions.can_view_practice)."""
    practices = Practice.objects.all() if user is None else perms.visible_practices(user)
    return practices.select_related(
        "school__comuna__region", "dimension", "subdimension", "created_by"
    )


def _markdown_key(text):
    return "practices:md:" + hashlib.sha256(text.encode()).hexdigest()


def markdown_html(texts):
    """Sanitized HTML of each text (render_markdown), in order. Read from
    the cache under the hash of the text itself, so an edited text is a new
    key and never shows stale HTML; the ones missing are rendered and
    stored, all in one cache round trip each way. Rendering a practice's
    four texts and its comments was a fifth of its page's time."""
    keys = [_markdown_key(text) for text in texts]
    found = cache.get_many(keys)
    missing = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in found and key not in missing:
            missing[key] = render_markdown(text)
    if missing:
        cache.set_many(missing, timeout=7 * 24 * 3600)
        found.update(missing)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - sanitized by nh3


def practice_page(user, practice):
    """Context for the practice page: its authors, files, comments,
    adoptions with their notes, the networks it is featured for, and what
    the user may do. A fixed number of queries. The fixed lists (authors,
    the user's schools, comments, tags, files, features) are read in SQL:
    as querysets, building and compiling them cost most of the page's time."""
    pk = practice.pk
    authors = _authors(pk)
    my_schools, directs = _my_schools(user, practice.school_id)
    can_edit = perms.can_edit_practice(user, practice, authors=authors, directs=directs)
    adoptions = _adoptions(pk)
    my_school_ids = {s.rbd for s in my_schools}
    mine = [a for a in adoptions if a.school_id in my_school_ids]
    actions = {}
    if mine:
        for action in (
            Action.objects.filter(plan__school__in=[a.school_id for a in mine])
            .select_related("plan")
            .only("name", "plan__year", "plan__school_id")
            .order_by("-plan__year", "name")
        ):
            actions.setdefault(action.plan.school_id, []).append(action)
    for adoption in adoptions:
        adoption.mine = adoption.school_id in my_school_ids
        adoption.school_actions = actions.get(adoption.school_id, [])
    adopted = {a.school_id for a in adoptions}
    # By name, as the adoption form lists them.
    adopting = (
        [s for s in my_schools if s.rbd != practice.school_id and s.rbd not in adopted]
        if practice.is_published
        else []
    )
    featurable = []
    meetings = []
    # Nobody but a network's supervisors and admins has any: no query for them.
    networks = (
        list(perms.featurable_networks(user).order_by("code")[:200])
        if practice.is_published
        else []
    )
    features = _features(pk)
    if networks:
        featured_ids = {f.network.pk for f in features}
        featurable = [(n, n.pk in featured_ids) for n in networks]
        meetings = list(
            Meeting.objects.filter(
                network__in=[n.pk for n in networks],
                status=MeetingStatus.CONVENED,
                starts_at__gt=timezone.now(),
            )
            .select_related("network")
            .order_by("starts_at")[:50]
        )
    plans = []
    # Another school's directivos may carry the practice into their own PME.
    if practice.is_published and (adopting or any(a.mine for a in adoptions)):
        # editable_plans(user): an admin's are every plan, a directivo's
        # those of their schools (my_schools).
        plans = _open_plans(
            None if perms.is_admin(user) else sorted(my_school_ids), practice.school_id
        )
    comments = _comments(pk)
    fields = ("problem", "body", "results", "context")
    texts = [getattr(practice, name) for name in fields] + [c.body for c in comments]
    html = markdown_html(texts)
    for name, text in zip(fields, html[: len(fields)], strict=True):
        setattr(practice, f"{name}_html", text)
    for comment, text in zip(comments, html[len(fields) :], strict=True):
        comment.body_html = text
    return {
        "practice": practice,
        "authors": authors,
        "tags": _tags(pk),
        "attachments": _attachments(pk),
        "comments": comments,
        "adoptions": adoptions,
        "features": features,
        "can_edit": can_edit,
        "can_comment": perms.can_comment(user, practice),
        "adopting_schools": adopting,
        "featurable": featurable,
        "agenda_meetings": meetings,
        "pme_plans": plans,
        "stages": AdoptionStage.choices,
        "on_agendas": _on_agendas(user, pk),
    }


class _Person:
    """A user as the practice page shows them (User.get_full_name)."""

    __slots__ = ("email", "first_name", "last_name", "pk")

    def __init__(self, pk, first_name, last_name, email):
        self.pk, self.first_name, self.last_name, self.email = pk, first_name, last_name, email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email


def _authors(practice_id):
    """The practice's authors by last and first name."""
    users, u_id, first, last, email = quoted(User, "id", "first_name", "last_name", "email")
    through, t_practice, t_user = quoted(Practice.authors.through, "practice_id", "user_id")
    return [
        _Person(*row)
        for row in _rows(
            f"SELECT u.{u_id}, u.{first}, u.{last}, u.{email} FROM {users} u "  # noqa: S608 - our models' quoted names; values are parameters
            f"INNER JOIN {through} a ON a.{t_user} = u.{u_id} WHERE a.{t_practice} = %s "
            f"ORDER BY u.{last}, u.{first}",
            [practice_id],
        )
    ]


def _adoptions(practice_id):
    """The practice's adoptions by school name, with their school, comuna,
    PME action and notes (oldest first): one query, and one for the notes
    when there are adoptions."""
    adoptions_t, a_id, a_practice, a_school, a_stage, a_created, a_action = quoted(
        PracticeAdoption, "id", "practice_id", "school_id", "stage", "created_at", "pme_action_id"
    )
    schools, rbd, s_name, s_comuna = quoted(School, "rbd", "name", "comuna_id")
    comunas, cut, c_name = quoted(Comuna, "cut", "name")
    actions, act_id, act_name = quoted(Action, "id", "name")
    adoptions = [
        SimpleNamespace(
            pk=pk,
            school_id=school,
            school=SimpleNamespace(
                display_name=School.name_or_rbd(name, school), comuna=SimpleNamespace(name=comuna)
            ),
            stage=stage,
            get_stage_display=AdoptionStage(stage).label,
            created_at=row_datetime(created_at),
            pme_action_id=action,
            pme_action=SimpleNamespace(pk=action, name=action_name) if action is not None else None,
            notes=[],
        )
        for pk, school, name, comuna, stage, created_at, action, action_name in _rows(
            f"SELECT a.{a_id}, s.{rbd}, s.{s_name}, c.{c_name}, a.{a_stage}, a.{a_created}, "  # noqa: S608 - our models' quoted names; values are parameters
            f"a.{a_action}, x.{act_name} FROM {adoptions_t} a "
            f"INNER JOIN {schools} s ON a.{a_school} = s.{rbd} "
            f"INNER JOIN {comunas} c ON s.{s_comuna} = c.{cut} "
            f"LEFT OUTER JOIN {actions} x ON a.{a_action} = x.{act_id} "
            f"WHERE a.{a_practice} = %s ORDER BY s.{s_name}, a.{a_id}",
            [practice_id],
        )
    ]
    if adoptions:
        by_pk = {a.pk: a for a in adoptions}
        notes, n_id, n_adoption, n_date, n_stage, n_text = quoted(
            PracticeAdoptionNote, "id", "adoption_id", "date", "stage", "text"
        )
        marks = ", ".join(["%s"] * len(by_pk))
        for adoption, date, stage, text in _rows(
            f"SELECT n.{n_adoption}, n.{n_date}, n.{n_stage}, n.{n_text} FROM {notes} n "  # noqa: S608 - our models' quoted names; values are parameters
            f"WHERE n.{n_adoption} IN ({marks}) ORDER BY n.{n_date}, n.{n_id}",
            list(by_pk),
        ):
            by_pk[adoption].notes.append(
                SimpleNamespace(
                    date=parse_date(date) if isinstance(date, str) else date,
                    get_stage_display=AdoptionStage(stage).label,
                    text=text,
                )
            )
    return adoptions


def _open_plans(schools, school_id):
    """The plans (of `schools`, every school's if None) still open, of this
    year or the last, but those of the practice's school `school_id`: the
    newest 20, by year and school name."""
    plans_t, p_id, p_school, year, phase = quoted(AnnualPlan, "id", "school_id", "year", "phase")
    schools_t, rbd, name = quoted(School, "rbd", "name")
    where, params = "", [Phase.CLOSED, school_id, timezone.localdate().year - 1]
    if schools is not None:
        if not schools:
            return []
        where = f"AND p.{p_school} IN ({', '.join(['%s'] * len(schools))}) "
        params += schools
    return [
        SimpleNamespace(pk=pk, year=year_, school=_School(rbd_, name_))
        for pk, year_, rbd_, name_ in _rows(
            f"SELECT p.{p_id}, p.{year}, s.{rbd}, s.{name} FROM {plans_t} p "  # noqa: S608 - our models' quoted names; values are parameters
            f"INNER JOIN {schools_t} s ON p.{p_school} = s.{rbd} "
            f"WHERE p.{phase} <> %s AND p.{p_school} <> %s AND p.{year} >= %s {where}"
            f"ORDER BY p.{year} DESC, s.{name} LIMIT 20",
            params,
        )
    ]


def _on_agendas(user, practice_id):
    """The agenda items presenting the practice in the meetings the user
    sees (networks.meetings.permissions.visible_meetings), the newest 10."""
    scope = meeting_perms.visible_meetings_sql(user, "m." + connection.ops.quote_name("network_id"))
    if scope is None:
        return []
    items, i_id, i_meeting = quoted(AgendaItem, "id", "meeting_id")
    links, l_item, l_practice = quoted(PracticePresentation, "agenda_item_id", "practice_id")
    meetings, m_id, m_network, title, starts_at = quoted(
        Meeting, "id", "network_id", "title", "starts_at"
    )
    networks, n_id, code = quoted(Network, "id", "code")
    return [
        SimpleNamespace(
            meeting=SimpleNamespace(
                title=title_, starts_at=row_datetime(at), network=SimpleNamespace(code=code_)
            )
        )
        for title_, at, code_ in _rows(
            f"SELECT m.{title}, m.{starts_at}, n.{code} FROM {items} i "  # noqa: S608 - our models' quoted names; values are parameters
            f"INNER JOIN {links} l ON l.{l_item} = i.{i_id} "
            f"INNER JOIN {meetings} m ON i.{i_meeting} = m.{m_id} "
            f"INNER JOIN {networks} n ON m.{m_network} = n.{n_id} "
            f"WHERE l.{l_practice} = %s AND ({scope[0]}) "
            f"ORDER BY m.{starts_at} DESC LIMIT 10",
            [practice_id, *scope[1]],
        )
    ]


def _my_schools(user, school_id):
    """The schools where the user (a directivo) holds an active position,
    by name, and whether they are the current director of `school_id`
    (schools.permissions.is_school_director): one query."""
    if not perms.is_directivo(user):
        return [], False
    positions, p_user, p_school, role, start, end = quoted(
        Position, "user_id", "school_id", "role", "start_date", "end_date"
    )
    schools, rbd, name = quoted(School, "rbd", "name")
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    rows = _rows(
        f"SELECT s.{rbd}, s.{name}, "  # noqa: S608 - our models' quoted names; values are parameters
        f"MAX(CASE WHEN p.{role} = %s AND p.{p_school} = %s THEN 1 ELSE 0 END) "
        f"FROM {positions} p INNER JOIN {schools} s ON p.{p_school} = s.{rbd} "
        f"WHERE p.{p_user} = %s AND p.{start} <= %s "
        f"AND (p.{end} IS NULL OR p.{end} >= %s) "
        f"GROUP BY s.{rbd}, s.{name} ORDER BY s.{name}, s.{rbd}",
        [PositionRole.DIRECTOR, school_id, user.pk, today, today],
    )
    return [_School(rbd_, name_) for rbd_, name_, _d in rows], any(d for *_s, d in rows)


def _comments(practice_id):
    """The practice's comments, oldest first, with their authors (None once
    deleted)."""
    comments, c_id, body, created_at, c_practice, c_author = quoted(
        PracticeComment, "id", "body", "created_at", "practice_id", "author_id"
    )
    users, u_id, first, last, email = quoted(User, "id", "first_name", "last_name", "email")
    return [
        SimpleNamespace(
            pk=pk,
            body=body_,
            created_at=row_datetime(at),
            author=_Person(author, first_, last_, email_) if author is not None else None,
        )
        for pk, body_, at, author, first_, last_, email_ in _rows(
            f"SELECT c.{c_id}, c.{body}, c.{created_at}, u.{u_id}, u.{first}, u.{last}, "  # noqa: S608 - our models' quoted names; values are parameters
            f"u.{email} FROM {comments} c LEFT OUTER JOIN {users} u ON c.{c_author} = u.{u_id} "
            f"WHERE c.{c_practice} = %s ORDER BY c.{created_at}, c.{c_id}",
            [practice_id],
        )
    ]


def _tags(practice_id):
    tags, t_id, slug, name = quoted(Tag, "id", "slug", "name")
    through, t_practice, t_tag = quoted(Practice.tags.through, "practice_id", "tag_id")
    return [
        SimpleNamespace(slug=slug_, name=name_)
        for slug_, name_ in _rows(
            f"SELECT t.{slug}, t.{name} FROM {tags} t INNER JOIN {through} pt "  # noqa: S608 - our models' quoted names; values are parameters
            f"ON pt.{t_tag} = t.{t_id} WHERE pt.{t_practice} = %s ORDER BY t.{name}",
            [practice_id],
        )
    ]


def _attachments(practice_id):
    files, f_id, original_name, size, f_practice, uploaded_at = quoted(
        PracticeAttachment, "id", "original_name", "size", "practice_id", "uploaded_at"
    )
    return [
        SimpleNamespace(pk=pk, original_name=name_, size=size_)
        for pk, name_, size_ in _rows(
            f"SELECT f.{f_id}, f.{original_name}, f.{size} FROM {files} f "  # noqa: S608 - our models' quoted names; values are parameters
            f"WHERE f.{f_practice} = %s ORDER BY f.{uploaded_at}, f.{f_id}",
            [practice_id],
        )
    ]


def _features(practice_id):
    """The networks the practice is featured for, by code."""
    features, f_practice, f_network = quoted(PracticeFeature, "practice_id", "network_id")
    networks, n_id, code = quoted(Network, "id", "code")
    return [
        SimpleNamespace(network=SimpleNamespace(pk=pk, code=code_))
        for pk, code_ in _rows(
            f"SELECT n.{n_id}, n.{code} FROM {features} f INNER JOIN {networks} n "  # noqa: S608 - our models' quoted names; values are parameters
            f"ON f.{f_network} = n.{n_id} WHERE f.{f_practice} = %s ORDER BY n.{code}",
            [practice_id],
        )
    ]


class _School:
    """A school as the panel shows it (School.display_name)."""

    __slots__ = ("name", "rbd")

    def __init__(self, rbd, name):
        self.rbd, self.name = rbd, name

    @property
    def display_name(self):
        return self.name or _("RBD %(rbd)s") % {"rbd": self.rbd}


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def network_panel(user, network, year=None):
    """Context for the practices panel of a network page: the practices its
    schools published this year (those the user may see), the adoptions
    between its schools this year, and the practices featured for it.
    Four queries whatever the size (its schools, the practices with their
    total, the adoptions, the featured), and one or two for the practices
    the user may see. The three lists are read in SQL (the user's scope
    from permissions.published_scope_sql): as querysets, building and
    compiling them cost most of the panel's time."""
    year = year or timezone.localdate().year
    # The network's schools as ids: with a list the planner reads their
    # practices through the school index (a few dozen rows) instead of
    # filtering every practice published this year.
    schools = list(
        NetworkSchool.objects.filter(network=network, left_on__isnull=True).values_list(
            "school_id", flat=True
        )
    )
    practices, p_id, title, p_school, p_dimension, published_at = quoted(
        Practice, "id", "title", "school_id", "dimension_id", "published_at"
    )
    scope = perms.published_scope_sql(
        user,
        status="p." + connection.ops.quote_name("status"),
        visibility="p." + connection.ops.quote_name("visibility"),
        id=f"p.{p_id}",
        school=f"p.{p_school}",
    )
    school_t, rbd, name = quoted(School, "rbd", "name")
    # As the database compares them (already adapted, in the current time zone).
    first, last = connection.ops.year_lookup_bounds_for_datetime_field(year)
    shared, adoptions, featured = [], [], []
    n_shared = 0
    url = row_url("practices:detail")
    if scope is not None and schools:
        marks = ", ".join(["%s"] * len(schools))
        dimension_t, code, d_name = quoted(Dimension, "code", "name")
        adoption_t, a_id, a_practice, a_school, stage, created_at = quoted(
            PracticeAdoption, "id", "practice_id", "school_id", "stage", "created_at"
        )
        # The total rides on the first ten rows (a window count) instead of
        # a second scan.
        plurals = {}
        for pk, title_, rbd_, name_, dimension, n, n_total in _rows(
            f"SELECT p.{p_id}, p.{title}, s.{rbd}, s.{name}, d.{d_name}, "  # noqa: S608 - our models' quoted names; values are parameters
            f"COALESCE((SELECT COUNT(a.{a_id}) FROM {adoption_t} a "
            f"WHERE a.{a_practice} = p.{p_id} GROUP BY a.{a_practice}), 0), "
            f"COUNT(p.{p_id}) OVER () "
            f"FROM {practices} p INNER JOIN {school_t} s ON p.{p_school} = s.{rbd} "
            f"INNER JOIN {dimension_t} d ON p.{p_dimension} = d.{code} "
            f"WHERE ({scope[0]}) AND p.{p_school} IN ({marks}) "
            f"AND p.{published_at} BETWEEN %s AND %s "
            f"ORDER BY p.{published_at} DESC LIMIT 10",
            [*scope[1], *schools, first, last],
        ):
            if n not in plurals:
                plurals[n] = ngettext("%(total)s adopción", "%(total)s adopciones", n) % {
                    "total": formats.localize(n)
                }
            n_shared = n_total
            shared.append(
                SimpleNamespace(
                    pk=pk,
                    title=title_,
                    school=_School(rbd_, name_),
                    dimension=gettext(dimension),
                    row_url=url(pk),
                    row_adoptions=plurals[n],
                )
            )
        stages = dict(AdoptionStage.choices)
        for pk, stage_, school_rbd, school_name, title_, p_rbd, p_name in _rows(
            f"SELECT a.{a_practice}, a.{stage}, sa.{rbd}, sa.{name}, p.{title}, s.{rbd}, "  # noqa: S608 - our models' quoted names; values are parameters
            f"s.{name} FROM {adoption_t} a INNER JOIN {school_t} sa ON a.{a_school} = sa.{rbd} "
            f"INNER JOIN {practices} p ON a.{a_practice} = p.{p_id} "
            f"INNER JOIN {school_t} s ON p.{p_school} = s.{rbd} "
            f"WHERE ({scope[0]}) AND a.{a_school} IN ({marks}) AND p.{p_school} IN ({marks}) "
            f"AND a.{created_at} BETWEEN %s AND %s ORDER BY a.{created_at} DESC LIMIT 10",
            [*scope[1], *schools, *schools, first, last],
        ):
            adoptions.append(
                SimpleNamespace(
                    practice=SimpleNamespace(pk=pk, title=title_, school=_School(p_rbd, p_name)),
                    school=_School(school_rbd, school_name),
                    stage_display=stages.get(stage_, stage_),
                    row_url=url(pk),
                )
            )
    if scope is not None:
        feature_t, f_practice, f_network, f_created = quoted(
            PracticeFeature, "practice_id", "network_id", "created_at"
        )
        for pk, title_, p_rbd, p_name in _rows(
            f"SELECT f.{f_practice}, p.{title}, s.{rbd}, s.{name} FROM {feature_t} f "  # noqa: S608 - our models' quoted names; values are parameters
            f"INNER JOIN {practices} p ON f.{f_practice} = p.{p_id} "
            f"INNER JOIN {school_t} s ON p.{p_school} = s.{rbd} "
            f"WHERE ({scope[0]}) AND f.{f_network} = %s ORDER BY f.{f_created} DESC LIMIT 5",
            [*scope[1], network.pk],
        ):
            featured.append(
                SimpleNamespace(
                    practice=SimpleNamespace(pk=pk, title=title_, school=_School(p_rbd, p_name)),
                    row_url=url(pk),
                )
            )
    return {
        "practices_network": network,
        "practices_year": year,
        "practices_shared": shared,
        "practices_n_shared": n_shared,
        "practices_adoptions": adoptions,
        "practices_featured": featured,
    }


def home_panel(user):
    """The home page's practices panel for a directivo: who is adopting the
    school's practices and how it goes, and the practices supervisors
    featured for the user's networks. Five queries (two for the practices
    the user may see); empty for other roles."""
    if not perms.can_write_practices(user):
        return {}
    adoptions = list(
        PracticeAdoption.objects.filter(practice__school__in=directivo_school_ids(user))
        .select_related("school", "practice")
        .only("stage", "updated_at", "school__name", "school__rbd", "practice__title")
        .order_by("-updated_at")[:5]
    )
    featured = list(
        PracticeFeature.objects.filter(
            perms.published_scope(user)("practice__"),
            network__in=visible_networks(user).filter(status=NetworkStatus.ACTIVE).values("pk"),
        )
        .exclude(practice__school__in=directivo_school_ids(user))
        .select_related("practice__school", "network")
        .only("practice__title", "practice__school__name", "network__code", "created_at")
        .order_by("-created_at")[:5]
    )
    url = row_url("practices:detail")
    for row in (*adoptions, *featured):
        row.row_url = url(row.practice_id)
    return {"practices_home": True, "home_adoptions": adoptions, "home_featured": featured}
