"""What each kind of import understands: its fields, how a row becomes a create or an update, and how it
is written. Writes go through each app's services, so imports are validated, permission-checked and
audited exactly like the UI and the API. Later capabilities add importers with ``register``."""

from __future__ import annotations

import copy
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Choices
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts import services as account_services
from tandem.accounts import team as account_team
from tandem.accounts.choices import TEAM_ROLE_CODES, EmployeeBand, LifecycleStage, StatusFlag, Tier
from tandem.accounts.models import Account
from tandem.contacts import services as contact_services
from tandem.contacts.choices import BuyingRole
from tandem.contacts.logic import normalise_email
from tandem.contacts.models import Contact
from tandem.core.bulk import build
from tandem.core.exceptions import DomainError
from tandem.customfields.choices import CUSTOMIZABLE_RESOURCES
from tandem.customfields.selectors import custom_field_list
from tandem.customfields.services import custom_field_definitions, custom_values_apply
from tandem.identity.models import User


@dataclass(frozen=True)
class ImportField:
    name: str
    label: Any
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class MappedRow:
    """One data row after column mapping: field name -> text, plus where each field came from."""

    line: int
    values: dict[str, str]
    columns: dict[str, str]  # field name -> column header in the file

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass
class Prepared:
    """A validated row: ``write`` performs it (create or update) and returns "created" or "updated".
    Importers that write many rows at once also fill ``new`` (the validated record to create) or ``existing``
    and ``changes`` (the record to update and how)."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    write: Callable[[], str] | None = None
    new: Any = None
    existing: Any = None
    changes: dict[str, Any] | None = None


class SeenKeys:
    """Which upsert keys (an email, an external id) earlier lines of the file used, and on which line. A key is kept
    as its 64-bit hash with the line number, in an open-addressing table of two flat arrays (12 bytes a slot, at most
    half full): a million keys take ~25 MB, where a dict of them took ~100 MB. Two keys whose hashes collide
    (odds ~10⁻⁷ in a million-row file) would be reported as duplicates; a file is read by one process, so Python's
    own string hash serves."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        capacity = 1 << max(3, (capacity - 1).bit_length())  # a power of two: slots are found by masking the hash
        self._count = 0
        self._hashes = array("Q", bytes(8 * capacity))  # 0: an empty slot
        self._lines = array("I", bytes(4 * capacity))

    @staticmethod
    def _hash(key: str) -> int:
        return (hash(key) & 0xFFFF_FFFF_FFFF_FFFF) or 1

    def _slot(self, digest: int) -> int:
        hashes = self._hashes
        mask = len(hashes) - 1
        index = digest & mask
        while hashes[index] not in (digest, 0):
            index = (index + 1) & mask
        return index

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: str) -> bool:
        digest = self._hash(key)
        return self._hashes[self._slot(digest)] == digest

    def __getitem__(self, key: str) -> int:
        digest = self._hash(key)
        index = self._slot(digest)
        if self._hashes[index] != digest:
            raise KeyError(key)
        return self._lines[index]

    def __setitem__(self, key: str, line: int) -> None:
        digest = self._hash(key)
        index = self._slot(digest)
        if self._hashes[index] != digest:
            if 2 * (self._count + 1) > len(self._hashes):
                self._grow()
                index = self._slot(digest)
            self._hashes[index] = digest
            self._count += 1
        self._lines[index] = line

    def _grow(self) -> None:
        hashes, lines = self._hashes, self._lines
        self._hashes = array("Q", bytes(16 * len(hashes)))
        self._lines = array("I", bytes(8 * len(lines)))
        for digest, line in zip(hashes, lines, strict=True):
            if digest:
                index = self._slot(digest)
                self._hashes[index], self._lines[index] = digest, line


KEPT_PER_LOOKUP = 100_000


