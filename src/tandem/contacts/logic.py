"""Pure helpers: phone and email normalisation."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class PhoneResult:
    normalised: str | None
    error: str | None


def normalise_phone(raw: str, *, default_region: str = "") -> PhoneResult:
    """E.164 for a valid number; an error message otherwise. ``default_region`` (ISO country) is used
    for numbers written without a country code."""
    text = raw.strip()
    if not text:
        return PhoneResult(None, "empty")
    try:
        number = phonenumbers.parse(text, default_region.upper() or None)
    except phonenumbers.NumberParseException:
        return PhoneResult(None, "unparseable")
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(None, "invalid")
    return PhoneResult(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None)


def display_phone(e164: str) -> str:
    """International format for display: +49 30 1234567."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(raw: str) -> str:
    """Lower-cases the domain part; the local part is kept as written (it may be case-sensitive)."""
    text = raw.strip()
    if "@" not in text:
        return text
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"
