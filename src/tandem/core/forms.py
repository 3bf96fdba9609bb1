"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms

from tandem.core.exceptions import DomainError


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """Show a service's ValidationFailed/… on the form: field messages next to their fields (``custom.<key>``
    maps to the custom-field input), everything else at the top."""
    if not error.errors:
        form.add_error(None, error.message)
    for field, messages in error.errors.items():
        target = "custom__" + field[len("custom."):] if field.startswith("custom.") else field
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