@dataclass
class FileContext:
    """State shared by the rows of one file: keys already seen, and lookup caches. ``found`` holds what a
    ``prefetch`` looked up for the current chunk of rows (lookup name -> key -> record); a lookup that was
    prefetched is answered from it, one that was not goes to the database."""

    seen_keys: SeenKeys = field(default_factory=lambda: SeenKeys())
    users: dict[str, User | None] = field(default_factory=dict)
    pending_accounts: set[str] = field(default_factory=set)  # external ids created earlier in this file
    found: dict[str, dict[Any, Any]] = field(default_factory=dict)
    kept: dict[str, dict[Any, Any]] = field(default_factory=dict)  # lookups kept from chunk to chunk (see keep)
    definitions: dict[str, Any] = field(default_factory=dict)  # resource -> custom field definitions

    def lookup(self, name: str, key: Any, query: Callable[[], Any]) -> Any:
        table = self.found.get(name)
        if table is None:
            return query()
        return table.get(key)

    def keep(self, name: str, keys: set[Any], fetch: Callable[[set[Any]], dict[Any, Any]]) -> None:
        """Prefetch ``name`` for ``keys``, keeping what was found (or not found) for later chunks of the file: a
        file refers to the same records (accounts) again and again. ``fetch`` looks up the keys not yet known. At
        most KEPT_PER_LOOKUP keys are kept per lookup (~500 bytes each); past that the table starts afresh."""
        table = self.kept.setdefault(name, {})
        wanted = keys - table.keys()
        if len(table) + len(wanted) > KEPT_PER_LOOKUP:
            table.clear()
            wanted = set(keys)
        if wanted:
            found = fetch(wanted)
            for key in wanted:
                table[key] = found.get(key)
        self.found[name] = table


@dataclass(frozen=True)
class Importer:
    kind: str
    label: Any
    resource: str
    fields: tuple[ImportField, ...]
    prepare: Callable[[Any, MappedRow, FileContext], Prepared]
    # Optional, for speed: look up what a chunk of rows refers to in a few queries (fills context.found) ...
    prefetch: Callable[[Any, list[MappedRow], FileContext], None] | None = None
    # ... and write a chunk of prepared rows in a few statements; returns counts by outcome.
    write_many: Callable[[Any, list[Prepared]], dict[str, int]] | None = None
    # The row's upsert key (e.g. its email): rows sharing one are written by the same process in a parallel import.
    partition_key: Callable[[MappedRow], str] | None = None

    def all_fields(self) -> list[ImportField]:
        """The built-in fields plus the record type's custom fields (named ``custom.<key>``)."""
        custom = [ImportField(f"custom.{field.key}", field.label, required=field.required)
                  for field in custom_field_list(resource=self.resource)] if self.resource in CUSTOMIZABLE_RESOURCES \
            else []
        return [*self.fields, *custom]

    def field_names(self) -> list[str]:
        return [f.name for f in self.all_fields()]


_IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    _IMPORTERS[importer.kind] = importer


def get_importer(kind: str) -> Importer:
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise LookupError(kind) from None


def all_importers() -> list[Importer]:
    return list(_IMPORTERS.values())


def guess_mapping(importer: Importer, headers: list[str]) -> dict[str, str]:
    """header -> field name, by matching names, labels and aliases case- and punctuation-insensitively."""
    def simple(text: str) -> str:
        return "".join(ch for ch in str(text).lower() if ch.isalnum())

    known: dict[str, str] = {}
    for item in importer.all_fields():
        for candidate in (item.name, str(item.label), *item.aliases):
            known.setdefault(simple(candidate), item.name)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = known.get(simple(header))
        if target and target not in used:
            mapping[header] = target
            used.add(target)
    return mapping


# --- helpers --------------------------------------------------------------------------------------------


_CODE_TABLES: dict[Any, dict[str, str]] = {}
_LABEL_TABLES: dict[tuple[Any, str | None], dict[str, str]] = {}


def _listed(choices: type[Choices] | list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return list(choices.choices) if isinstance(choices, type) else choices


def _choice(value: str, choices: type[Choices] | list[tuple[str, Any]]) -> str | None:
    """The code of a choice written as its code (any case, '-' or ' ' for '_') or its label in the active language.
    Pass the choices class itself where there is one: its ``.choices`` list is built anew on every access (with
    lazy labels), which cost a contact import a fifth of its validation time. Codes are tried first, without asking
    for the active language (~10 µs a row)."""
    key = choices if isinstance(choices, type) else tuple(code for code, _label in choices)
    codes = _CODE_TABLES.get(key)
    if codes is None:
        codes = {}
        for code, _label in reversed(_listed(choices)):  # earlier choices win, as when they were compared in order
            for spelling in (code.lower(), code.replace("_", " ").lower(), code.replace("_", "-").lower()):
                codes[spelling] = code
        _CODE_TABLES[key] = codes
    written = value.strip().lower()
    if written in codes:
        return codes[written]
    language_key = (key, translation.get_language())
    labels = _LABEL_TABLES.get(language_key)
    if labels is None:
        labels = {str(label).lower(): code for code, label in reversed(_listed(choices))}
        _LABEL_TABLES[language_key] = labels
    return labels.get(written)


def _bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "y", "x", "ja", "是", "예"}:
        return True
    if lowered in {"", "0", "false", "no", "n", "nein", "否", "아니요"}:
        return False
    return None


