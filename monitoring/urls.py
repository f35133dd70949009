from django.urls import path

from . import views
from .reports import views as report_views
from .risk import views as risk_views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("networks-at-risk/", risk_views.risk_page, name="risk"),
    path("networks-at-risk.csv", risk_views.risk_csv, name="risk_csv"),
    path("networks-at-risk.xlsx", risk_views.risk_xlsx, name="risk_xlsx"),
    path("respond/<str:token>/", views.respond, name="respond"),
    path("respond/<str:token>/save/", views.autosave, name="autosave"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<slug:slug>/open/", views.campaign_open, name="campaign_open"),
    path("campaigns/<slug:slug>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<slug:slug>/publish/", views.campaign_publish, name="campaign_publish"),
    path("campaigns/<slug:slug>/remind/", views.campaign_remind, name="campaign_remind"),
    path(
        "campaigns/<slug:slug>/invite-new/", views.campaign_invite_new, name="campaign_invite_new"
    ),
    path("campaigns/<slug:slug>/rates/", views.response_rates, name="rates"),
    path("campaigns/<slug:slug>/results/", views.results, name="results"),
    path("campaigns/<slug:slug>/results.csv", views.results_csv, name="results_csv"),
    path("campaigns/<slug:slug>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("campaigns/<slug:slug>/responses.csv", views.raw_csv, name="raw_csv"),
    path("campaigns/<slug:slug>/texts.csv", views.raw_texts_csv, name="raw_texts_csv"),
    path("campaigns/<slug:slug>/reports/", report_views.report_list, name="reports"),
    path(
        "campaigns/<slug:slug>/reports/<int:pk>/retry/",
        report_views.report_retry,
        name="report_retry",
    ),
    path(
        "campaigns/<slug:slug>/reports/<int:pk>/download/",
        report_views.report_download,
        name="report_download",
    ),
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument"),
    path("instruments/<slug:slug>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<slug:slug>/copy/", views.instrument_copy, name="instrument_copy"),
    path("instruments/<slug:slug>/preview/", views.instrument_preview, name="instrument_preview"),
    path("instruments/<slug:slug>/sections/add/", views.section_add, name="section_add"),
    path(
        "instruments/<slug:slug>/sections/<int:section_id>/edit/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "instruments/<slug:slug>/sections/<int:section_id>/delete/",
        views.section_delete,
        name="section_delete",
    ),
    path(
        "instruments/<slug:slug>/sections/<int:section_id>/move/",
        views.section_move,
        name="section_move",
    ),
    path("instruments/<slug:slug>/questions/add/", views.question_add, name="question_add"),
    path(
        "instruments/<slug:slug>/questions/<int:question_id>/edit/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "instruments/<slug:slug>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "instruments/<slug:slug>/questions/<int:question_id>/move/",
        views.question_move,
        name="question_move",
    ),
]
