from django.urls import path

from tandem.accounts import merge_views, team_views, views, views_saved

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="account-list"),
    path("new/", views.account_create, name="account-create"),
    path("lookup/", views.account_lookup, name="account-lookup"),
    path("team/reassign/", team_views.account_team_reassign, name="account-team-reassign"),
    path("views/<str:resource>/save/", views_saved.saved_view_save, name="saved-view-save"),
    path("views/<str:public_id>/delete/", views_saved.saved_view_delete, name="saved-view-delete"),
    path("<str:public_id>/", views.account_detail, name="account-detail"),
    path("<str:public_id>/edit/", views.account_edit, name="account-edit"),
    path("<str:public_id>/delete/", views.account_delete, name="account-delete"),
    path("<str:public_id>/team/", team_views.account_team_edit, name="account-team-edit"),
    path("<str:public_id>/merge/", merge_views.account_merge, name="account-merge"),
]
