from django.urls import path

from . import people_views

app_name = "people"

urlpatterns = [
    path("invite/", people_views.invite_person, name="invite"),
    path("import/", people_views.import_people, name="import"),
]
