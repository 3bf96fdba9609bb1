"""Forms for notification preferences. They only validate; the views pass cleaned data to services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.notifications.choices import Channel
from tandem.notifications.kinds import Kind


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel, plus the person's own chat webhook."""

    chat_webhook_url = forms.CharField(
        label=_("Chat webhook URL"), required=False, max_length=500,
        help_text=_("A Slack-compatible incoming webhook (https://…). Leave empty to keep the saved one; tick "
                    "“Remove” to delete it."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "placeholder": "https://hooks.example.com/…"}))
    remove_chat_webhook = forms.BooleanField(label=_("Remove the saved chat webhook"), required=False)

    def __init__(self, *args: Any, kinds: list[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            for channel in Channel.values:
                self.fields[field_name(kind.code, channel)] = forms.BooleanField(required=False,
                                                                                label=Channel(channel).label)

    def chosen_channels(self) -> dict[str, set[str]]:
        return {kind.code: {channel for channel in Channel.values
                            if self.cleaned_data.get(field_name(kind.code, channel))} for kind in self.kinds}


class TeamWebhookForm(forms.Form):
    """A team's chat webhook: a new address, or "remove the saved one"."""

    chat_webhook_url = forms.CharField(
        label=_("Chat webhook URL"), required=False, max_length=500,
        help_text=_("A Slack-compatible incoming webhook (https://…). Members without a webhook of their own get "
                    "their chat notifications here."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "placeholder": "https://hooks.example.com/…"}))
    remove_chat_webhook = forms.BooleanField(label=_("Remove the saved chat webhook"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        url = cleaned.get("chat_webhook_url")
        if not cleaned.get("remove_chat_webhook") and url is not None and not url.strip():
            self.add_error("chat_webhook_url", _("Enter the webhook address."))
        return cleaned
