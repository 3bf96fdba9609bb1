from django.urls import path

from tandem.customfields import views

app_name = "customfields"
urlpatterns = [
    path("", views.field_list, name="field-list"),
    path("<str:public_id>/", views.field_edit, name="field-edit"),
    path("<str:public_id>/delete/", views.field_delete, name="field-delete"),
]
