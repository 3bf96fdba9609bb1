from django.urls import path

from tandem.access import views

app_name = "access"
urlpatterns = [
    path("permissions/", views.policy_edit, name="policy-edit"),
    path("explain/", views.explain, name="explain"),
]
