from django.urls import path

from . import views

app_name = "pme"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/objectives/add/", views.objective_add, name="objective_add"),
    path("cycles/<int:pk>/plans/add/", views.plan_create, name="plan_create"),
    path("objectives/<int:pk>/remove/", views.objective_remove, name="objective_remove"),
    path("objectives/<int:pk>/goals/add/", views.goal_add, name="goal_add"),
    path("objectives/<int:pk>/strategies/add/", views.strategy_add, name="strategy_add"),
    path("goals/<int:pk>/remove/", views.goal_remove, name="goal_remove"),
    path("strategies/<int:pk>/remove/", views.strategy_remove, name="strategy_remove"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/share/", views.plan_share, name="plan_share"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan_copy"),
    path("plans/<int:pk>/import/", views.plan_import, name="plan_import"),
    path("plans/<int:pk>/comments/", views.plan_comment, name="plan_comment"),
    path("plans/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("plans/<int:pk>/export.<str:fmt>", views.plan_export, name="plan_export"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/<int:pk>/progress/", views.action_progress, name="action_progress"),
    path("actions/<int:pk>/comments/", views.action_comment, name="action_comment"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("dashboard/", views.dashboard_index, name="dashboard"),
    path("dashboard/region/<int:code>/", views.dashboard_region, name="dashboard_region"),
    path("dashboard/deprov/<int:code>/", views.dashboard_deprov, name="dashboard_deprov"),
    path("networks/<str:code>/", views.network_rollup, name="network_rollup"),
    path("ate/", views.ate_list, name="ate_list"),
    path("ate/import/", views.ate_import, name="ate_import"),
]
