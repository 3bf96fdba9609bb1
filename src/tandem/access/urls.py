from django.urls import path

from tandem.access import views

app_name = "access"
urlpatterns = [
    path("permissions/", views.placeholder, name="policy-edit"),
    path("explain/", views.placeholder, name="explain"),
]
