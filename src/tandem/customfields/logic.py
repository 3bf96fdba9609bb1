"""Pure conversion and validation of custom-field values, the same for forms, the API and imports."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    key: str
    field_type: str
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Coerced:
    value: Any
    error: str | None = None


TRUE = {"1", "true", "yes", "y", "x", "ja", "是", "예", "on"}
FALSE = {"0", "false", "no", "n", "nein", "否", "아니요", "off", ""}
MONEY = re.compile(r"^\s*(?P<amount>-?[\d.,' ]+?)\s*(?P<currency>[A-Za-z]{3})?\s*$")


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def coerce(spec: FieldSpec, raw: Any, *, user_emails: frozenset[str] = frozenset()) -> Coerced:
    """Turn ``raw`` (text from a form or a file, or JSON from the API) into the stored value."""
    if is_empty(raw):
        return Coerced(None, "This field is required." if spec.required else None)
    kind = spec.field_type
    if kind in ("text", "long_text"):
        text = str(raw).strip()
        limit = 255 if kind == "text" else 10_000
        return Coerced(text, None) if len(text) <= limit else Coerced(None, f"At most {limit} characters.")
    if kind == "number":
        try:
            number = Decimal(str(raw).strip().replace(",", ".")) if not isinstance(raw, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            return Coerced(None, "Enter a number.")
        return Coerced(float(number), None)
    if kind == "money":
        return _money(raw)
    if kind == "date":
        try:
            return Coerced(datetime.date.fromisoformat(str(raw).strip()[:10]).isoformat(), None)
        except ValueError:
            return Coerced(None, "Enter a date as YYYY-MM-DD.")
    if kind == "choice":
        text = str(raw).strip()
        match = _match_choice(spec, text)
        return Coerced(match, None) if match else Coerced(None, f"Choose one of: {', '.join(spec.choices)}.")
    if kind == "multi_choice":
        items = raw if isinstance(raw, list) else [part for part in re.split(r"[,;|]", str(raw)) if part.strip()]
        matches = [_match_choice(spec, str(item).strip()) for item in items]
        if None in matches:
            return Coerced(None, f"Choose from: {', '.join(spec.choices)}.")
        return Coerced(sorted(set(matches), key=list(spec.choices).index), None)
    if kind == "boolean":
        if isinstance(raw, bool):
            return Coerced(raw, None)
        lowered = str(raw).strip().lower()
        if lowered in TRUE:
            return Coerced(True, None)
        if lowered in FALSE:
            return Coerced(False, None)
        return Coerced(None, "Use yes or no.")
    if kind == "user":
        email = str(raw).strip().lower()
        return Coerced(email, None) if email in user_emails else Coerced(None, f"No active user with email {email}.")
    return Coerced(None, "Unknown field type.")


def _match_choice(spec: FieldSpec, text: str) -> str | None:
    for choice in spec.choices:
        if choice.lower() == text.lower():
            return choice
    return None


def _money(raw: Any) -> Coerced:
    if isinstance(raw, dict):
        amount, currency = raw.get("amount"), str(raw.get("currency", "")).upper()
    else:
        match = MONEY.match(str(raw))
        if not match:
            return Coerced(None, "Enter an amount with a currency, e.g. 1200.50 EUR.")
        amount, currency = match["amount"], (match["currency"] or "").upper()
    try:
        text = str(amount).replace(" ", "").replace("'", "")
        if "," in text and "." in text:
            text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(
                ",", ".")
        else:
            text = text.replace(",", ".")
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        return Coerced(None, "Enter an amount with a currency, e.g. 1200.50 EUR.")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        return Coerced(None, "Add a three-letter currency code, e.g. EUR.")
    return Coerced({"amount": str(value.quantize(Decimal("0.01"))), "currency": currency}, None)


def display(field_type: str, value: Any) -> str:
    if is_empty(value):
        return ""
    if field_type == "money":
        return f"{value['amount']} {value['currency']}"
    if field_type == "multi_choice":
        return ", ".join(value)
    if field_type == "boolean":
        return "✓" if value else "✗"
    if field_type == "number":
        return f"{value:g}"
    return str(value)
