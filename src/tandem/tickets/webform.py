"""The public support form (no login): a ticket with channel "web form", the requester matched to a contact by
email (a contact is created for a new address). Spam guards: a honeypot field people never fill in, and a limit
of ``TANDEM_SUPPORT_FORM_PER_HOUR`` tickets per client IP address per hour, counted in the database (so every
web worker shares it) under a keyed hash of the address (the address itself is not kept)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.decide import SYSTEM
from tandem.contacts import services as contact_services
from tandem.core.exceptions import DomainError, ValidationFailed
from tandem.tickets import selectors, services
from tandem.tickets.choices import Category, Channel
from tandem.tickets.mail_models import WebFormSubmission
from tandem.tickets.models import Ticket

WINDOW = datetime.timedelta(hours=1)


class TooManySubmissions(DomainError):
    status = 429
    title = "Too many requests"


class SpamRefused(DomainError):
    status = 400
    title = "Refused"


@dataclass(frozen=True)
class Submission:
    subject: str
    email: str
    name: str
    description: str
    category: str = Category.QUESTION
    honeypot: str = ""


def client_key(ip: str | None) -> str:
    """A keyed hash of the client's address: enough to count, useless to anyone reading the table."""
    return hmac.new(settings.SECRET_KEY.encode(), (ip or "unknown").encode(), hashlib.sha256).hexdigest()


def submissions_left(*, ip: str | None, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    used = WebFormSubmission.objects.filter(client=client_key(ip), created_at__gte=now - WINDOW).count()
    return max(settings.SUPPORT_FORM_PER_HOUR - used, 0)


def submit(*, submission: Submission, ip: str | None, now: datetime.datetime | None = None) -> Ticket:
    """Open a ticket from the public form, or refuse (honeypot filled in, over the hourly limit, invalid)."""
    if submission.honeypot.strip():
        raise SpamRefused(_("Your request could not be accepted."))
    now = now or timezone.now()
    if submission.category not in Category.values:
        raise ValidationFailed(_("The request is invalid."), errors={"category": [_("Choose a category.")]})
    email = submission.email.strip().lower()
    with transaction.atomic():
        key = client_key(ip)
        if WebFormSubmission.objects.filter(client=key, created_at__gte=now - WINDOW).count() \
                >= settings.SUPPORT_FORM_PER_HOUR:
            raise TooManySubmissions(_("Too many requests from your address; please try again in an hour."))
        contact = selectors.contact_by_email(email=email)
        if contact is None:
            first, _space, last = submission.name.strip().partition(" ")
            contact = contact_services.contact_create(actor=SYSTEM, first_name=first[:100], last_name=last[:100],
                                                      email=email)
        ticket = services.ticket_create(actor=SYSTEM, subject=submission.subject, description=submission.description,
                                        requester=contact, requester_email=email,
                                        requester_name=submission.name.strip(), channel=Channel.WEB_FORM,
                                        category=submission.category, now=now)
        WebFormSubmission.objects.create(client=key, created_at=now)
        WebFormSubmission.objects.filter(created_at__lt=now - datetime.timedelta(days=1)).delete()
    return ticket
