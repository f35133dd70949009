from django.urls import path

from . import views

app_name = "networks"

urlpatterns = [
    path("", views.network_list, name="list"),
    path("new/", views.network_create, name="create"),
    path("<str:code>/", views.network_detail, name="detail"),
    path("<str:code>/edit/", views.network_edit, name="edit"),
    path("<str:code>/schools/add/", views.school_add, name="school_add"),
    path("<str:code>/schools/<int:rbd>/remove/", views.school_remove, name="school_remove"),
    path("<str:code>/members/add/", views.member_add, name="member_add"),
    path("<str:code>/members/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path("<str:code>/partners/add/", views.partner_add, name="partner_add"),
    path(
        "<str:code>/partners/<int:partner_id>/remove/", views.partner_remove, name="partner_remove"
    ),
]

# Mounted at /people/ in the namespace "people" (rme_platform/urls.py).
people_urlpatterns = [
    path("invite/", views.invite_person, name="invite"),
    path("import/", views.import_people, name="import"),
]
