from django.urls import path

from tandem.timeline import views

app_name = "timeline"
urlpatterns = [
    path("accounts/<str:public_id>/", views.account_feed, name="account-feed"),
    path("accounts/<str:public_id>/log/", views.activity_log, name="activity-log"),
    path("accounts/<str:public_id>/email/", views.email_import, name="email-import"),
    path("contacts/<str:public_id>/", views.contact_feed, name="contact-feed"),
    path("activities/<str:public_id>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/<str:public_id>/delete/", views.activity_delete, name="activity-delete"),
]