def _user(context: FileContext, email: str) -> User | None:
    key = email.strip().lower()
    if key not in context.users:
        context.users[key] = User.objects.filter(email=key, is_active=True).first()
    return context.users[key]


def _errors_from(error: DomainError, field_to_column: dict[str, str]) -> list[tuple[str, str]]:
    if not error.errors:
        return [("", error.message)]
    # one reason per column is enough: "use a two-letter code" says more than "at most 2 characters"
    return [(field_to_column.get(name, name), messages[0]) for name, messages in error.errors.items() if messages]


def _custom(actor: Any, resource: str, row: MappedRow, current: dict[str, Any] | None, creating: bool,
            context: FileContext) -> tuple[dict[str, Any] | None, dict[str, Any], list[tuple[str, str]]]:
    """Validate the row's ``custom.<key>`` columns; returns (raw changes or None, the resulting values,
    errors by column)."""
    changes = {name[len("custom."):]: value for name, value in row.values.items()
               if name.startswith("custom.") and value != ""}
    if resource not in context.definitions:
        context.definitions[resource] = custom_field_definitions(resource=resource)
    try:
        applied = custom_values_apply(actor=actor, resource=resource, current=current, changes=changes,
                                      creating=creating, definitions=context.definitions[resource])
    except DomainError as error:
        return None, {}, [(row.column(name), message) for name, messages in error.errors.items()
                          for message in messages]
    return changes, applied, []


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").replace("|", ",").split(",") if part.strip()]


# --- accounts ----------------------------------------------------------------------------------------------

ACCOUNT_FIELDS = (
    ImportField("name", gettext_lazy("Name"), required=True, aliases=("account", "account name", "company",
                                                                     "firma", "公司", "회사")),
    ImportField("external_id", gettext_lazy("External id"), aliases=("id", "customer id", "billing id")),
    ImportField("domain", gettext_lazy("Domain"), aliases=("website", "web", "url")),
    ImportField("other_domains", gettext_lazy("Other domains")),
    ImportField("industry", gettext_lazy("Industry"), aliases=("branche", "行业")),
    ImportField("country", gettext_lazy("Country"), aliases=("land", "国家", "국가")),
    ImportField("employee_band", gettext_lazy("Employees"), aliases=("employee band", "size")),
    ImportField("currency", gettext_lazy("Currency"), aliases=("währung",)),
    ImportField("tier", gettext_lazy("Tier"), aliases=("segment",)),
    ImportField("lifecycle_stage", gettext_lazy("Lifecycle stage"), aliases=("stage",)),
    ImportField("status_flags", gettext_lazy("Status flags"), aliases=("flags",)),
    ImportField("parent_external_id", gettext_lazy("Parent external id"), aliases=("parent id", "parent")),
    ImportField("owner_email", gettext_lazy("Owner email"), aliases=("owner",)),
)


