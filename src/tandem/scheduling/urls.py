"""Scheduling pages. Each sub-domain keeps its own URL list (tasks/urls.py, meetings/urls.py)."""

from django.urls import URLPattern, URLResolver

from tandem.scheduling.tasks.urls import urlpatterns as task_urlpatterns

app_name = "scheduling"
urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += task_urlpatterns
# meetings: urlpatterns += meeting_urlpatterns
