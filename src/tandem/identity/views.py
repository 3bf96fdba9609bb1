"""Login and account pages (placeholders until the identity work lands)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

login_view = auth_views.LoginView.as_view(template_name="identity/login.html")
logout_view = auth_views.LogoutView.as_view()


@login_required
def placeholder(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet.")
