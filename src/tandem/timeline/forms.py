from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tandem.timeline.choices import USER_TYPES, ActivityType, Direction

LOGGABLE = [(code, label) for code, label in ActivityType.choices if code in USER_TYPES]


class ActivityForm(forms.Form):
    """The short form to log (or edit) a call, an email, a meeting, a note or a chat."""

    type = forms.ChoiceField(label=_("Type"), choices=LOGGABLE, initial=ActivityType.CALL)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND)
    occurred_at = forms.DateTimeField(label=_("When"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"),
                                      help_text=_("Leave empty for now."))
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Markdown: **bold**, *italic*, lists, links."))
    contacts = forms.MultipleChoiceField(label=_("Contacts"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 4}))

    def __init__(self, *args: Any, contacts: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["contacts"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(contact.public_id, str(contact)) for contact in contacts]


MAX_FILES = 20  # files attached in one submission of the short form


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``; cleans to a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class ActivityLogForm(ActivityForm):
    """The short form on the account page, with optional attachments (stored as files of the account)."""

    attachments = MultipleFileField(label=_("Attachments"), required=False,
                                    allow_empty_file=True)  # the files app's checks say why a file is refused

    def __init__(self, *args: Any, allow_files: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_files:
            del self.fields["attachments"]
            return
        field = self.fields["attachments"]
        field.widget.attrs["accept"] = ",".join(sorted(settings.FILE_ALLOWED_SUFFIXES))
        field.help_text = _("Optional: up to %(count)d files, each at most %(limit)d MB.") % {
            "count": MAX_FILES, "limit": settings.FILE_MAX_BYTES // 2**20}

    def clean_attachments(self) -> list[Any]:
        uploads = self.cleaned_data.get("attachments") or []
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files at once.") % {"count": MAX_FILES})
        return uploads


class FeedFilterForm(forms.Form):
    """Filters of a feed; ``person`` is ``u:<user id>`` or ``c:<contact id>``."""

    type = forms.MultipleChoiceField(label=_("Type"), choices=ActivityType.choices, required=False)
    person = forms.CharField(label=_("Person"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    children = forms.BooleanField(label=_("Include child accounts"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end is before the start."))
        return data


class EmailDropForm(forms.Form):
    file = forms.FileField(label=_("E-mail (.eml)"))
