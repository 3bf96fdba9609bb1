"""The top-bar search: a dropdown of results while typing (htmx) and a full results page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from tandem.identity.requests import AuthedRequest
from tandem.search import selectors


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = selectors.global_search(actor=request.user, query=query, limit=8 if request.htmx else 25)
    template = "search/search_results.html#dropdown" if request.htmx else "search/search_results.html"
    return render(request, template, {"results": results, "query": query})
