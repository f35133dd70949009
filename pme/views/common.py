"""Helpers of the PME views: scoped lookups (404 outside the user's
scope, 403 when they may read but not change) and form errors."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .. import permissions, selectors
from ..forms import CommentForm


def _notifies_school(user, plan, *, own_school=None):
    """School staff's comments notify nobody; others' are emailed to the school.
    `own_school`: whether the plan's school is the user's, when the caller knows."""
    if own_school is None:
        own_school = permissions.own_school_ids(user).filter(school_id=plan.school_id).exists()
    return not own_school


def _comment_form(user, plan, data=None, *, own_school=None):
    return CommentForm(data, notifies_school=_notifies_school(user, plan, own_school=own_school))


# --- lookups -----------------------------------------------------------------------------


def _plan(user, pk):
    """The plan if the user may read it; 404 otherwise (existence is private)."""
    return get_object_or_404(selectors.plan_detail_queryset(user), pk=pk)


def _editable_plan(user, pk):
    plan = _plan(user, pk)
    if not permissions.can_edit_plan(user, plan):
        raise PermissionDenied
    return plan


def _action(user, pk):
    queryset = permissions.visible_actions(user).select_related(
        "plan__school__sostenedor",
        "plan__cycle",
        "dimension",
        "subdimension",
        "strategy",
        "ate_provider",
        "practice_source",
    )
    return get_object_or_404(queryset, pk=pk)


def _action_page(user, pk):
    """_action for the action's page: only the rows the page shows (not the
    plan's cycle, with its PEI texts, nor the school's sostenedor; not the
    plan's diagnosis). Each joined table also costs PostgreSQL planning
    time: the twelve of _action took ~5 ms to plan for a 0.1 ms run."""
    queryset = (
        permissions.visible_actions(user)
        .select_related(
            "plan__school",
            "dimension",
            "subdimension",
            "strategy",
            "ate_provider",
            "practice_source",
        )
        .defer("plan__diagnosis")
    )
    return get_object_or_404(queryset, pk=pk)


def _editable_action(user, pk):
    action = _action(user, pk)
    if not permissions.can_edit_plan(user, action.plan):
        raise PermissionDenied
    return action


def _cycle(user, pk):
    return get_object_or_404(selectors.cycle_detail_queryset(user), pk=pk)


def _editable_cycle(user, pk):
    cycle = _cycle(user, pk)
    if not permissions.can_edit_cycle(user, cycle):
        raise PermissionDenied
    return cycle
