from django.urls import path

from tandem.renewals import views

app_name = "renewals"
urlpatterns = [
    path("renewals/", views.renewal_list, name="renewal-list"),
    path("renewals/<str:public_id>/", views.renewal_detail, name="renewal-detail"),
    path("renewals/<str:public_id>/close/", views.renewal_close, name="renewal-close"),
    path("admin/renewals/", views.renewal_settings, name="settings"),
]
