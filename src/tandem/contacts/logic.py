"""Pure helpers: phone and email normalisation."""

from __future__ import annotations

import functools
import re
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
    quick = _international_e164(text)
    if quick is not None:
        return PhoneResult(quick, None)
    try:
        number = phonenumbers.parse(text, default_region.upper() or None)
    except phonenumbers.NumberParseException:
        return PhoneResult(None, "unparseable")
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(None, "invalid")
    return PhoneResult(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None)


# "+49 30 1234567", "+1-415-555-0100": a plus sign, then digits in groups separated by one space, hyphen or dot.
INTERNATIONAL = re.compile(r"\+[1-9][0-9]*(?:[ .-][0-9]+)*")
_SEPARATORS = str.maketrans("", "", " .-")


_Desc = tuple[frozenset[int], re.Pattern[str]]  # possible lengths (empty: any) and the national-number pattern
_TYPES = ("fixed_line", "mobile", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
          "uan", "voicemail")  # the number types phonenumbers knows; the two common ones first


@dataclass(frozen=True)
class _Plan:
    region: str
    national_prefix: re.Pattern[str] | None
    general: _Desc
    types: tuple[_Desc, ...]


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


@functools.lru_cache(maxsize=512)
def _plan(country_code: int) -> _Plan | None:
    """What validating a number of this country calling code needs, compiled once: its region's national-prefix
    pattern, and the general and per-type descriptions that ``phonenumbers.is_valid_number_for_region`` matches
    (mobile left out where the region says its pattern is the fixed-line one, as phonenumbers does). None for codes
    not tied to one region (800, 808, ...) and unknown ones."""
    region = phonenumbers.region_code_for_country_code(country_code)
    if region in ("ZZ", "001"):
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return None
    general = _desc(metadata.general_desc)
    if general is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    names = [name for name in _TYPES if not (name == "mobile" and metadata.same_mobile_and_fixed_line_pattern)]
    types = tuple(desc for desc in (_desc(getattr(metadata, name)) for name in names) if desc is not None)
    return _Plan(region, re.compile(prefix) if prefix else None, general, types)


def _matches(national: str, desc: _Desc) -> bool:
    lengths, pattern = desc
    return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None


def _international_e164(text: str) -> str | None:
    """The E.164 form of a valid number written internationally in plain digit groups, in a few microseconds; None
    when the number is not of that shape, or not valid, or might be read differently by ``phonenumbers.parse`` (a
    national number starting with 0 or with the region's national prefix): the caller then asks ``parse``, which
    decides. Parsing is ~50 µs of pure Python per number and dominated imports of contacts; a property test holds
    this to the same answers as ``parse`` + ``is_valid_number`` wherever it answers."""
    if not INTERNATIONAL.fullmatch(text):
        return None
    digits = text[1:].translate(_SEPARATORS)
    for length in (1, 2, 3):
        country_code = int(digits[:length])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[length:]
    plan = _plan(country_code)
    if plan is None or not 2 <= len(national) <= 17 or national[0] == "0":
        return None
    if plan.national_prefix is not None and plan.national_prefix.match(national):
        return None
    # valid for its region: the general description and one number type match (is_valid_number_for_region)
    if not _matches(national, plan.general) or not any(_matches(national, desc) for desc in plan.types):
        return None
    return f"+{country_code}{national}"


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
