"""Ticket forms: they only validate; views pass ``cleaned_data`` to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.tickets.choices import Category, Channel, Priority, Status


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                  max_length=50000)
    requester_email = forms.EmailField(label=_("Requester email"), required=False,
                                       help_text=_("Matched to a contact; the account follows the contact."))
    requester_name = forms.CharField(label=_("Requester name"), max_length=200, required=False)
    account = forms.CharField(label=_("Account"), required=False,
                              help_text=_("The account's name or id; empty: the requester's account."))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.QUESTION)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=50000)
    status = forms.ChoiceField(label=_("Then set the status to"), required=False,
                               choices=[("", _("(unchanged)")), *Status.choices])


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=50000,
                           help_text=_("Only colleagues see notes. Mention someone as @[Name](user id)."))


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Why does this need tier 2?"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int,
                                    choices=[(value, str(value)) for value in range(1, 6)])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
