"""Survey results: aggregation in the database, small-cell suppression and
the dicts every output shares (pages, CSV/XLSX, the API, the
`survey_results` command and the PDF reports).

One grouped query computes the counts of every scope of a campaign at once:
`GROUP BY GROUPING SETS` on PostgreSQL (the national figure, each region,
each network, optionally split by role), the same sets joined with
`UNION ALL` elsewhere. Python then only decides what may be shown:

- a cell (a question in a scope) with n < MIN_CELL_SIZE valid answers is
  suppressed: counts, percentages and mean are null and it says so;
- complementary suppression: wherever the cells of a group add up to a
  figure that is shown (the networks of a region, the regions of the
  country, the two roles of a scope), the suppressed cells of the group must
  together hold no answers or at least MIN_CELL_SIZE, so that subtracting the
  shown cells from the total never reveals fewer than MIN_CELL_SIZE answers;
  otherwise the next smallest cell is suppressed too. Where the total itself
  is suppressed, its cells must not all be shown (their sum would reveal it).

Percentages are over valid answers and, like the mean, rounded half up
with exact integer arithmetic (the same result as Decimal ROUND_HALF_UP).

Nothing is aggregated for an open campaign (`ResultsNotReleased`): two reads
around one submit would tell that person's answers apart, whatever the
suppression. Results exist from the close on.
"""

import secrets
import threading
from collections import OrderedDict, defaultdict

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Max

from .models import Answer, Campaign, Question, QuestionKind, Response
from .permissions import Scope, parse_scope, results_released

NATIONAL, REGION, NETWORK = "national", "region", "network"
CACHE_SECONDS = 6 * 3600
RESULTS_WORK_MEM = "64MB"
ROLES = ("director", "utp")
# GROUPING(region_id, network_id) on PostgreSQL: which columns were rolled up.
LEVEL_OF_GROUPING = {0: NETWORK, 1: REGION, 3: NATIONAL}


def min_cell_size():
    return settings.MIN_CELL_SIZE


def half_up(numerator, denominator, places):
    """numerator / denominator rounded half up to `places` decimals, exactly
    (integer arithmetic), as a float whose repr is the rounded decimal."""
    scale = 10**places
    quotient = (2 * numerator * scale + denominator) // (2 * denominator)
    return quotient / scale


def rate(part, whole):
    """part / whole as a percentage with one decimal, rounded half up (as
    every figure of the survey); None when whole is 0."""
    return half_up(100 * part, whole, 1) if whole else None


class Cell:
    """The answers to one question in one scope (and role)."""

    __slots__ = ("n", "counts", "total", "suppressed", "selectable")

    def __init__(self, n=0, counts=None, total=0, selectable=True):
        self.n = n
        self.counts = counts if counts is not None else {}
        self.total = total
        self.suppressed = False
        self.selectable = selectable

    def add(self, other):
        self.n += other.n
        self.total += other.total or 0
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


# --- the grouped queries ----------------------------------------------------

LEVELS = [(3, []), (1, ["r.region_id"]), (0, ["r.region_id", "r.network_id"])]


def _grouped(select, from_where, params, *, keys=(), by_role=False):
    """One statement computing the `select` aggregates for the national,
    region and network levels (each row starts with its level code, region,
    network and role). GROUPING SETS on PostgreSQL, UNION ALL elsewhere."""
    extra = [*keys, *(["r.role"] if by_role else [])]
    role = "r.role" if by_role else "NULL"
    head = ", ".join([role, *keys, select])
    if connection.vendor == "postgresql":
        sets = ", ".join("(" + ", ".join(columns + extra) + ")" for _code, columns in LEVELS)
        sql = (
            f"SELECT GROUPING(r.region_id, r.network_id), r.region_id, r.network_id, {head} "
            f"{from_where} GROUP BY GROUPING SETS ({sets})"
        )
        return sql, list(params)
    parts = []
    for code, columns in LEVELS:
        region = "r.region_id" if columns else "NULL"
        network = "r.network_id" if len(columns) == 2 else "NULL"
        group = ", ".join(columns + extra)
        parts.append(
            f"SELECT {code}, {region}, {network}, {head} {from_where}"
            + (f" GROUP BY {group}" if group else "")
        )
    return " UNION ALL ".join(parts), list(params) * len(LEVELS)


