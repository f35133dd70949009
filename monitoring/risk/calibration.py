"""The thresholds of the risk signals, set from the distribution of the
signals over the networks of a year: each flags its worst PERCENTILE (5) %
of the networks with data (the bottom decile of each of eight signals would
flag more than half of the networks). `manage.py risk_thresholds` prints the
distribution, the thresholds it gives and how many networks each flags.

One value per network and indicator, with the direction in which it is bad:
attendance by role, agenda items from members and agreements on time are
bad when low; delayed PME actions when high; each role's attendance fall
over the last meetings when steep (one threshold per role: a role of one or
two people a meeting falls by 50 or 100 points at one absence), the survey
fall the steeper of the two constructs' (either flags). No partners is
a count: the threshold is the fewest held meetings without any partner that
only the worst `percentile` % of the networks with meetings reach.
"""

import math
import statistics

from networks.meetings.models import AttendeeRole

from .indicators import CONSTRUCTS, reasons_for, thresholds

PERCENTILE = 5
SHOWN = (5, 10, 25, 50, 75, 90, 95)
# (threshold key, how a NetworkRisk gives its value, bad when "low", "high", a
#  "fall" of at least the threshold or a "count" of meetings, the reason codes it flags)
INDICATORS = (
    (
        "attendance_director",
        lambda r: r.attendance.get(AttendeeRole.DIRECTOR),
        "low",
        ("attendance_director",),
    ),
    ("attendance_utp", lambda r: r.attendance.get(AttendeeRole.UTP), "low", ("attendance_utp",)),
    (
        "attendance_sostenedor_rep",
        lambda r: r.attendance.get(AttendeeRole.SOSTENEDOR_REP),
        "low",
        ("attendance_sostenedor_rep",),
    ),
    (
        "attendance_fall_director",
        lambda r: _fall(r.attendance_change(AttendeeRole.DIRECTOR)),
        "fall",
        ("attendance_fall_director",),
    ),
    (
        "attendance_fall_utp",
        lambda r: _fall(r.attendance_change(AttendeeRole.UTP)),
        "fall",
        ("attendance_fall_utp",),
    ),
    (
        "attendance_fall_sostenedor_rep",
        lambda r: _fall(r.attendance_change(AttendeeRole.SOSTENEDOR_REP)),
        "fall",
        ("attendance_fall_sostenedor_rep",),
    ),
    ("agenda_from_members", lambda r: r.agenda_from_members, "low", ("agenda_from_members",)),
    ("agreements_on_time", lambda r: r.agreements_on_time, "low", ("agreements_on_time",)),
    (
        "meetings_without_partners",
        lambda r: r.meetings_held if r.meetings_held and not r.meetings_with_partners else 0,
        "count",
        ("no_partners",),
    ),
    ("pme_delayed", lambda r: r.pme_delayed_rate, "high", ("pme_delayed",)),
    (
        "survey_fall",
        lambda r: _steepest_fall([r.survey.get(key, {}).get("change") for key in CONSTRUCTS]),
        "fall",
        tuple(f"survey_{key}" for key in CONSTRUCTS),
    ),
)
# A fall threshold is never below this many points (a distribution where
# hardly any network falls would otherwise flag noise).
MIN_FALL = 5.0


def _fall(change):
    return None if change is None else -change


def _steepest_fall(changes):
    """Points of the steepest fall among `changes` (negative: they all rose),
    None without any."""
    present = [c for c in changes if c is not None]
    return -min(present) if present else None


def percentile(values, p):
    """The p-th percentile of `values` (sorted or not; linear between ranks)."""
    values = sorted(values)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def distribution(risks):
    """{key: {"n", "direction", "percentiles": {p: value}}} of each indicator."""
    out = {}
    for key, get, direction, _codes in INDICATORS:
        values = [v for v in (get(r) for r in risks) if v is not None]
        if direction == "count":
            values = [r.meetings_held for r in risks if r.meetings_held]
            without = [get(r) for r in risks if r.meetings_held]
            out[key] = {
                "n": len(values),
                "direction": direction,
                "without_partners": sum(1 for v in without if v),
                "percentiles": {p: percentile(without, p) for p in SHOWN},
            }
            continue
        out[key] = {
            "n": len(values),
            "direction": direction,
            "percentiles": {p: percentile(values, p) for p in SHOWN},
        }
    return out


def _flags(value, limit, direction):
    """Whether `value` crosses `limit` as reasons_for reads it."""
    if direction == "low":
        return value < limit
    if direction == "high":
        return value > limit
    return value >= limit  # a fall of at least `limit` points


def suggest(risks, worst=PERCENTILE):
    """Thresholds flagging, per indicator, about the worst `worst` % of the
    networks with data: the whole number nearest the cut, moved a point at a
    time away from the worst while ties at the cut would flag more than
    1.5 × `worst` % (a value shared by every network flags none). The current
    threshold where an indicator has no data, or where every network has the
    same value and the current threshold flags none of them."""
    limits = dict(thresholds())
    for key, get, direction, _codes in INDICATORS:
        if direction == "count":
            with_meetings = [r for r in risks if r.meetings_held]
            if not with_meetings:
                continue
            without = sorted(get(r) for r in with_meetings)
            # The fewest meetings n such that at most `worst` % reach n without partners.
            allowed = math.floor(len(without) * worst / 100)
            n = 1
            while sum(1 for v in without if v >= n) > allowed:
                n += 1
            limits[key] = n
            continue
        values = [v for v in (get(r) for r in risks) if v is not None]
        if not values:
            continue
        if min(values) == max(values) and not any(
            _flags(v, limits[key], direction) for v in values
        ):
            continue  # no spread says nothing: the current threshold, flagging none, stays
        limit = float(round(percentile(values, worst if direction == "low" else 100 - worst)))
        if direction == "fall":
            limit = max(limit, MIN_FALL)
        step = -1 if direction == "low" else 1
        allowed = len(values) * worst * 1.5 / 100
        while sum(1 for v in values if _flags(v, limit, direction)) > allowed:
            limit += step
        limits[key] = limit
    return limits


def flagged_counts(risks, limits):
    """{"total": networks flagged, key: networks flagged by that indicator}."""
    by_network = [{code for code, _text in reasons_for(r, limits)} for r in risks]
    counts = {"total": sum(1 for codes in by_network if codes)}
    for key, _get, _direction, codes in INDICATORS:
        counts[key] = sum(1 for found in by_network if found & set(codes))
    return counts
