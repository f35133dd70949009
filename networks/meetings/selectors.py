"""Reads about meetings shared by the pages, the API, the home page, the
network page and (later) the monitoring reports. Lists are scoped with
meeting_permissions and run a fixed number of queries; measures are
aggregated in the database."""

import datetime
import heapq
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from networks.models import Membership, MembershipRole, Network
from rme_platform import charts
from rme_platform.accounts.models import Role, User
from rme_platform.sql import quoted, row_date, row_datetime
from rme_platform.text import cached_markdown
from schools.models import School

from . import permissions as perms
from .cache import TIMEOUT, meetings_version
from .models import (
    OPEN_AGREEMENT_STATUSES,
    AgendaItem,
    AgendaProposal,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendeeRole,
    Meeting,
    MeetingStatus,
    MinutesAttachment,
    ProposalVote,
    Rsvp,
)

SANTIAGO = ZoneInfo("America/Santiago")
# The roles whose attendance rate the measures report.
MEASURED_ROLES = (AttendeeRole.DIRECTOR, AttendeeRole.UTP, AttendeeRole.SOSTENEDOR_REP)


# --- lists and pages ---------------------------------------------------------------------


def _my_rsvp(user):
    return Subquery(Attendance.objects.filter(meeting=OuterRef("pk"), user=user).values("rsvp")[:1])


