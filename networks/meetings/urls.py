from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("new/held/", views.meeting_record, name="record"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/meeting.ics", views.meeting_ics_download, name="ics"),
    path("<int:pk>/proposals/", views.proposal_create, name="propose"),
    path("proposals/<int:pk>/vote/", views.proposal_vote, name="vote"),
    path("proposals/<int:pk>/unvote/", views.proposal_unvote, name="unvote"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw_proposal"),
    path("<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path(
        "<int:pk>/agenda/from/<int:proposal_id>/",
        views.agenda_from_proposal,
        name="agenda_from_proposal",
    ),
    path("agenda-items/<int:pk>/move/", views.agenda_move, name="agenda_move"),
    path("agenda-items/<int:pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes_edit, name="minutes"),
    path("<int:pk>/minutes/files/", views.attachment_add, name="attachment_add"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/agreements/", views.agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new/", views.calendar_create, name="calendar_create"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("panel/network/<str:code>/", views.network_panel, name="network_panel"),
    path("panel/home/", views.home_panel, name="home_panel"),
]
