from django.urls import URLPattern, path

from tandem.tickets import webform_views

app_name = "support"
urlpatterns: list[URLPattern] = [
    path("new/", webform_views.support_new, name="new"),
    path("thanks/", webform_views.support_thanks, name="thanks"),
]