def _prepare_account(actor: Any, row: MappedRow, context: FileContext) -> Prepared:
    prepared = Prepared()
    errors = prepared.errors
    values: dict[str, Any] = {}
    name = row.get("name", "")
    if not name:
        errors.append((row.column("name"), _("A name is required.")))
    for text_field in ("domain", "industry", "country", "currency"):
        if row.get(text_field):
            values[text_field] = row[text_field]
    external_id = row.get("external_id", "")
    if external_id:
        values["external_id"] = external_id
    if row.get("other_domains"):
        values["other_domains"] = _list(row["other_domains"])
    for choice_field, choices in (("tier", Tier), ("lifecycle_stage", LifecycleStage),
                                  ("employee_band", EmployeeBand)):
        if row.get(choice_field):
            code = _choice(row[choice_field], choices)
            if code is None:
                allowed = ", ".join(choices.values)
                errors.append((row.column(choice_field),
                               _("Unknown value %(value)s; use one of: %(allowed)s")
                               % {"value": row[choice_field], "allowed": allowed}))
            else:
                values[choice_field] = code
    if row.get("status_flags"):
        flags = [_choice(flag, StatusFlag) for flag in _list(row["status_flags"])]
        if None in flags:
            errors.append((row.column("status_flags"), _("Unknown status flag.")))
        else:
            values["status_flags"] = flags
    if row.get("owner_email"):
        owner = _user(context, row["owner_email"])
        if owner is None:
            errors.append((row.column("owner_email"),
                           _("No active user with email %(email)s.") % {"email": row["owner_email"]}))
        else:
            values["owner"] = owner
    parent_key = row.get("parent_external_id", "")
    parent: Account | None = None
    if parent_key:
        parent = restrict(Account.objects.filter(external_id=parent_key), actor).first()
        if parent is None and parent_key not in context.pending_accounts:
            errors.append((row.column("parent_external_id"),
                           _("Unknown parent account %(id)s.") % {"id": parent_key}))
    key = f"external_id:{external_id}" if external_id else (f"domain:{values.get('domain', '').lower()}"
                                                            if values.get("domain") else "")
    if key and key in context.seen_keys:
        errors.append((row.column("external_id" if external_id else "domain"),
                       _("Duplicate of line %(line)s in this file.") % {"line": context.seen_keys[key]}))
    existing = None
    if external_id:
        existing = Account.objects.filter(external_id=external_id).first()
    elif values.get("domain"):
        existing = Account.objects.filter(domain=values["domain"].strip().lower()).first()
    if existing is not None and not can(actor, Action.CHANGE, existing):
        errors.append((row.column("external_id" if external_id else "domain"),
                       _("An existing account matches this row, and you may not change it.")))
    if existing is None and not can(actor, Action.CREATE, resource="account"):
        errors.append(("", _("You may not create accounts.")))
    if errors:
        return prepared
    field_to_column = {name: row.column(name) for name in (*values, "name", "parent")}
    field_to_column["parent"] = row.column("parent_external_id")
    candidate = copy.copy(existing) if existing is not None else Account()
    candidate.name = name
    for attribute, value in values.items():
        setattr(candidate, attribute, value)
    if parent is not None:
        candidate.parent = parent
    try:
        account_services.account_validate(account=candidate)
    except DomainError as error:
        prepared.errors.extend(_errors_from(error, field_to_column))
        return prepared
    custom, _applied, custom_errors = _custom(actor, "account", row, existing.custom if existing else {},
                                              existing is None, context)
    if custom_errors:
        prepared.errors.extend(custom_errors)
        return prepared
    if custom:
        values["custom"] = custom
    if key:
        context.seen_keys[key] = int(row.line)
    if external_id and existing is None:
        context.pending_accounts.add(external_id)

    def write() -> str:
        fields = dict(values)
        if parent_key:
            fields["parent"] = parent or Account.objects.get(external_id=parent_key)
        if existing is not None:
            account_services.account_update(actor=actor, account=existing, name=name, **fields)
            return "updated"
        account_services.account_create(actor=actor, name=name, **fields)
        return "created"

    prepared.write = write
    return prepared


# --- contacts ------------------------------------------------------------------------------------------

CONTACT_FIELDS = (
    ImportField("first_name", gettext_lazy("First name"), aliases=("firstname", "given name", "vorname", "名")),
    ImportField("last_name", gettext_lazy("Last name"), aliases=("lastname", "surname", "family name", "nachname",
                                                                 "姓")),
    ImportField("email", gettext_lazy("Email"), aliases=("e-mail", "email address", "mail", "邮箱", "이메일")),
    ImportField("phones", gettext_lazy("Phones"), aliases=("phone", "telephone", "telefon", "mobile", "电话",
                                                           "전화")),
    ImportField("title", gettext_lazy("Job title"), aliases=("position", "job")),
    ImportField("buying_role", gettext_lazy("Buying role"), aliases=("role",)),
    ImportField("language", gettext_lazy("Preferred language"), aliases=("language", "sprache")),
    ImportField("time_zone", gettext_lazy("Time zone"), aliases=("timezone", "tz")),
    ImportField("email_opt_out", gettext_lazy("Opted out of email"), aliases=("unsubscribed",)),
    ImportField("survey_opt_out", gettext_lazy("Opted out of surveys")),
    ImportField("external_id", gettext_lazy("External id"), aliases=("id", "contact id")),
    ImportField("account_external_id", gettext_lazy("Account external id")),
    ImportField("account_domain", gettext_lazy("Account domain"), aliases=("company domain",)),
)


def _email_key(value: str) -> str:
    return normalise_email(value).lower()


