"""Writes for leads: intake, calls, disqualification and qualification (lead → account, contact, new-business
opportunity and an SDR → AE handoff, in one audited transaction)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import services as account_services
from tandem.accounts.models import Account
from tandem.accounts.team import account_team_assign
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.collaboration import services as collaboration_services
from tandem.contacts import services as contact_services
from tandem.contacts.logic import normalise_email
from tandem.contacts.models import Contact
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.pipeline import services as opportunity_services
from tandem.pipeline.choices import OPEN_LEAD_STATUSES, CallOutcome, LeadSource, LeadStatus, OpportunityType
from tandem.pipeline.models import Lead, LeadCall, Opportunity
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

LEAD_FIELDS = ("company_name", "domain", "country", "contact_first_name", "contact_last_name", "contact_email",
               "contact_phone", "contact_title", "source", "trial_started_on", "trial_ends_on", "owner", "status",
               "disqualify_reason", "notes", "external_id")
EDITABLE = tuple(name for name in LEAD_FIELDS if name not in ("status", "disqualify_reason")) + ("status",)
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_NOTES = 20_000


def _user(actor: Any) -> User | None:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _real(obj: Any) -> Any:
    return getattr(obj, "_wrapped", obj)


def _lengths(lead: Lead, errors: dict[str, list[str]]) -> None:
    for field in Lead._meta.concrete_fields:
        if field.get_internal_type() == "CharField" and field.max_length and field.name != "public_id":
            value = getattr(lead, field.name) or ""
            if len(value) > field.max_length:
                errors.setdefault(field.name, []).append(_("At most %(limit)d characters (this has %(length)d).")
                                                         % {"limit": field.max_length, "length": len(value)})


def lead_validate(*, lead: Lead) -> None:
    """Normalise and validate an unsaved or changed lead (imports use it for dry runs)."""
    errors: dict[str, list[str]] = {}
    for name in ("company_name", "domain", "country", "contact_first_name", "contact_last_name", "contact_email",
                 "contact_phone", "contact_title", "external_id"):
        setattr(lead, name, (getattr(lead, name) or "").strip())
    lead.domain = lead.domain.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")
    lead.country = lead.country.upper()
    lead.contact_email = normalise_email(lead.contact_email)
    if not lead.company_name:
        errors.setdefault("company_name", []).append(_("Give the company's name."))
    if lead.domain and not DOMAIN.match(lead.domain):
        errors.setdefault("domain", []).append(_("Enter a domain such as example.com."))
    if lead.country and not re.fullmatch(r"[A-Z]{2}", lead.country):
        errors.setdefault("country", []).append(_("Use a two-letter ISO country code."))
    if lead.contact_email:
        try:
            validate_email(lead.contact_email)
        except ValidationError:
            errors.setdefault("contact_email", []).append(_("Not a valid email address: %(email)s")
                                                          % {"email": lead.contact_email})
    if lead.source not in LeadSource.values:
        errors.setdefault("source", []).append(_("Value %(value)r is not a valid choice.") % {"value": lead.source})
    if lead.status not in LeadStatus.values:
        errors.setdefault("status", []).append(_("Value %(value)r is not a valid choice.") % {"value": lead.status})
    if lead.trial_started_on and lead.trial_ends_on and lead.trial_ends_on < lead.trial_started_on:
        errors.setdefault("trial_ends_on", []).append(_("The trial cannot end before it starts."))
    if lead.owner is not None and not lead.owner.is_active:
        errors.setdefault("owner", []).append(_("%(user)s is deactivated.") % {"user": lead.owner})
    if len(lead.notes or "") > MAX_NOTES:
        errors.setdefault("notes", []).append(_("At most %(limit)d characters (this has %(length)d).")
                                              % {"limit": MAX_NOTES, "length": len(lead.notes)})
    _lengths(lead, errors)
    if errors:
        raise ValidationFailed(_("The lead is invalid."), errors=errors)


def _lead_url(lead: Lead) -> str:
    return reverse("pipeline:lead-detail", args=[lead.public_id])


def _notify_owner(actor: Any, lead: Lead) -> None:
    if lead.owner is None or _user(actor) is None or lead.owner.pk == actor.pk:
        return
    notify(recipients=[lead.owner], kind="lead_assigned", actor=actor, source=lead, url=_lead_url(lead),
           event_key=f"lead-assigned:{lead.pk}:{lead.owner.pk}",
           title=translatable(gettext_lazy("%(actor)s gave you the lead %(company)s"), actor=str(actor),
                              company=lead.company_name))


def lead_create(*, actor: Any, company_name: str, **fields: Any) -> Lead:
    """A new lead (status new unless given); the owner defaults to the actor."""
    if not can(actor, Action.CREATE, resource="lead"):
        raise PermissionDenied(_("You may not create leads."))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if fields.get("status") not in (None, *OPEN_LEAD_STATUSES):
        raise ValidationFailed(_("A new lead is new or being worked."),
                               errors={"status": [_("Qualify or disqualify a lead with its own action.")]})
    values = {key: value for key, value in fields.items() if value is not None}
    lead = Lead(company_name=company_name, created_by=_user(actor), **values)
    if "owner" not in values:
        lead.owner = _user(actor)
    lead_validate(lead=lead)
    with transaction.atomic():
        lead.save()
        audit_created(actor=actor, obj=lead, fields=LEAD_FIELDS)
        _notify_owner(actor, lead)
    return lead


def lead_update(*, actor: Any, lead: Lead, **changes: Any) -> Lead:
    """Change the given fields. ``status`` may only move between new and working here."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, lead):
        raise PermissionDenied(_("You may not change this lead."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=lead.pk).first()
        if locked is None:
            raise NotFound(_("This lead no longer exists."))
        if "status" in changes and changes["status"] != locked.status and (
                changes["status"] not in OPEN_LEAD_STATUSES or locked.status not in OPEN_LEAD_STATUSES):
            raise ValidationFailed(_("Use qualify or disqualify to close a lead."),
                                   errors={"status": [_("Qualify or disqualify a lead with its own action.")]})
        before = snapshot(locked, LEAD_FIELDS)
        old_owner = locked.owner_id
        for name, value in changes.items():
            setattr(locked, name, value if value is not None or name in ("owner", "trial_started_on",
                                                                         "trial_ends_on") else "")
        lead_validate(lead=locked)
        changed = diff(before, snapshot(locked, LEAD_FIELDS))
        if changed:
            locked.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
            if locked.owner_id != old_owner:
                _notify_owner(actor, locked)
    return locked


def lead_delete(*, actor: Any, lead: Lead) -> None:
    if not can(actor, Action.DELETE, lead):
        raise PermissionDenied(_("You may not delete this lead."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=lead, fields=LEAD_FIELDS)
        lead.delete()


def lead_call_log(*, actor: Any, lead: Lead, outcome: str = CallOutcome.CONNECTED, notes: str = "",
                  occurred_at: datetime.datetime | None = None) -> LeadCall:
    """Log a call on a lead (it counts toward the caller's calls); a new lead becomes "working"."""
    if not can(actor, Action.CHANGE, lead):
        raise PermissionDenied(_("You may not log calls on this lead."))
    caller = _user(actor)
    if caller is None:
        raise PermissionDenied(_("Only people make calls."))
    errors: dict[str, list[str]] = {}
    if outcome not in CallOutcome.values:
        errors["outcome"] = [_("Value %(value)r is not a valid choice.") % {"value": outcome}]
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Include a time-zone offset.")]
    elif occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = [_("A call cannot be logged in the future.")]
    if len(notes) > MAX_NOTES:
        errors["notes"] = [_("At most %(limit)d characters (this has %(length)d).")
                           % {"limit": MAX_NOTES, "length": len(notes)}]
    if errors:
        raise ValidationFailed(_("The call is invalid."), errors=errors)
    with transaction.atomic():
        call = LeadCall.objects.create(lead=lead, caller=caller, outcome=outcome, notes=notes.strip(),
                                       occurred_at=occurred_at)
        audit_created(actor=actor, obj=call, fields=("lead", "outcome", "occurred_at", "notes"),
                      summary=f"Call on lead {lead.public_id}")
        if lead.status == LeadStatus.NEW:
            Lead.objects.filter(pk=lead.pk, status=LeadStatus.NEW).update(status=LeadStatus.WORKING,
                                                                         updated_at=timezone.now())
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=lead,
                         changes={"status": [LeadStatus.NEW, LeadStatus.WORKING]})
            lead.status = LeadStatus.WORKING
    return call


def lead_disqualify(*, actor: Any, lead: Lead, reason: str) -> Lead:
    if not can(actor, Action.CHANGE, lead):
        raise PermissionDenied(_("You may not change this lead."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the lead is disqualified."),
                               errors={"disqualify_reason": [_("Say why the lead is disqualified.")]})
    if len(reason) > 500:
        raise ValidationFailed(_("The reason is too long."), errors={"disqualify_reason": [
            _("At most %(limit)d characters (this has %(length)d).") % {"limit": 500, "length": len(reason)}]})
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status not in OPEN_LEAD_STATUSES:
            raise Conflict(_("This lead is already %(status)s.") % {"status": locked.get_status_display().lower()})
        before = snapshot(locked, LEAD_FIELDS)
        locked.status, locked.disqualify_reason = LeadStatus.DISQUALIFIED, reason
        locked.save(update_fields=["status", "disqualify_reason", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked,
                     changes=diff(before, snapshot(locked, LEAD_FIELDS)))
    return locked


@dataclass(frozen=True)
class Qualification:
    """What qualifying a lead made: the account (new or existing), the contact (new, existing or none), the
    new-business opportunity, and the SDR → AE handoff (None when the actor is not an SDR)."""

    lead: Lead
    account: Account
    contact: Contact | None
    opportunity: Opportunity
    handoff: Any
    account_created: bool


def _holds(user: Any, role_code: str) -> bool:
    return user is not None and _user(user) is not None and user.roles.filter(code=role_code).exists()


def lead_qualify(*, actor: Any, lead: Lead, ae: User | None, account: Account | None = None,
                 opportunity_name: str = "", close_date: datetime.date | None = None,
                 mrr_delta: Decimal | None = None, one_off_amount: Decimal | None = None,
                 currency: str | None = None, note: str = "") -> Qualification:
    """Turn a lead into a customer record in one step: an account (or the existing ``account``), a contact from
    the lead's person (or the account's contact with that email), a new-business opportunity owned by ``ae``,
    and — when the actor is an SDR — a handoff SDR → AE with its checklist. All or nothing: any refusal leaves
    no account, contact, opportunity or handoff behind and the lead unchanged."""
    if not can(actor, Action.CHANGE, lead):
        raise PermissionDenied(_("You may not qualify this lead."))
    if lead.status not in OPEN_LEAD_STATUSES:
        raise Conflict(_("This lead is already %(status)s.") % {"status": lead.get_status_display().lower()},
                       errors={"status": [_("Only new or working leads can be qualified.")]})
    if ae is None or not ae.is_active or not ae.roles.filter(code="ae").exists():
        raise ValidationFailed(_("Choose an account executive."),
                               errors={"ae": [_("Choose an active colleague who holds the account-executive "
                                                "role.")]})
    if account is not None and not can(actor, Action.VIEW, account):
        raise ValidationFailed(_("Unknown account."), errors={"account": [_("Unknown account.")]})
    sender = _real(actor)
    sdr = lead.owner if _holds(lead.owner, "sdr") else (sender if _holds(sender, "sdr") else None)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status not in OPEN_LEAD_STATUSES:
            raise Conflict(_("This lead is already %(status)s.") % {"status": locked.get_status_display().lower()})
        created = account is None
        if account is None:
            account = account_services.account_create(
                actor=actor, name=lead.company_name, domain=lead.domain, country=lead.country or None,
                currency=currency or None, lifecycle_stage="trial", owner=_user(actor))
        account = _staff(actor, account, sdr=sdr, ae=ae, created=created)
        contact = _contact_for(actor, lead, account)
        opportunity = opportunity_services.opportunity_create(
            actor=actor, account=account, type=OpportunityType.NEW_BUSINESS,
            name=opportunity_name.strip() or _("%(company)s — new business") % {"company": lead.company_name},
            close_date=close_date or timezone.localdate() + datetime.timedelta(days=30), owner=ae,
            mrr_delta=mrr_delta, one_off_amount=one_off_amount, currency=currency or account.currency)
        handoff = None
        if _holds(sender, "sdr") and ae.pk != sender.pk and can(actor, Action.CHANGE, account):
            handoff = collaboration_services.handoff_start(
                actor=actor, account=account, to_user=ae, to_role_code="ae", from_role_code="sdr",
                note=note or _("Qualified from the lead %(company)s.") % {"company": lead.company_name})
        before = snapshot(locked, LEAD_FIELDS)
        locked.status, locked.account, locked.opportunity = LeadStatus.QUALIFIED, account, opportunity
        locked.qualified_at = timezone.now()
        locked.save(update_fields=["status", "account", "opportunity", "qualified_at", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked,
                     changes={**diff(before, snapshot(locked, LEAD_FIELDS)),
                              "account": [None, account.public_id], "opportunity": [None, opportunity.public_id]},
                     summary=f"Qualified lead {lead.company_name}")
        calls = locked.calls.count()
        record_system_activity(
            account=account, type=ActivityType.SYSTEM_EVENT, actor=actor, source=locked,
            subject=_("Lead qualified: %(company)s") % {"company": lead.company_name},
            payload={"event": "lead_qualified", "lead": locked.public_id, "company": lead.company_name,
                     "calls": calls, "source": lead.source},
            contacts=[contact] if contact else ())
    return Qualification(lead=locked, account=account, contact=contact, opportunity=opportunity, handoff=handoff,
                         account_created=created)


def _staff(actor: Any, account: Account, *, sdr: User | None, ae: User, created: bool) -> Account:
    """Seat the SDR and the AE on the account team and make the AE the owner of a new account."""
    if not can(actor, Action.CHANGE, account):
        return account  # an existing account the actor may only see: the opportunity and its owner carry the deal
    seats = account.team_members.select_related("role")
    taken = {seat.role.code: seat.user_id for seat in seats}
    if sdr is not None and "sdr" not in taken:
        account_team_assign(actor=actor, account=account, role_code="sdr", user=sdr, reason=_("Lead qualified"))
    if "ae" not in taken:
        account_team_assign(actor=actor, account=account, role_code="ae", user=ae, reason=_("Lead qualified"))
    if created and account.owner_id != ae.pk:
        return account_services.account_update(actor=actor, account=account, owner=ae)
    return account


def _contact_for(actor: Any, lead: Lead, account: Account) -> Contact | None:
    if not (lead.contact_first_name or lead.contact_last_name or lead.contact_email):
        return None
    if lead.contact_email:
        existing = Contact.objects.filter(account=account, email__iexact=lead.contact_email).first()
        if existing is not None:
            return existing
    return contact_services.contact_create(
        actor=actor, account=account, first_name=lead.contact_first_name, last_name=lead.contact_last_name,
        email=lead.contact_email, phones=[lead.contact_phone] if lead.contact_phone else [],
        title=lead.contact_title)
