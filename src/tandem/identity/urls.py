from django.urls import path

from tandem.identity import admin_views, views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login-verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_done, name="password-reset-done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("password-reset/done/", views.password_reset_complete, name="password-reset-complete"),
    path("invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation-accept"),
    path("me/profile/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password-change"),
    path("me/two-factor/", views.two_factor, name="two-factor"),
    path("me/tokens/", views.token_list, name="token-list"),
    path("me/tokens/<str:public_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("admin/users/", admin_views.user_list, name="user-list"),
    path("admin/users/<str:public_id>/", admin_views.user_detail, name="user-detail"),
    path("admin/users/<str:public_id>/<slug:action>/", admin_views.user_action, name="user-action"),
    path("admin/teams/", admin_views.team_list, name="team-list"),
    path("admin/teams/<str:public_id>/", admin_views.team_detail, name="team-detail"),
    path("admin/teams/<str:public_id>/delete/", admin_views.team_delete, name="team-delete"),
    path("admin/roles/", admin_views.role_list, name="role-list"),
]
