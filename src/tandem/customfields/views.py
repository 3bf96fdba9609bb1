"""Administrator pages for custom-field definitions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.access.decide import can
from tandem.core.exceptions import DomainError
from tandem.core.forms import add_domain_errors
from tandem.customfields import selectors, services
from tandem.customfields.choices import CUSTOMIZABLE_RESOURCES, FieldType
from tandem.customfields.models import CustomField
from tandem.identity.requests import AuthedRequest


class CustomFieldForm(forms.Form):
    resource = forms.ChoiceField(label=gettext_lazy("Record type"), choices=list(CUSTOMIZABLE_RESOURCES.items()))
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    key = forms.CharField(label=gettext_lazy("Key"), max_length=40,
                          help_text=gettext_lazy("Used in the API, imports and exports, e.g. contract_owner."))
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices)
    choices = forms.CharField(label=gettext_lazy("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("One per line, for choice fields."))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    field_group = forms.CharField(label=gettext_lazy("Field group"), max_length=40, required=False,
                                  help_text=gettext_lazy("Optional, e.g. pricing: only roles allowed to read or "
                                                         "write that group see or change the field."))
    help_text = forms.CharField(label=gettext_lazy("Help text"), max_length=200, required=False)

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("choices") or "").splitlines() if line.strip()]


def _fields_page(request: AuthedRequest, form: CustomFieldForm, editing: CustomField | None = None) -> HttpResponse:
    return render(request, "customfields/field_list.html", {
        "nav_active": "custom_fields", "form": form, "editing": editing,
        "fields": selectors.custom_field_all(), "can_change": can(request.user, "change", resource="custom_field"),
    })


@login_required
def field_list(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "view", resource="custom_field") or not can(request.user, "create",
                                                                        resource="custom_field"):
        raise Http404
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.custom_field_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Custom field added."))
            return redirect("customfields:field-list")
    return _fields_page(request, form)


@login_required
def field_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    if not can(request.user, "change", resource="custom_field"):
        raise Http404
    field = selectors.custom_field_by_public_id(public_id=public_id)
    if field is None:
        raise Http404
    initial = {"resource": field.resource, "label": field.label, "key": field.key, "field_type": field.field_type,
               "choices": "\n".join(field.choices), "required": field.required, "field_group": field.field_group,
               "help_text": field.help_text}
    form = CustomFieldForm(request.POST or None, initial=initial)
    for locked in ("resource", "key", "field_type"):
        form.fields[locked].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("label", "choices", "required", "field_group", "help_text")}
        try:
            services.custom_field_update(actor=request.user, field=field, **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Custom field saved."))
            return redirect("customfields:field-list")
    return _fields_page(request, form, editing=field)


@login_required
@require_POST
def field_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    field = selectors.custom_field_by_public_id(public_id=public_id)
    if field is None or not can(request.user, "delete", resource="custom_field"):
        raise Http404
    services.custom_field_delete(actor=request.user, field=field)
    messages.success(request, _("Custom field removed."))
    return redirect("customfields:field-list")
