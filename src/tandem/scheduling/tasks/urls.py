from django.urls import URLPattern, path

from tandem.scheduling.tasks import views

urlpatterns: list[URLPattern] = [
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/new/", views.task_create, name="task-create"),
    path("tasks/bulk/", views.task_bulk, name="task-bulk"),
    path("tasks/<str:public_id>/", views.task_detail, name="task-detail"),
    path("tasks/<str:public_id>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<str:public_id>/status/", views.task_status, name="task-status"),
    path("tasks/<str:public_id>/delete/", views.task_delete, name="task-delete"),
]
