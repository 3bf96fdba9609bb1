from django.urls import path

from tandem.files import views

app_name = "files"
urlpatterns = [
    path("upload/<str:public_id>/", views.file_upload, name="file-upload"),
    path("<str:public_id>/download/", views.file_download, name="file-download"),
    path("<str:public_id>/delete/", views.file_delete, name="file-delete"),
]