def _tables():
    return Answer._meta.db_table, Response._meta.db_table


def _fetch(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Room to hash the ~600,000 answers of a national campaign in
            # memory rather than sort them on disk (this transaction only).
            cursor.execute(f"SET LOCAL work_mem = '{RESULTS_WORK_MEM}'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _key(level_code, region, network, role):
    level = LEVEL_OF_GROUPING[level_code]
    if level == NATIONAL:
        return (NATIONAL, None, None, role)
    if level == REGION:
        return (REGION, region, None, role)
    return (NETWORK, region, network, role)


def _rollup(cells_sql, sums, *, by_role):
    """The national, region and network levels of `cells_sql` (a grouped
    query with region_id, network_id, role and question_id columns), summed
    in the database: GROUPING SETS on PostgreSQL, UNION ALL elsewhere."""
    role = "role" if by_role else "NULL"
    group_role = ", role" if by_role else ""
    totals = ", ".join(f"CAST(SUM({column}) AS INTEGER)" for column in sums)
    if connection.vendor == "postgresql":
        return (
            f"WITH cells AS ({cells_sql}) "  # noqa: S608 - constants and table names only
            f"SELECT GROUPING(region_id, network_id), region_id, network_id, {role}, "
            f"question_id, {totals} FROM cells GROUP BY GROUPING SETS ("
            f"(question_id{group_role}), (region_id, question_id{group_role}), "
            f"(region_id, network_id, question_id{group_role}))"
        )
    parts = [
        f"SELECT {code}, {region}, {network}, {role}, question_id, {totals} FROM cells "  # noqa: S608
        f"GROUP BY {group}question_id{group_role}"
        for code, region, network, group in (
            (3, "NULL", "NULL", ""),
            (1, "region_id", "NULL", "region_id, "),
            (0, "region_id", "network_id", "region_id, network_id, "),
        )
    ]
    return f"WITH cells AS ({cells_sql}) " + " UNION ALL ".join(parts)


def likert_cells(campaign, question_ids, *, by_role=False):
    """{(level, region, network, role): {question_id: Cell}} for the Likert
    questions, every level in one statement: the answers are counted per
    network, question (and role) and value, and those counts are summed to
    the region and national levels by the database."""
    if not question_ids:
        return {}
    answer, response = _tables()
    placeholders = ", ".join(["%s"] * len(question_ids))
    counts = ", ".join(f"COUNT(*) FILTER (WHERE a.value = {v}) AS c{v}" for v in range(1, 6))
    role = "r.role" if by_role else "NULL"
    cells_sql = (
        f"SELECT r.region_id AS region_id, r.network_id AS network_id, {role} AS role, "  # noqa: S608
        f"a.question_id AS question_id, {counts} "
        f"FROM {answer} a INNER JOIN {response} r ON r.id = a.response_id "
        f"WHERE r.campaign_id = %s AND a.question_id IN ({placeholders}) "
        f"GROUP BY r.region_id, r.network_id, {'r.role, ' if by_role else ''}a.question_id"
    )
    sql = _rollup(cells_sql, ["c1", "c2", "c3", "c4", "c5"], by_role=by_role)
    cells = defaultdict(dict)
    for level, region, network, role, question_id, c1, c2, c3, c4, c5 in _fetch(
        sql, [campaign.pk, *question_ids]
    ):
        counts = {"1": c1, "2": c2, "3": c3, "4": c4, "5": c5}
        n = c1 + c2 + c3 + c4 + c5
        total = c1 + 2 * c2 + 3 * c3 + 4 * c4 + 5 * c5
        cells[_key(level, region, network, role)][question_id] = Cell(n, counts, total)
    return cells


def choice_cells(campaign, questions, *, by_role=False):
    """Cells of the single-choice, multiple-choice and number questions:
    counts per option (n counts respondents) or the sum of the numbers."""
    if not questions:
        return {}
    answer, response = _tables()
    ids = [q.pk for q in questions]
    placeholders = ", ".join(["%s"] * len(ids))
    from_where = (
        f"FROM {answer} a INNER JOIN {response} r ON r.id = a.response_id "
        f"WHERE r.campaign_id = %s AND a.question_id IN ({placeholders}) "
        f"AND a.value IS NOT NULL"
    )
    params = [campaign.pk, *ids]
    cells = defaultdict(dict)
    # Respondents per question (one row per chosen option in multiple choice).
    sql, all_params = _grouped(
        "COUNT(DISTINCT a.response_id), SUM(a.value)",
        from_where,
        params,
        keys=["a.question_id"],
        by_role=by_role,
    )
    for level, region, network, role, question_id, n, total in _fetch(sql, all_params):
        cells[_key(level, region, network, role)][question_id] = Cell(n, {}, total or 0)
    choice_ids = [q.pk for q in questions if q.kind != QuestionKind.NUMBER]
    if choice_ids:
        placeholders = ", ".join(["%s"] * len(choice_ids))
        from_where = (
            f"FROM {answer} a INNER JOIN {response} r ON r.id = a.response_id "
            f"WHERE r.campaign_id = %s AND a.question_id IN ({placeholders}) "
            f"AND a.value IS NOT NULL"
        )
        sql, all_params = _grouped(
            "COUNT(*)",
            from_where,
            [campaign.pk, *choice_ids],
            keys=["a.question_id", "a.value"],
            by_role=by_role,
        )
        for level, region, network, role, question_id, value, count in _fetch(sql, all_params):
            cell = cells[_key(level, region, network, role)][question_id]
            cell.counts[str(value)] = count
    return cells


def response_counts(campaign, *, by_role=False):
    """{(level, region, network, role): number of responses}."""
    _answer, response = _tables()
    sql, params = _grouped(
        "COUNT(*)", f"FROM {response} r WHERE r.campaign_id = %s", [campaign.pk], by_role=by_role
    )
    return {
        _key(level, region, network, role): count
        for level, region, network, role, count in _fetch(sql, params)
    }


# --- suppression --------------------------------------------------------------


def _protect(parent, children, minimum):
    """Apply complementary suppression to one group whose `children` add up
    to `parent`. Returns True when it suppressed another cell."""
    changed = False
    if parent.suppressed:
        # A hidden total must not be the sum of cells that are all shown.
        if parent.n and all(not c.suppressed for c in children if c.n):
            shown = [c for c in children if c.n and c.selectable]
            if shown:
                min(shown, key=lambda c: c.n).suppressed = True
                changed = True
        return changed
    while True:
        residual = sum(c.n for c in children if c.suppressed)
        if residual == 0 or residual >= minimum:
            return changed
        shown = [c for c in children if not c.suppressed and c.n and c.selectable]
        if not shown:
            return changed
        min(shown, key=lambda c: c.n).suppressed = True
        changed = True


class Table:
    """Cells of every scope of a campaign for one set of questions, with
    suppression applied. Keys are (level, region, network, role); role is
    None for the figures of all roles together."""

    def __init__(self, cells, question_ids, *, by_role):
        self.question_ids = list(question_ids)
        self.by_role = by_role
        self.cells = {}
        roles = ROLES if by_role else ()
        for key, by_question in cells.items():
            level, region, network, role = key
            if by_role:
                total = self.cells.setdefault((level, region, network, None), {})
                for question_id, cell in by_question.items():
                    total.setdefault(question_id, Cell()).add(cell)
            self.cells[key] = by_question
        self._fill(roles)
        self._suppress(roles)

    def cell(self, key, question_id):
        return self.cells.get(key, {}).get(question_id)

    def _fill(self, roles):
        """Every scope has a cell for every question (n = 0 when nobody answered)."""
        keys = {k[:3] for k in self.cells} | {(NATIONAL, None, None)}
        for level, region, network in keys:
            for role in (None, *roles):
                by_question = self.cells.setdefault((level, region, network, role), {})
                for question_id in self.question_ids:
                    if question_id not in by_question:
                        by_question[question_id] = Cell()
                # Answers without a network are part of their region but no
                # network's figure: never shown, never picked as a complement.
                if level == NETWORK and network is None:
                    for cell in by_question.values():
                        cell.selectable = False

    def _groups(self, role):
        """(parent key, child keys) of the groups whose children add up to the parent."""
        regions = defaultdict(list)
        networks = defaultdict(list)
        for level, region, network, key_role in self.cells:
            if key_role != role:
                continue
            if level == REGION:
                regions[None].append((REGION, region, None, role))
            elif level == NETWORK:
                networks[region].append((NETWORK, region, network, role))
        groups = [((NATIONAL, None, None, role), regions[None])]
        groups += [((REGION, region, None, role), keys) for region, keys in networks.items()]
        return groups

    def _suppress(self, roles):
        minimum = min_cell_size()
        for by_question in self.cells.values():
            for cell in by_question.values():
                cell.suppressed = cell.n < minimum or not cell.selectable
        # First the figures of all roles together, then those of each role.
        self._settle(self._groups(None), minimum)
        if not roles:
            return
        role_groups = []
        for level, region, network, role in list(self.cells):
            if role is None:
                parent = (level, region, network, None)
                role_groups.append((parent, [(level, region, network, r) for r in roles]))
        for role in roles:
            role_groups += self._groups(role)
        self._settle(role_groups, minimum)

    def _settle(self, groups, minimum):
        changed = True
        while changed:
            changed = False
            for parent_key, child_keys in groups:
                parent_cells = self.cells.get(parent_key)
                if parent_cells is None:
                    continue
                children = [self.cells.get(k, {}) for k in child_keys]
                for question_id in self.question_ids:
                    parent = parent_cells[question_id]
                    kids = [c[question_id] for c in children if question_id in c]
                    changed |= _protect(parent, kids, minimum)


# --- the dicts every output shares ------------------------------------------------


def likert_question_dict(code, cell, role=None, *, asked=True):
    """One question's figures, as in the JSON of `survey_results`. A
    question an imported wave did not ask (`asked` False) has no figures and
    says so ("not_asked": true, a key only such a question has, so that the
    shape of every other question stays the contract), rather than passing
    for a small cell."""
    data = {"code": code}
    if role is not None:
        data["role"] = role
    n = data["n"] = cell.n
    if not asked:
        data.update(SUPPRESSED, not_asked=True)
        return data
    if cell.suppressed or not n:
        data.update(SUPPRESSED)
        return data
    counts = cell.counts
    c1, c2, c3, c4, c5 = (counts.get(v, 0) for v in LIKERT_KEYS)
    # Rounded half up, exactly: see half_up().
    data["counts"] = {"1": c1, "2": c2, "3": c3, "4": c4, "5": c5}
    data["pct_agree"] = (2000 * (c4 + c5) + n) // (2 * n) / 10
    data["pct_neutral"] = (2000 * c3 + n) // (2 * n) / 10
    data["pct_disagree"] = (2000 * (c1 + c2) + n) // (2 * n) / 10
    data["mean"] = (200 * cell.total + n) // (2 * n) / 100
    data["suppressed"] = False
    return data


def asked_questions(campaign, table, question_ids):
    """The questions the campaign asked. A campaign answered on the platform
    asked every question of its instrument; an imported wave only those its
    file had answers for (a column left out, or left blank in every row)."""
    if not campaign.imported:
        return set(question_ids)
    national = table.cells.get((NATIONAL, None, None, None), {})
    return {pk for pk in question_ids if pk in national and national[pk].n}


LIKERT_KEYS = ("1", "2", "3", "4", "5")
SUPPRESSED = {
    "counts": None,
    "pct_agree": None,
    "pct_neutral": None,
    "pct_disagree": None,
    "mean": None,
    "suppressed": True,
}


def scope_key(scope, role=None):
    if scope.kind == NATIONAL:
        return (NATIONAL, None, None, role)
    if scope.kind == REGION:
        return (REGION, scope.region.code, None, role)
    return (NETWORK, scope.network.deprov.region_id, scope.network.pk, role)


class CampaignResults:
    """Every scope of one campaign, computed once (two queries) and then read
    as dicts: `for_scope(scope)` is what the command, the API, the pages and
    the reports print."""

    def __init__(self, campaign, *, by_role=False):
        check_released(campaign)
        self.campaign = campaign
        self.by_role = by_role
        self.questions = list(
            Question.objects.filter(instrument_id=campaign.instrument_id, kind=QuestionKind.LIKERT5)
            .order_by("section__order", "order", "pk")
            .values_list("pk", "code")
        )
        ids = [pk for pk, _code in self.questions]
        self.table = Table(likert_cells(campaign, ids, by_role=by_role), ids, by_role=by_role)
        self.responses = response_counts(campaign, by_role=by_role)
        self.asked = asked_questions(campaign, self.table, ids)
        # SVG charts drawn from these figures by the results page (views.results).
        self.charts = {}

    def n_responses(self, scope, role=None):
        if self.by_role and role is None:
            return sum(self.responses.get(scope_key(scope, r), 0) for r in ROLES)
        return self.responses.get(scope_key(scope, role), 0)

    def for_scope(self, scope):
        scope = parse_scope(scope) if isinstance(scope, str) else scope
        empty = Cell()
        questions = []
        if self.by_role:
            by_role = [(role, self.table.cells.get(scope_key(scope, role), {})) for role in ROLES]
            for question_id, code in self.questions:
                for role, cells in by_role:
                    cell = cells.get(question_id, empty)
                    asked = question_id in self.asked
                    questions.append(likert_question_dict(code, cell, role, asked=asked))
        else:
            cells = self.table.cells.get(scope_key(scope), {})
            for question_id, code in self.questions:
                cell = cells.get(question_id, empty)
                asked = question_id in self.asked
                questions.append(likert_question_dict(code, cell, asked=asked))
        data = {
            "campaign": self.campaign.slug,
            "scope": str(scope),
            "n_responses": self.n_responses(scope),
        }
        if self.by_role:
            data["n_responses_by_role"] = {role: self.n_responses(scope, role) for role in ROLES}
        data["questions"] = questions
        return data


class ResultsNotReleased(PermissionDenied):
    """The campaign is still open (or a draft): its answers are aggregated for
    no one until it closes, so that reading results before and after a
    submit never isolates one person's answers. A PermissionDenied, so that
    a path that forgets to say why still refuses (403)."""

    def __init__(self, campaign):
        super().__init__(campaign.slug)
        self.campaign = campaign


def check_released(campaign):
    """Raise ResultsNotReleased unless the campaign's results may be read."""
    if not results_released(campaign):
        raise ResultsNotReleased(campaign)


# The results of a national campaign are some 20,000 cells: unpickling them
# from the cache took ~200 ms of CPU, several times per results page (the
# scope, the trend's waves, the choices). Each process keeps the few it read
# last, checked against a small token stored beside them in the cache, so
# that they are dropped with the cache entry (a cache.clear(), an eviction).
MEMO_SIZE = 8
_memo = OrderedDict()
_memo_lock = threading.Lock()


def _remembered(key, token):
    with _memo_lock:
        found = _memo.get(key)
        if found is None or found[0] != token:
            return None
        _memo.move_to_end(key)
        return found[1]


def _remember(key, token, results):
    with _memo_lock:
        _memo[key] = (token, results)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)


def response_stats(campaigns):
    """{campaign id: {"n": responses, "last": last response id}}, the key of
    their cached results, of several campaigns in one query (a page reading
    a campaign's results, choices and earlier waves asks once)."""
    ids = [campaign.pk for campaign in campaigns]
    found = {pk: {"n": 0, "last": None} for pk in ids}
    for row in (
        Response.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(n=Count("pk"), last=Max("pk"))
        .order_by()
    ):
        found[row["campaign_id"]] = {"n": row["n"], "last": row["last"]}
    return found


def _cached(name, campaign, by_role, build, use_cache=True, stats=None):
    """Results shared by pages and the API through the cache, keyed by the
    campaign's responses (their number and the last id; `stats`: those of
    response_stats, read in this request): a new or imported response is
    seen at once. Only for closed or published campaigns. The process keeps
    those it read last (see _memo) while the cache has them."""
    check_released(campaign)
    if not use_cache:
        return build()
    if stats is None:
        stats = Response.objects.filter(campaign=campaign).aggregate(n=Count("pk"), last=Max("pk"))
    key = (
        f"monitoring:{name}:2:{campaign.pk}:{campaign.instrument_id}:{int(by_role)}:"
        f"{min_cell_size()}:{stats['n']}:{stats['last']}"
    )
    token = cache.get(f"{key}:token")
    results = None if token is None else _remembered(key, token)
    if results is None:
        results = cache.get(key)
        if results is None or token is None:
            if results is None:
                results = build()
                cache.set(key, results, CACHE_SECONDS)
            token = secrets.token_hex(8)
            cache.set(f"{key}:token", token, CACHE_SECONDS)
        _remember(key, token, results)
    results.campaign = campaign
    return results


def campaign_results(campaign, *, by_role=False, use_cache=True, stats=None):
    """The Likert results of every scope of a campaign (a CampaignResults)."""
    return _cached(
        "likert",
        campaign,
        by_role,
        lambda: CampaignResults(campaign, by_role=by_role),
        use_cache,
        stats,
    )


class ChoiceResults:
    """Single-choice, multiple-choice and number questions of every scope,
    with the same suppression rules (n counts respondents)."""

    KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.NUMBER)

    def __init__(self, campaign):
        check_released(campaign)
        self.campaign = campaign
        self.questions = list(
            Question.objects.filter(instrument_id=campaign.instrument_id, kind__in=self.KINDS)
            .select_related("section")
            .order_by("section__order", "order", "pk")
        )
        ids = [q.pk for q in self.questions]
        self.table = Table(choice_cells(campaign, self.questions), ids, by_role=False)
        self.asked = asked_questions(campaign, self.table, ids)

    def for_scope(self, scope):
        scope = parse_scope(scope) if isinstance(scope, str) else scope
        items = []
        for question in self.questions:
            cell = self.table.cell(scope_key(scope), question.pk) or Cell()
            suppressed = cell.suppressed or not cell.n
            item = {"question": question, "code": question.code, "n": cell.n}
            item["suppressed"] = suppressed
            item["not_asked"] = question.pk not in self.asked
            if question.kind == QuestionKind.NUMBER:
                item["mean"] = None if suppressed else half_up(cell.total, cell.n, 2)
            else:
                item["options"] = [
                    {
                        "value": option["value"],
                        "label": label,
                        "count": None if suppressed else cell.counts.get(str(index), 0),
                        "pct": None
                        if suppressed
                        else half_up(100 * cell.counts.get(str(index), 0), cell.n, 1),
                    }
                    for (index, label), option in zip(
                        question.option_choices(), question.options, strict=True
                    )
                ]
            items.append(item)
        return items


def choice_results(campaign, *, use_cache=True, stats=None):
    return _cached("choices", campaign, False, lambda: ChoiceResults(campaign), use_cache, stats)


def results_for_scope(campaign, scope, by_role=False):
    """The results of one scope ("national", "region:7", "network:RME-07-001"
    or a Scope) as the dict of `survey_results --format json`: suppressed
    cells have null counts, percentages and mean and "suppressed": true."""
    if isinstance(campaign, str):
        campaign = Campaign.objects.get(slug=campaign)
    return campaign_results(campaign, by_role=by_role).for_scope(scope)


def results_for_scopes(campaign, scopes, by_role=False):
    """Several scopes of one campaign, computed with one grouped query."""
    results = campaign_results(campaign, by_role=by_role)
    return [results.for_scope(scope) for scope in scopes]


__all__ = [
    "CampaignResults",
    "ResultsNotReleased",
    "Scope",
    "campaign_results",
    "choice_cells",
    "choice_results",
    "check_released",
    "half_up",
    "likert_question_dict",
    "results_for_scope",
    "results_for_scopes",
]
