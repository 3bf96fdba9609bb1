"""Task pages: "My tasks", the task form, bulk actions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def task_list(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/task_list.html", {})
