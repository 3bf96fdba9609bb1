"""The public support form (no login; CSRF stays on) and its thank-you page with the ticket's reference."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from tandem.core.exceptions import DomainError
from tandem.core.forms import add_domain_errors
from tandem.tickets import webform
from tandem.tickets.choices import Category

THANKS_KEY = "support_form_reference"


class SupportForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"))
    subject = forms.CharField(label=_("Subject"), max_length=300)
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices, initial=Category.QUESTION)
    description = forms.CharField(label=_("Describe your request"), widget=forms.Textarea(attrs={"rows": 8}),
                                  max_length=20_000)
    # The honeypot: hidden from people by CSS and from screen readers; bots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False, widget=forms.TextInput(attrs={
        "autocomplete": "off", "tabindex": "-1"}))


def _enabled() -> None:
    if not settings.SUPPORT_FORM_ENABLED:
        raise Http404


@csrf_protect
def support_new(request: HttpRequest) -> HttpResponse:
    _enabled()
    form = SupportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = webform.submit(submission=webform.Submission(
                subject=data["subject"], email=data["email"], name=data["name"], description=data["description"],
                category=data["category"], honeypot=data["website"]), ip=request.META.get("REMOTE_ADDR"))
        except DomainError as error:
            add_domain_errors(form, error)
            status = error.status
        else:
            request.session[THANKS_KEY] = ticket.reference
            return redirect("support:thanks")
    elif request.method == "POST":
        status = 400
    return render(request, "tickets/support_form.html", {"form": form}, status=status)


def support_thanks(request: HttpRequest) -> HttpResponse:
    _enabled()
    reference = request.session.get(THANKS_KEY)
    if not reference:
        return redirect("support:new")
    return render(request, "tickets/support_thanks.html", {"reference": reference})
