from django.urls import URLPattern, path

from tandem.scheduling.tasks import views

urlpatterns: list[URLPattern] = [
    path("tasks/", views.task_list, name="task-list"),
]
