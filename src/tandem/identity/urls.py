from django.urls import path

from tandem.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/profile/", views.placeholder, name="profile"),
    path("me/password/", views.placeholder, name="password-change"),
    path("me/two-factor/", views.placeholder, name="two-factor"),
    path("me/tokens/", views.placeholder, name="token-list"),
    path("admin/users/", views.placeholder, name="user-list"),
    path("admin/teams/", views.placeholder, name="team-list"),
]
