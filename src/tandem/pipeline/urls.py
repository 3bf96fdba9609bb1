from django.urls import path

from tandem.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/new/", views.lead_create, name="lead-create"),
    path("leads/<str:public_id>/", views.lead_detail, name="lead-detail"),
    path("leads/<str:public_id>/edit/", views.lead_edit, name="lead-edit"),
    path("leads/<str:public_id>/call/", views.lead_call, name="lead-call"),
    path("leads/<str:public_id>/qualify/", views.lead_qualify, name="lead-qualify"),
    path("leads/<str:public_id>/disqualify/", views.lead_disqualify, name="lead-disqualify"),
    path("pipeline/", views.board, name="board"),
    path("pipeline/list/", views.opportunity_list, name="opportunity-list"),
    path("pipeline/forecast/", views.forecast, name="forecast"),
    path("pipeline/new/", views.opportunity_create, name="opportunity-create"),
    path("pipeline/opportunities/<str:public_id>/", views.opportunity_detail, name="opportunity-detail"),
    path("pipeline/opportunities/<str:public_id>/edit/", views.opportunity_edit, name="opportunity-edit"),
    path("pipeline/opportunities/<str:public_id>/move/", views.opportunity_move, name="opportunity-move"),
    path("admin/pipelines/", views.pipeline_admin, name="pipeline-admin"),
    path("admin/pipelines/stages/<str:public_id>/", views.stage_edit, name="stage-edit"),
]
