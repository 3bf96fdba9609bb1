from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.transfer.importers import all_importers
from tandem.transfer.models import ImportMode
from tandem.transfer.readers import ENCODINGS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"))
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("Any delimiter; UTF-8 (with or without BOM), UTF-16 and Latin-1 are detected."))
    encoding = forms.ChoiceField(label=_("Encoding"), required=False,
                                 choices=[("", _("Detect automatically")), *[(e, e) for e in ENCODINGS]])
    delimiter = forms.ChoiceField(label=_("Delimiter"), required=False, choices=[
        ("", _("Detect automatically")), (",", _("Comma")), (";", _("Semicolon")), ("\t", _("Tab")),
        ("|", _("Vertical bar"))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["kind"]).choices = [(importer.kind, importer.label) for importer in all_importers()]


class ModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("If some rows are bad"), choices=ImportMode.choices,
                             widget=forms.RadioSelect, initial=ImportMode.VALID_ROWS)