def _prefetch_contacts(actor: Any, rows: list[MappedRow], context: FileContext) -> None:
    """What a chunk of contact rows refers to, in six queries instead of several per row."""
    external_ids = {row["external_id"] for row in rows if row.get("external_id")}
    emails = {_email_key(row["email"]) for row in rows if row.get("email")}
    by_external_id: dict[Any, Any] = {}
    for contact in Contact.objects.filter(external_id__any_of=external_ids).order_by("last_name", "first_name", "id"):
        by_external_id.setdefault(contact.external_id, contact)
    by_email: dict[Any, Any] = {}
    for contact in (Contact.objects.alias(email_key=Lower("email")).filter(email_key__any_of=emails)
                    .order_by("last_name", "first_name", "id")):
        by_email.setdefault(contact.email.lower(), contact)
    found = {contact.pk for contact in (*by_external_id.values(), *by_email.values())}
    changeable = set(restrict(Contact.objects.filter(pk__any_of=found), actor, Action.CHANGE)
                     .values_list("pk", flat=True)) if found else set()
    visible = restrict(Account.objects.only("id", "name", "country", "external_id", "domain"), actor)
    account_ids = {row["account_external_id"] for row in rows if row.get("account_external_id")}
    domains = {row["account_domain"].strip().lower() for row in rows
               if row.get("account_domain") and not row.get("account_external_id")}
    context.found = {
        "contact_by_external_id": by_external_id,
        "contact_by_email": by_email,
        "contact_changeable": {pk: True for pk in changeable},
    }
    context.keep("account_by_external_id", account_ids,
                 lambda keys: {a.external_id: a for a in visible.filter(external_id__any_of=keys)})
    context.keep("account_by_domain", domains, lambda keys: _first_by(visible.filter(domain__any_of=keys), "domain"))


def _first_by(accounts: Any, attribute: str) -> dict[Any, Any]:
    table: dict[Any, Any] = {}
    for account in accounts.order_by("name", "id"):
        table.setdefault(getattr(account, attribute), account)
    return table


def _prepare_contact(actor: Any, row: MappedRow, context: FileContext) -> Prepared:
    prepared = Prepared()
    errors = prepared.errors
    values: dict[str, Any] = {}
    for text_field in ("first_name", "last_name", "email", "title", "language", "time_zone", "external_id"):
        if row.get(text_field):
            values[text_field] = row[text_field]
    if row.get("phones"):
        values["phones"] = _list(row["phones"])
    if row.get("buying_role"):
        code = _choice(row["buying_role"], BuyingRole)
        if code is None:
            errors.append((row.column("buying_role"),
                           _("Unknown buying role %(value)s.") % {"value": row["buying_role"]}))
        else:
            values["buying_role"] = code
    for flag in ("email_opt_out", "survey_opt_out"):
        if row.get(flag):
            parsed = _bool(row[flag])
            if parsed is None:
                errors.append((row.column(flag), _("Use yes or no.")))
            else:
                values[flag] = parsed
    account = None
    if row.get("account_external_id") or row.get("account_domain"):
        if row.get("account_external_id"):
            key = row["account_external_id"]
            account = context.lookup("account_by_external_id", key, lambda: restrict(
                Account.objects.filter(external_id=key), actor).first())
        else:
            domain = row["account_domain"].strip().lower()
            account = context.lookup("account_by_domain", domain, lambda: restrict(
                Account.objects.filter(domain=domain), actor).order_by("name", "id").first())
        if account is None:
            which = "account_external_id" if row.get("account_external_id") else "account_domain"
            errors.append((row.column(which), _("Unknown account %(key)s.") % {"key": row[which]}))
        else:
            values["account"] = account
    key = f"email:{values['email'].lower()}" if values.get("email") else (
        f"external_id:{values['external_id']}" if values.get("external_id") else "")
    if key and key in context.seen_keys:
        errors.append((row.column("email"),
                       _("Duplicate of line %(line)s in this file.") % {"line": context.seen_keys[key]}))
    existing = None
    if values.get("external_id"):
        external_id = values["external_id"]
        existing = context.lookup("contact_by_external_id", external_id,
                                  lambda: Contact.objects.filter(external_id=external_id).first())
    if existing is None and values.get("email"):
        email = _email_key(values["email"])
        existing = context.lookup("contact_by_email", email, lambda: Contact.objects.alias(
            email_key=Lower("email")).filter(email_key=email).first())
    if existing is not None and not context.lookup("contact_changeable", existing.pk,
                                                   lambda: can(actor, Action.CHANGE, existing)):
        errors.append((row.column("email"), _("An existing contact matches this row, and you may not "
                                                       "change it.")))
    if existing is None and not can(actor, Action.CREATE, resource="contact"):
        errors.append(("", _("You may not create contacts.")))
    if errors:
        return prepared
    if existing is not None:
        candidate = copy.copy(existing)
        for name, value in values.items():
            setattr(candidate, name, value)
    else:
        candidate = build(Contact, values)
    try:
        contact_services.contact_validate(contact=candidate)
    except DomainError as error:
        prepared.errors.extend(_errors_from(error, {name: row.column(name) for name in values}))
        return prepared
    custom, applied, custom_errors = _custom(actor, "contact", row, existing.custom if existing else {},
                                             existing is None, context)
    if custom_errors:
        prepared.errors.extend(custom_errors)
        return prepared
    if custom:
        values["custom"] = custom
    if key:
        context.seen_keys[key] = int(row.line)
    if existing is None:
        candidate.custom = applied
        prepared.new = candidate
    else:
        prepared.existing, prepared.changes = existing, values

    def write() -> str:
        if existing is not None:
            contact_services.contact_update(actor=actor, contact=existing, **values)
            return "updated"
        contact_services.contact_create(actor=actor, **values)
        return "created"

    prepared.write = write
    return prepared


