from django.urls import path

from . import views

app_name = "practices"

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.practice_create, name="create"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.practice_detail, name="detail"),
    path("<int:pk>/edit/", views.practice_edit, name="edit"),
    path("<int:pk>/publish/", views.practice_publish, name="publish"),
    path("<int:pk>/unpublish/", views.practice_unpublish, name="unpublish"),
    path("<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/comments/", views.comment_add, name="comment"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/feature/", views.feature, name="feature"),
    path("<int:pk>/agenda/", views.add_to_agenda, name="agenda"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("adoptions/<int:pk>/notes/", views.adoption_note, name="adoption_note"),
]
