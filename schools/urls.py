from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("<int:rbd>/", views.school_detail, name="detail"),
    path("import/", views.import_directory, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path(
        "import/<int:pk>/status/",
        views.import_job,
        {"partial": True},
        name="import_job_status",
    ),
]
