from django.urls import path

from tandem.health import views

app_name = "health"
urlpatterns = [
    path("", views.board, name="board"),
    path("flags/<str:public_id>/resolve/", views.flag_resolve, name="flag-resolve"),
    path("accounts/<str:public_id>/override/", views.override_set, name="override-set"),
    path("accounts/<str:public_id>/recompute/", views.account_recompute, name="account-recompute"),
    path("overrides/<str:public_id>/clear/", views.override_clear, name="override-clear"),
    path("scorecards/", views.scorecard_list, name="scorecard-list"),
    path("scorecards/new/", views.scorecard_edit, name="scorecard-create"),
    path("scorecards/recompute/", views.recompute_all, name="recompute-all"),
    path("scorecards/<str:public_id>/", views.scorecard_edit, name="scorecard-edit"),
    path("playbook/", views.playbook, name="playbook"),
]