def _count(queryset):
    """The number of rows of `queryset` (filtered on OuterRef("pk")) as a
    subquery: counts without joining, so they do not multiply each other."""
    counted = queryset.order_by().values("meeting_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class MeetingListRows:
    """The meetings page's list as SQL text, for Django's Paginator (count()
    and slices): meeting_list(user) filtered as the page's form asks (a
    network code, a status, upcoming or past), each row with its network's
    code, the user's own RSVP and the head counts. Building the queryset
    and its four counting subqueries cost more CPU than the page's rows;
    the API keeps meeting_list, and a test pins that both agree."""

    def __init__(self, user, *, network="", status="", period="", now=None):
        self.user = user
        scope = perms.visible_meetings_sql(user, "m.network_id")
        where, params = [scope[0] if scope else "1 = 0"], list(scope[1] if scope else [])
        if network:
            where.append("n.code = %s")
            params.append(network)
        if status in MeetingStatus.values:
            where.append("m.status = %s")
            params.append(status)
        now = now or timezone.now()
        order = "m.starts_at DESC, m.id"
        if period == "upcoming":
            where.append("m.ends_at >= %s")
            params.append(now)
            order = "m.starts_at, m.id"
        elif period == "past":
            where.append("m.ends_at < %s")
            params.append(now)
        meetings, networks = quoted(Meeting)[0], quoted(Network)[0]
        self.body = (
            f"FROM {meetings} m JOIN {networks} n ON n.id = m.network_id "  # noqa: S608
            f"WHERE {' AND '.join(where)}"
        )
        self.params, self.order = params, order

    def count(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {self.body}", self.params)  # noqa: S608
            return cursor.fetchone()[0]

    def __getitem__(self, page):
        if page.stop <= page.start:
            return []
        attendance, proposals = quoted(Attendance)[0], quoted(AgendaProposal)[0]
        sql = (
            "SELECT m.id, m.title, m.starts_at, m.status, n.code, "  # noqa: S608
            f"(SELECT a.rsvp FROM {attendance} a WHERE a.meeting_id = m.id AND a.user_id = %s "
            "LIMIT 1), "
            f"(SELECT COUNT(*) FROM {attendance} a WHERE a.meeting_id = m.id AND a.rsvp = %s), "
            f"(SELECT COUNT(*) FROM {attendance} a WHERE a.meeting_id = m.id "
            "AND a.attended = %s), "
            f"(SELECT COUNT(*) FROM {proposals} p WHERE p.meeting_id = m.id) "
            f"{self.body} ORDER BY {self.order} LIMIT %s OFFSET %s"
        )
        params = [self.user.pk, Rsvp.YES, True, *self.params, page.stop - page.start, page.start]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            SimpleNamespace(
                pk=pk,
                title=title,
                starts_at=row_datetime(starts_at),
                status=status,
                network=SimpleNamespace(code=code),
                my_rsvp=rsvp,
                n_yes=yes,
                n_present=present,
                n_proposals=n_proposals,
            )
            for pk, title, starts_at, status, code, rsvp, yes, present, n_proposals in rows
        ]


def meeting_list(user):
    """Meetings the user may see, with their network, the user's own RSVP and
    head counts (one query)."""
    mine = Attendance.objects.filter(meeting=OuterRef("pk"))
    return (
        perms.visible_meetings(user)
        .select_related("network")
        .annotate(
            my_rsvp=_my_rsvp(user),
            n_yes=_count(mine.filter(rsvp=Rsvp.YES)),
            n_present=_count(mine.filter(attended=True)),
            n_proposals=_count(AgendaProposal.objects.filter(meeting=OuterRef("pk"))),
        )
        .order_by("-starts_at", "pk")
    )


def meeting_detail_queryset(user):
    # No page, form or email of a meeting reads its network's DEPROV or region.
    return perms.visible_meetings(user).select_related(
        "network", "host_school", "convened_by", "minutes"
    )


def meeting_page_queryset(user):
    """meeting_detail_queryset with only the columns the meeting page reads
    (the network's texts and the other rows whole were a third of its
    query's time)."""
    return meeting_detail_queryset(user).only(
        "network__code",
        "network__name",
        "title",
        "objective",
        "starts_at",
        "ends_at",
        "place",
        "online_url",
        "host_school__name",
        "proposals_close_at",
        "status",
        "convened_by__first_name",
        "convened_by__last_name",
        "convened_by__email",
        "cancel_reason",
        "minutes__body",
        "minutes__published_at",
    )


def _annotated_proposals(user):
    return (
        AgendaProposal.objects.select_related("proposed_by")
        .annotate(
            n_votes=Count("votes"),
            voted=Exists(ProposalVote.objects.filter(proposal=OuterRef("pk"), user=user)),
            on_agenda=Exists(AgendaItem.objects.filter(proposal=OuterRef("pk"))),
        )
        .order_by("-n_votes", "created_at", "pk")
    )


def ranked_proposals(meeting, user):
    """The meeting's proposals, most voted first, each with its vote count,
    whether the user voted it and whether it is on the agenda."""
    # Only what the proposals list writes: fewer columns to select and
    # group by (the query's building was most of its time).
    return (
        _annotated_proposals(user)
        .filter(meeting=meeting)
        .only(
            "meeting",
            "title",
            "rationale",
            "pme_dimension",
            "created_at",
            "proposed_by__first_name",
            "proposed_by__last_name",
            "proposed_by__email",
        )
    )


def proposal_queryset(user):
    """Proposals of the meetings the user may see, annotated like
    ranked_proposals."""
    return (
        _annotated_proposals(user)
        .filter(meeting__in=perms.visible_meetings(user))
        .select_related("meeting__network")
    )


def proposal_for(user, pk):
    """One proposal the user may see, or None."""
    return proposal_queryset(user).filter(pk=pk).first()


def agenda_items(meeting):
    # practice_link: the reverse side of practices.PracticePresentation (the
    # practices app, above this one, owns the link), joined so that the
    # agenda shows "see the practice" without a query per item.
    return (
        AgendaItem.objects.filter(meeting=meeting).select_related("practice_link").order_by("order")
    )


def _agreements():
    notes = AgreementNote.objects.select_related("author").order_by("created_at", "pk")
    return Agreement.objects.select_related(
        "meeting__network", "responsible_user", "responsible_school"
    ).prefetch_related(Prefetch("notes", queryset=notes, to_attr="prefetched_notes"))


def meeting_agreements(meeting):
    return _agreements().filter(meeting=meeting).order_by("due_on", "pk")


def agreement_queryset(user):
    """Agreements of the meetings the user may see."""
    return _agreements().filter(meeting__in=perms.visible_meetings(user))


def _attendance_counts(meeting):
    """{role: counts} of the meeting's attendance rows, read from the cache
    under the network's meetings version (every write to its attendance
    bumps it: networks/meetings/cache.py), or counted (one query)."""
    key = f"meetings:attendance-summary:v{meetings_version(meeting.network_id)}:{meeting.pk}"
    by_role = cache.get(key)
    if by_role is None:
        rows = (
            Attendance.objects.filter(meeting=meeting)
            .values("role")
            .annotate(
                invited=Count("pk", filter=Q(user__isnull=False)),
                yes=Count("pk", filter=Q(rsvp=Rsvp.YES)),
                no=Count("pk", filter=Q(rsvp=Rsvp.NO)),
                maybe=Count("pk", filter=Q(rsvp=Rsvp.MAYBE)),
                present=Count("pk", filter=Q(attended=True)),
            )
        )
        by_role = {row["role"]: row for row in rows}
        cache.set(key, by_role, TIMEOUT)
    return by_role


def attendance_summary(meeting):
    """Per role: invited, RSVP answers and presence (one query, or none
    when cached)."""
    by_role = _attendance_counts(meeting)
    out, totals = [], {"invited": 0, "yes": 0, "no": 0, "maybe": 0, "present": 0}
    for role in AttendeeRole:
        row = by_role.get(role.value)
        if row is None:
            continue
        out.append({"role": role, "label": role.label, **row})
        for key in totals:
            totals[key] += row[key]
    totals["unanswered"] = totals["invited"] - totals["yes"] - totals["no"] - totals["maybe"]
    return {"rows": out, "totals": totals}


def attendee_role(membership):
    """The role an invited member is counted under in the measures."""
    if membership.role == MembershipRole.DIRECTIVO:
        return AttendeeRole.UTP if membership.user.role == Role.UTP else AttendeeRole.DIRECTOR
    return {
        MembershipRole.SUPERVISOR: AttendeeRole.SUPERVISOR,
        MembershipRole.SOSTENEDOR_REP: AttendeeRole.SOSTENEDOR_REP,
    }.get(membership.role, AttendeeRole.GUEST)


def uninvited_members(meeting):
    """Unsaved attendance rows (the invitation) for the active members who
    have none yet, e.g. who joined the network after the meeting was
    convened. services.invite_members saves them; the attendance page only
    lists them, so that reading it writes nothing."""
    invited = Attendance.objects.filter(meeting=meeting, user__isnull=False).values("user_id")
    members = (
        Membership.objects.filter(network_id=meeting.network_id, active=True, user__is_active=True)
        .exclude(user_id__in=invited)
        .select_related("user")
    )
    return [Attendance(meeting=meeting, user=m.user, role=attendee_role(m)) for m in members]


def _by_name(row):
    return (row.user.last_name, row.user.first_name)


def attendance_sheet(meeting):
    """The attendance page: invited members by role (with their school) and
    the partners and guests recorded. Members not invited yet are listed
    too (unsaved rows, saved when the attendance is recorded), unless the
    meeting was cancelled. Reads only."""
    rows = (
        Attendance.objects.filter(meeting=meeting)
        .select_related("user", "partner")
        .order_by("role", "user__last_name", "user__first_name", "guest_name", "pk")
    )
    members, partners, guests = {}, {}, []
    for row in rows:
        if row.user_id:
            members.setdefault(row.role, []).append(row)
        elif row.partner_id:
            partners[row.partner_id] = row
        else:
            guests.append(row)
    pending = {}
    for row in [] if meeting.is_cancelled else uninvited_members(meeting):
        pending.setdefault(row.role, []).append(row)
    groups = [
        (
            role.label,
            # Both lists are in name order; the invited first among equal names.
            list(
                heapq.merge(members.get(role.value, []), pending.get(role.value, []), key=_by_name)
            ),
        )
        for role in AttendeeRole
        if role.value in members or role.value in pending
    ]
    return {"groups": groups, "partner_ids": set(partners), "guests": guests}


# The meeting page's lists are read with SQL text: building and compiling
# their querysets (annotations, select_related, only(), a prefetch) cost more
# CPU than everything else the page does, for a handful of rows. The ORM
# versions (ranked_proposals, agenda_items) serve the other pages and the
# htmx fragments; tests pin that both give the same rows.


def _page_proposals(meeting, user):
    """ranked_proposals(meeting, user) as AgendaProposal instances with
    their proposer, n_votes, voted and on_agenda."""
    proposals, votes, items, users = (
        quoted(AgendaProposal)[0],
        quoted(ProposalVote)[0],
        quoted(AgendaItem)[0],
        quoted(User)[0],
    )
    sql = (
        "SELECT p.id, p.title, p.rationale, p.pme_dimension, p.proposed_by_id, "  # noqa: S608
        "u.first_name, u.last_name, u.email, "
        f"(SELECT COUNT(*) FROM {votes} v WHERE v.proposal_id = p.id) AS n_votes, "
        f"EXISTS (SELECT 1 FROM {votes} v WHERE v.proposal_id = p.id AND v.user_id = %s), "
        f"EXISTS (SELECT 1 FROM {items} a WHERE a.proposal_id = p.id) "
        f"FROM {proposals} p LEFT JOIN {users} u ON u.id = p.proposed_by_id "
        "WHERE p.meeting_id = %s ORDER BY n_votes DESC, p.created_at, p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, meeting.pk])
        rows = cursor.fetchall()
    cache_proposer = AgendaProposal.proposed_by.field.set_cached_value
    out = []
    for pk, title, rationale, dimension, by, first, last, email, n, voted, on_agenda in rows:
        proposal = AgendaProposal(
            id=pk,
            meeting_id=meeting.pk,
            title=title,
            rationale=rationale,
            pme_dimension=dimension,
            proposed_by_id=by,
        )
        if by is not None:
            cache_proposer(proposal, User(id=by, first_name=first, last_name=last, email=email))
        proposal.n_votes, proposal.voted, proposal.on_agenda = n, bool(voted), bool(on_agenda)
        out.append(proposal)
    return out


def _page_agenda(meeting):
    """agenda_items(meeting): what templatetags.meetings.agenda_rows writes
    of each item (the practice it presents, from the practices app's link)."""
    link = AgendaItem._meta.get_field("practice_link").related_model
    items, links = quoted(AgendaItem)[0], quoted(link)[0]
    sql = (
        "SELECT a.id, a.title, a.description, a.duration_minutes, a.presenter, "  # noqa: S608
        f"a.proposal_id, l.practice_id FROM {items} a "
        f"LEFT JOIN {links} l ON l.agenda_item_id = a.id "
        f"WHERE a.meeting_id = %s ORDER BY a.{connection.ops.quote_name('order')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [meeting.pk])
        rows = cursor.fetchall()
    return [
        SimpleNamespace(
            pk=pk,
            title=title,
            description=description,
            duration_minutes=minutes,
            presenter=presenter,
            proposal_id=proposal,
            practice_link=SimpleNamespace(practice_id=practice) if practice else None,
        )
        for pk, title, description, minutes, presenter, proposal, practice in rows
    ]


def _page_agreement_rows(meeting):
    """The meeting's agreements and the network's earlier ones still open
    (followed up at this one), in one query (the two sets do not overlap),
    with what templatetags.meetings.agreement_items writes of each (its
    responsible's label, its meeting, its last note)."""
    agreements, meetings, users, notes = (
        quoted(Agreement)[0],
        quoted(Meeting)[0],
        quoted(User)[0],
        quoted(AgreementNote)[0],
    )
    schools, rbd = quoted(School, School._meta.pk.column)
    last_note = (
        f"(SELECT n.{{}} FROM {notes} n WHERE n.agreement_id = a.id "  # noqa: S608
        "ORDER BY n.created_at DESC, n.id DESC LIMIT 1)"
    )
    statuses = list(OPEN_AGREEMENT_STATUSES)
    sql = (
        "SELECT a.id, a.meeting_id, a.text, a.status, a.due_on, m.title, m.starts_at, "  # noqa: S608
        "a.responsible_user_id, u.first_name, u.last_name, u.email, "
        f"a.responsible_school_id, s.name, {last_note.format('text')}, "
        f"{last_note.format('created_at')} "
        f"FROM {agreements} a JOIN {meetings} m ON m.id = a.meeting_id "
        f"LEFT JOIN {users} u ON u.id = a.responsible_user_id "
        f"LEFT JOIN {schools} s ON s.{rbd} = a.responsible_school_id "
        # Both sets are agreements of the network's meetings up to this one:
        # said first, PostgreSQL starts from those few meetings (their index)
        # instead of joining every agreement of the country to every meeting
        # to apply the OR.
        "WHERE m.network_id = %s AND m.starts_at <= %s AND (a.meeting_id = %s OR "
        f"(a.status IN ({', '.join(['%s'] * len(statuses))}) AND m.starts_at < %s)) "
        "ORDER BY a.due_on, a.id"
    )
    params = [meeting.network_id, meeting.starts_at, meeting.pk, *statuses, meeting.starts_at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for (
        pk,
        meeting_id,
        text,
        status,
        due_on,
        title,
        starts_at,
        user_id,
        first,
        last,
        email,
        school_id,
        school_name,
        note_text,
        note_at,
    ) in rows:
        if user_id is not None:
            label = f"{first} {last}".strip() or email
        elif school_id is not None:
            label = School.name_or_rbd(school_name, school_id)
        else:
            label = ""
        out.append(
            SimpleNamespace(
                pk=pk,
                meeting_id=meeting_id,
                text=text,
                status=status,
                due_on=row_date(due_on),
                meeting=SimpleNamespace(title=title, starts_at=row_datetime(starts_at)),
                responsible_label=label,
                last_note=(
                    SimpleNamespace(text=note_text, created_at=row_datetime(note_at))
                    if note_at is not None
                    else None
                ),
            )
        )
    return out


def meeting_page(user, meeting):
    """Everything the meeting page shows, in a fixed number of queries, for
    a meeting read through meeting_page_queryset(user)."""
    runs = perms.can_run(user, meeting)
    # The meeting was read through visible_meetings(user) (meeting_page_queryset).
    member = perms.is_member_of_visible(user, meeting)
    minutes = getattr(meeting, "minutes", None)
    readable_minutes = minutes if perms.can_read_minutes(user, meeting, runs=runs) else None
    attachments = (
        list(MinutesAttachment.objects.filter(minutes=minutes)) if readable_minutes else []
    )
    # The answer is shown (and asked) only while the RSVP is open. One row at
    # most (unique per meeting and user): no ordering to join.
    mine = (
        Attendance.objects.filter(meeting=meeting, user=user).order_by().first()
        if member and meeting.rsvp_open
        else None
    )
    agreements = _page_agreement_rows(meeting)
    return {
        "meeting": meeting,
        "runs": runs,
        "member": member,
        "proposals": _page_proposals(meeting, user),
        "agenda": _page_agenda(meeting),
        "my_attendance": mine,
        "summary": attendance_summary(meeting),
        "follow_up": [a for a in agreements if a.meeting_id != meeting.pk],
        "agreements": [a for a in agreements if a.meeting_id == meeting.pk],
        "minutes": readable_minutes,
        # Rendered once per text (the cache is keyed by it).
        "minutes_html": cached_markdown(readable_minutes.body) if readable_minutes else "",
        "attachments": attachments,
        "now": timezone.now(),
    }


# --- measures ----------------------------------------------------------------------------


def year_bounds(year):
    """The calendar year in America/Santiago, as aware datetimes."""
    start = datetime.datetime(year, 1, 1, tzinfo=SANTIAGO)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=SANTIAGO)
    return start, end


def _rate(part, whole):
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class MeetingMeasures:
    """What the monitoring of networks asks of meetings, over one year."""

    meetings_held: int = 0
    meetings_cancelled: int = 0
    meetings_upcoming: int = 0
    attendance: dict = field(default_factory=dict)  # role -> {attended, invited, rate}
    agenda_items: int = 0
    agenda_from_members: int = 0
    agreements: int = 0
    agreements_due: int = 0
    agreements_on_time: int = 0
    agreements_open: int = 0
    partners_present: int = 0
    meetings_with_partners: int = 0

    @property
    def agenda_from_members_rate(self):
        return _rate(self.agenda_from_members, self.agenda_items)

    @property
    def agreements_on_time_rate(self):
        return _rate(self.agreements_on_time, self.agreements_due)

    def attendance_rate(self, role):
        return self.attendance.get(role, {}).get("rate")

    @property
    def attendance_rows(self):
        return [
            {"role": role, "label": role.label, **self.attendance.get(role, _empty_rate())}
            for role in MEASURED_ROLES
        ]


def _empty_rate():
    return {"attended": 0, "invited": 0, "rate": None}


def _measures(group, year, meeting_filter):
    """Measures grouped by `group`, a path from Meeting ("network_id",
    "network__deprov_id", "network__deprov__region_id"). Five aggregate
    queries, whatever the number of meetings."""
    start, end = year_bounds(year)
    meetings = Meeting.objects.filter(meeting_filter, starts_at__gte=start, starts_at__lt=end)
    held = meetings.filter(status=MeetingStatus.HELD)
    now = timezone.now()
    result = {}

    def get(key):
        return result.setdefault(key, MeetingMeasures())

    for row in meetings.values(group).annotate(
        held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
        cancelled=Count("pk", filter=Q(status=MeetingStatus.CANCELLED)),
        upcoming=Count("pk", filter=Q(status=MeetingStatus.CONVENED, starts_at__gte=now)),
    ):
        m = get(row[group])
        m.meetings_held, m.meetings_cancelled = row["held"], row["cancelled"]
        m.meetings_upcoming = row["upcoming"]

    path = f"meeting__{group}"
    for row in (
        Attendance.objects.filter(
            meeting__in=held.values("pk"), user__isnull=False, role__in=MEASURED_ROLES
        )
        .values(path, "role")
        .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
    ):
        get(row[path]).attendance[row["role"]] = {
            "attended": row["attended"],
            "invited": row["invited"],
            "rate": _rate(row["attended"], row["invited"]),
        }

    for row in (
        Attendance.objects.filter(
            meeting__in=held.values("pk"), partner__isnull=False, attended=True
        )
        .values(path)
        .annotate(
            partners=Count("partner", distinct=True), meetings=Count("meeting", distinct=True)
        )
    ):
        m = get(row[path])
        m.partners_present, m.meetings_with_partners = row["partners"], row["meetings"]

    for row in (
        AgendaItem.objects.filter(meeting__in=held.values("pk"))
        .values(path)
        .annotate(total=Count("pk"), from_members=Count("pk", filter=Q(proposal__isnull=False)))
    ):
        m = get(row[path])
        m.agenda_items, m.agenda_from_members = row["total"], row["from_members"]

    closed = (AgreementStatus.DONE, AgreementStatus.DROPPED)
    today = timezone.localdate()
    for row in (
        Agreement.objects.filter(meeting__in=meetings.exclude(status=MeetingStatus.CANCELLED))
        .values(path)
        .annotate(
            total=Count("pk"),
            due=Count("pk", filter=Q(due_on__lt=today) | Q(status__in=closed)),
            on_time=Count("pk", filter=Q(status=AgreementStatus.DONE, closed_on__lte=F("due_on"))),
            still_open=Count("pk", filter=Q(status__in=OPEN_AGREEMENT_STATUSES)),
        )
    ):
        m = get(row[path])
        m.agreements, m.agreements_due = row["total"], row["due"]
        m.agreements_on_time, m.agreements_open = row["on_time"], row["still_open"]
    return result


def network_meeting_measures(network_ids, year):
    """{network id: MeetingMeasures} for the meetings starting in `year`
    (America/Santiago). Networks without meetings get empty measures.
    Meant for the network page and the monitoring reports."""
    network_ids = list(network_ids)
    found = _measures("network_id", year, Q(network_id__in=network_ids))
    return {pk: found.get(pk, MeetingMeasures()) for pk in network_ids}


def area_meeting_measures(*, level, year, ids=None):
    """{DEPROV code or region code: MeetingMeasures} over `year`. `level` is
    "deprov" or "region"; `ids` limits the areas (default: all with
    meetings)."""
    group = {"deprov": "network__deprov_id", "region": "network__deprov__region_id"}[level]
    condition = Q(**{f"{group}__in": list(ids)}) if ids is not None else Q()
    found = _measures(group, year, condition)
    if ids is None:
        return found
    return {pk: found.get(pk, MeetingMeasures()) for pk in ids}


def monthly_attendance(network_id, year):
    """{(month, role): rate} over the network's held meetings (one query)."""
    start, end = year_bounds(year)
    rows = (
        Attendance.objects.filter(
            meeting__network_id=network_id,
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            user__isnull=False,
            role__in=MEASURED_ROLES,
        )
        .annotate(month=ExtractMonth("meeting__starts_at", tzinfo=SANTIAGO))
        .values("month", "role")
        .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
    )
    return {(row["month"], row["role"]): _rate(row["attended"], row["invited"]) for row in rows}


def attendance_chart(network_id, year):
    """A line chart of the attendance rate by role, month by month."""
    rates = monthly_attendance(network_id, year)
    months = sorted({month for month, _role in rates})
    if not months:
        return ""
    labels = [
        formats.date_format(datetime.date(year, month, 1), "M").capitalize() for month in months
    ]
    series = [
        (role.label, [rates.get((month, role.value)) for month in months])
        for role in MEASURED_ROLES
    ]
    return charts.line_chart(
        title=_("Asistencia por rol en %(year)s") % {"year": year},
        x_labels=labels,
        series=series,
        y_max=100,
        unit=" %",
    )


def measures_year(network):
    """The year the network page reports on: the current one if the network
    has meetings in it, otherwise the latest earlier year with meetings."""
    current = timezone.localdate().year
    years = [
        d.year
        for d in Meeting.objects.filter(network=network)
        .exclude(status=MeetingStatus.CANCELLED)
        .datetimes("starts_at", "year", tzinfo=SANTIAGO)
    ]
    if not years or current in years:
        return current
    earlier = [y for y in years if y < current]
    return max(earlier) if earlier else min(years)


# --- panels for the network page and the home page ------------------------------------------


CHART_ID = re.compile(r"\bchart\d+-([td])\b")


def network_measures_and_chart(network):
    """The network's reported year, its measures and attendance chart: the
    same for whoever sees the network, so cached under the meetings' version
    (bumped by every write they are read from), the day (what is due and the
    current year follow it) and the language (the chart's labels)."""
    key = (
        f"meetings:network-measures:v{meetings_version(network.pk)}:{network.pk}:"
        f"{timezone.localdate().isoformat()}:{translation.get_language()}"
    )
    cached = cache.get(key)
    if cached is None:
        year = measures_year(network)
        chart = attendance_chart(network.pk, year)
        # The chart's element ids (a per-process counter) fixed per network:
        # the cached SVG is served by every process, beside other charts.
        chart = mark_safe(  # noqa: S308  (an SVG built by charts, ids replaced)
            CHART_ID.sub(rf"meetings-chart-{network.pk}-\1", chart)
        )
        cached = (year, network_meeting_measures([network.pk], year)[network.pk], chart)
        cache.set(key, cached, TIMEOUT)
    return cached


def network_panel(user, network):
    """Context for templates/meetings/_network_panel.html on the network page:
    the year's measures and chart (for whoever sees the network), the next
    and last meetings (for members and who runs them) and whether the user
    may convene. A fixed number of queries."""
    runs = perms.can_convene(user, network)
    sees = runs or perms.is_member(user, network)
    year, measures, chart = network_measures_and_chart(network)
    context = {
        "meetings_network": network,
        "meetings_year": year,
        "meetings_measures": measures,
        "meetings_chart": chart,
        "meetings_can_convene": runs,
        "meetings_visible": sees,
        "meetings_upcoming": [],
        "meetings_past": [],
    }
    if sees:
        meetings = Meeting.objects.filter(network=network).select_related("host_school")
        now = timezone.now()
        context["meetings_upcoming"] = list(
            meetings.filter(status=MeetingStatus.CONVENED, ends_at__gte=now).order_by("starts_at")[
                :5
            ]
        )
        context["meetings_past"] = list(
            meetings.filter(Q(ends_at__lt=now) | ~Q(status=MeetingStatus.CONVENED)).order_by(
                "-starts_at"
            )[:5]
        )
    return context


def home_panel(user):
    """Context for templates/meetings/_home_panel.html: the user's next
    meetings (with their answer) and the open agreements of their networks,
    the ones they answer for first. A fixed number of queries."""
    if not getattr(user, "is_authenticated", False):
        return {"meetings_upcoming": [], "meetings_open_agreements": []}
    now = timezone.now()
    member_networks = perms.member_network_ids(user)
    # Only what the panel shows: the network and the user's answer (the
    # list's head counts cost more to build and run than the rest).
    upcoming = (
        perms.visible_meetings(user)
        .filter(status=MeetingStatus.CONVENED, ends_at__gte=now)
        .select_related("network")
        .annotate(my_rsvp=_my_rsvp(user))
        .order_by("starts_at")[:5]
    )
    agreements = (
        Agreement.objects.filter(
            status__in=OPEN_AGREEMENT_STATUSES,
            meeting__network__in=member_networks,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__network", "responsible_user", "responsible_school")
        .annotate(mine=Q(responsible_user=user))
        .order_by("-mine", "due_on", "pk")[:8]
    )
    return {
        "meetings_upcoming": list(upcoming),
        "meetings_open_agreements": list(agreements),
        "meetings_today": timezone.localdate(),
    }
