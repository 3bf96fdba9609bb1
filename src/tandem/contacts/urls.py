from django.urls import path

from tandem.contacts import merge_views, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="contact-list"),
    path("new/", views.contact_create, name="contact-create"),
    path("<str:public_id>/", views.contact_detail, name="contact-detail"),
    path("<str:public_id>/edit/", views.contact_edit, name="contact-edit"),
    path("<str:public_id>/delete/", views.contact_delete, name="contact-delete"),
    path("<str:public_id>/merge/", merge_views.contact_merge, name="contact-merge"),
]
