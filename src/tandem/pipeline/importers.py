"""CSV/XLSX imports of leads and opportunities through the transfer framework (`tandem import leads FILE`,
`tandem import opportunities FILE`, or Import in the UI). Rows are checked exactly like the form and the API
(the same validation, the same permission and field-group checks) and written through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.core.exceptions import DomainError
from tandem.pipeline import leads as lead_services
from tandem.pipeline import selectors, services
from tandem.pipeline.choices import LeadSource, OpportunityType
from tandem.pipeline.models import Lead, Opportunity
from tandem.transfer.importers import FileContext, Importer, ImportField, MappedRow, Prepared
from tandem.transfer.importers import register as register_importer

LEAD_FIELDS = (
    ImportField("company_name", gettext_lazy("Company"), required=True, aliases=("company", "account", "firma",
                                                                                "公司", "회사")),
    ImportField("domain", gettext_lazy("Domain"), aliases=("website",)),
    ImportField("country", gettext_lazy("Country")),
    ImportField("contact_first_name", gettext_lazy("First name"), aliases=("first name", "vorname")),
    ImportField("contact_last_name", gettext_lazy("Last name"), aliases=("last name", "nachname")),
    ImportField("contact_email", gettext_lazy("Email"), aliases=("email", "e-mail")),
    ImportField("contact_phone", gettext_lazy("Phone"), aliases=("phone", "telefon")),
    ImportField("contact_title", gettext_lazy("Job title"), aliases=("title",)),
    ImportField("source", gettext_lazy("Source")),
    ImportField("trial_started_on", gettext_lazy("Trial start"), aliases=("trial start",)),
    ImportField("trial_ends_on", gettext_lazy("Trial end"), aliases=("trial end",)),
    ImportField("owner_email", gettext_lazy("Owner email"), aliases=("owner",)),
    ImportField("notes", gettext_lazy("Notes")),
    ImportField("external_id", gettext_lazy("External id"), aliases=("id", "lead id")),
)
OPPORTUNITY_FIELDS = (
    ImportField("account_external_id", gettext_lazy("Account external id"), aliases=("account id",)),
    ImportField("account_domain", gettext_lazy("Account domain"), aliases=("domain",)),
    ImportField("type", gettext_lazy("Type"), required=True),
    ImportField("name", gettext_lazy("Name"), required=True, aliases=("opportunity", "deal")),
    ImportField("stage", gettext_lazy("Stage")),
    ImportField("mrr_delta", gettext_lazy("MRR change"), aliases=("mrr", "mrr delta")),
    ImportField("one_off_amount", gettext_lazy("One-off amount"), aliases=("one-off", "one off")),
    ImportField("currency", gettext_lazy("Currency")),
    ImportField("close_date", gettext_lazy("Close date"), required=True, aliases=("close",)),
    ImportField("owner_email", gettext_lazy("Owner email"), aliases=("owner",)),
    ImportField("competitors", gettext_lazy("Competitors")),
    ImportField("loss_reason", gettext_lazy("Loss reason")),
)


def _choice(value: str, choices: list[tuple[str, Any]]) -> str | None:
    text = value.strip().lower()
    for code, label in choices:
        if text in (code, code.replace("_", " "), code.replace("_", "-"), str(label).lower()):
            return code
    return None


def _date(value: str, row: MappedRow, name: str, errors: list[tuple[str, str]]) -> datetime.date | None:
    if not value.strip():
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        errors.append((row.column(name), _("Use a date such as 2025-03-31.")))
        return None


def _amount(value: str, row: MappedRow, name: str, errors: list[tuple[str, str]]) -> Decimal | None:
    text = value.strip().replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        errors.append((row.column(name), _("Enter an amount such as 1500.00.")))
        return None


def _owner(context: FileContext, row: MappedRow, errors: list[tuple[str, str]]) -> Any:
    email = row.get("owner_email").strip().lower()
    if not email:
        return None
    if email not in context.users:
        context.users[email] = selectors.active_user(email=email)
    if context.users[email] is None:
        errors.append((row.column("owner_email"), _("No active user with email %(email)s.") % {"email": email}))
    return context.users[email]


def _domain_errors(error: DomainError, row: MappedRow) -> list[tuple[str, str]]:
    if not error.errors:
        return [("", error.message)]
    names = {"owner": "owner_email", "account": "account_external_id"}
    return [(row.column(names.get(name, name)), messages[0]) for name, messages in error.errors.items() if messages]


def _prepare_lead(actor: Any, row: MappedRow, context: FileContext) -> Prepared:
    prepared = Prepared()
    errors = prepared.errors
    source: str = LeadSource.IMPORT
    if row.get("source").strip():
        source = _choice(row.get("source"), LeadSource.choices) or ""
        if not source:
            errors.append((row.column("source"), _("Unknown source %(value)s; use one of: %(allowed)s")
                           % {"value": row.get("source"), "allowed": ", ".join(LeadSource.values)}))
    values: dict[str, Any] = {name: row.get(name) for name in (
        "domain", "country", "contact_first_name", "contact_last_name", "contact_email", "contact_phone",
        "contact_title", "notes", "external_id")}
    values.update(source=source or LeadSource.IMPORT,
                  trial_started_on=_date(row.get("trial_started_on"), row, "trial_started_on", errors),
                  trial_ends_on=_date(row.get("trial_ends_on"), row, "trial_ends_on", errors))
    owner = _owner(context, row, errors)
    external_id = row.get("external_id").strip()
    existing = None
    if external_id:
        if external_id in context.seen_keys:
            errors.append((row.column("external_id"), _("The same external id is on line %(line)d.")
                           % {"line": context.seen_keys[external_id]}))
        context.seen_keys[external_id] = row.line
        existing = restrict(Lead.objects.all(), actor, Action.CHANGE).filter(external_id=external_id).first()
    if existing is None and not can(actor, Action.CREATE, resource="lead"):
        errors.append(("", _("You may not create leads.")))
    if errors:
        return prepared
    candidate = Lead(company_name=row.get("company_name"), owner=owner or (existing.owner if existing else actor),
                     **values)
    try:
        lead_services.lead_validate(lead=candidate)
    except DomainError as error:
        prepared.errors.extend(_domain_errors(error, row))
        return prepared

    def write() -> str:
        fields = {**values, "owner": candidate.owner}
        if existing is not None:
            lead_services.lead_update(actor=actor, lead=existing, company_name=row.get("company_name"), **fields)
            return "updated"
        lead_services.lead_create(actor=actor, company_name=row.get("company_name"), **fields)
        return "created"

    prepared.write = write
    return prepared


def _prepare_opportunity(actor: Any, row: MappedRow, context: FileContext) -> Prepared:
    prepared = Prepared()
    errors = prepared.errors
    accounts = restrict(Account.objects.all(), actor)
    account = None
    if row.get("account_external_id").strip():
        account = accounts.filter(external_id=row.get("account_external_id").strip()).first()
    elif row.get("account_domain").strip():
        domain = row.get("account_domain").strip().lower()
        account = accounts.filter(Q(domain=domain)).first()
    if account is None:
        errors.append((row.column("account_external_id"), _("Unknown account.")))
    type_code = _choice(row.get("type"), OpportunityType.choices)
    if type_code is None:
        errors.append((row.column("type"), _("Unknown opportunity type %(type)r.") % {"type": row.get("type")}))
    stage = None
    if type_code and row.get("stage").strip():
        text = row.get("stage").strip()
        pipeline = selectors.pipeline_for_type(type=type_code)
        stage = next((item for item in selectors.stages_of(pipeline=pipeline)
                      if text.lower() in (item.code, item.name.lower())), None)
        if stage is None:
            errors.append((row.column("stage"), _("The stage “%(stage)s” is not in the pipeline of %(type)s "
                                                  "opportunities.") % {"stage": text, "type": pipeline.name}))
    mrr_delta = _amount(row.get("mrr_delta"), row, "mrr_delta", errors)
    one_off = _amount(row.get("one_off_amount"), row, "one_off_amount", errors)
    if (mrr_delta is not None or one_off is not None) and not services.can_write_pricing(actor):
        errors.append((row.column("mrr_delta"), services.pricing_denied().message))
    close_date = _date(row.get("close_date"), row, "close_date", errors)
    owner = _owner(context, row, errors)
    if not can(actor, Action.CREATE, resource="opportunity"):
        errors.append(("", _("You may not create opportunities.")))
    if errors:
        return prepared
    assert account is not None and type_code is not None
    fields: dict[str, Any] = {"type": type_code, "name": row.get("name"), "close_date": close_date,
                              "owner": owner, "mrr_delta": mrr_delta, "one_off_amount": one_off,
                              "currency": row.get("currency").strip().upper() or None,
                              "competitors": [part.strip() for part in row.get("competitors").split(",")
                                              if part.strip()],
                              "loss_reason": row.get("loss_reason")}
    if stage is not None:
        fields["stage"] = stage
    candidate = Opportunity(account=account, stage=stage or selectors.first_open_stage(
        pipeline=selectors.pipeline_for_type(type=type_code)), **{
        key: value for key, value in fields.items() if key != "stage"})
    candidate.currency = candidate.currency or account.currency
    try:
        services.opportunity_validate(actor=actor, opportunity=candidate)
    except DomainError as error:
        prepared.errors.extend(_domain_errors(error, row))
        return prepared

    def write() -> str:
        services.opportunity_create(actor=actor, account=account, **fields)
        return "created"

    prepared.write = write
    return prepared


def register() -> None:
    register_importer(Importer("leads", gettext_lazy("Leads"), "lead", LEAD_FIELDS, _prepare_lead))
    register_importer(Importer("opportunities", gettext_lazy("Opportunities"), "opportunity", OPPORTUNITY_FIELDS,
                               _prepare_opportunity))
