from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Markdown works. Type @ to mention a colleague."))
    parent = forms.CharField(required=False, widget=forms.HiddenInput)


class HandoffStartForm(forms.Form):
    """``transition``: a template's public id (from one of the actor's roles); ``to_user``: a user's public id."""

    transition = forms.ChoiceField(label=_("Handoff"))
    to_user = forms.ChoiceField(label=_("To"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assign_seat = forms.BooleanField(label=_("Put the receiver on the account team when they accept"),
                                     required=False, initial=True)

    def __init__(self, *args: Any, transitions: list[tuple[str, str]] = (),  # type: ignore[assignment]
                 receivers: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = transitions  # type: ignore[attr-defined]
        self.fields["to_user"].choices = [("", "—"), *receivers]  # type: ignore[attr-defined]


class HandoffDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline?"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class HandoffTemplateForm(forms.Form):
    from_role = forms.ChoiceField(label=_("From role"))
    to_role = forms.ChoiceField(label=_("To role"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checklist = forms.CharField(label=_("Checklist"), widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=_("One item per line."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, roles: list[tuple[str, str]] = (), editing: bool = False,  # type: ignore[assignment]
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_role", "to_role"):
            self.fields[name].choices = roles  # type: ignore[attr-defined]
            if editing:
                self.fields[name].disabled = True
                self.fields[name].required = False
