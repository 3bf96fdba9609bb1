from django.urls import path

from tandem.quotas import views

app_name = "quotas"
urlpatterns = [
    path("quotas/", views.team, name="team"),
    path("quotas/set/", views.quota_set, name="quota-set"),
    path("quotas/<str:public_id>/delete/", views.quota_delete, name="quota-delete"),
]
