from django.urls import path

from tandem.transfer import views

app_name = "transfer"
urlpatterns = [
    path("import/", views.import_start, name="import-start"),
    path("import/<str:public_id>/", views.import_detail, name="import-detail"),
    path("import/<str:public_id>/run/", views.import_run, name="import-run"),
    path("import/<str:public_id>/errors.csv", views.import_errors_csv, name="import-errors"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
]