def _contact_partition_key(row: MappedRow) -> str:
    """What a contact row is matched by: rows that could meet the same contact go to the same import process."""
    return _email_key(row["email"]) if row.get("email") else (
        f"external_id:{row['external_id']}" if row.get("external_id") else "")


def _write_contacts(actor: Any, rows: list[Prepared]) -> dict[str, int]:
    return contact_services.contact_import_many(
        actor=actor, creates=[row.new for row in rows if row.new is not None],
        updates=[(row.existing, row.changes or {}) for row in rows if row.existing is not None])


# --- account team --------------------------------------------------------------------------------------

TEAM_FIELDS = (
    ImportField("account_external_id", gettext_lazy("Account external id"), aliases=("external id", "account id")),
    ImportField("account_domain", gettext_lazy("Account domain"), aliases=("domain",)),
    ImportField("role", gettext_lazy("Role"), required=True),
    ImportField("user_email", gettext_lazy("User email"), required=True, aliases=("user", "email")),
)


def _prepare_team(actor: Any, row: MappedRow, context: FileContext) -> Prepared:
    prepared = Prepared()
    accounts = restrict(Account.objects.all(), actor, Action.CHANGE)
    account = None
    if row.get("account_external_id"):
        account = accounts.filter(external_id=row["account_external_id"]).first()
    elif row.get("account_domain"):
        account = accounts.filter(domain=row["account_domain"].strip().lower()).first()
    if account is None:
        prepared.errors.append((row.column("account_external_id"),
                                _("Unknown account, or you may not change it.")))
    role = (row.get("role") or "").strip().lower()
    if role not in TEAM_ROLE_CODES:
        prepared.errors.append((row.column("role"), _("Unknown team role %(role)s; use one of: %(allowed)s")
                                % {"role": row.get("role", ""), "allowed": ", ".join(TEAM_ROLE_CODES)}))
    user = _user(context, row.get("user_email", "")) if row.get("user_email") else None
    if user is None:
        prepared.errors.append((row.column("user_email"), _("No active user with email %(email)s.")
                                % {"email": row.get("user_email", "")}))
    elif role in TEAM_ROLE_CODES and not user.roles.filter(code=role).exists():
        prepared.errors.append((row.column("user_email"),
                                _("%(email)s does not hold the role %(role)s.") % {"email": user.email, "role": role}))
    if prepared.errors:
        return prepared

    def write() -> str:
        assert account is not None
        changed = account_team.account_team_assign(actor=actor, account=account, role_code=role, user=user,
                                                   reason=_("Import"))
        return "updated" if changed else "unchanged"

    prepared.write = write
    return prepared


def register_builtin() -> None:
    register(Importer("accounts", gettext_lazy("Accounts"), "account", ACCOUNT_FIELDS, _prepare_account))
    register(Importer("contacts", gettext_lazy("Contacts"), "contact", CONTACT_FIELDS, _prepare_contact,
                      prefetch=_prefetch_contacts, write_many=_write_contacts,
                      partition_key=_contact_partition_key))
    register(Importer("account_team", gettext_lazy("Account team"), "account", TEAM_FIELDS, _prepare_team))
