"""Pure renewal maths: multi-year discounts, suggested prices per term, playbook dates, whom a renewal goes to,
and the settings' text forms. No database; frozen dataclasses in, values out (tests/test_logic.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SUGGESTED_TERMS = (12, 24, 36)
MAX_NOTICE_DAYS = 365
MAX_TERM_MONTHS = 120


class RuleError(ValueError):
    """A discount rule or playbook step that cannot be used; ``str()`` says why."""


@dataclass(frozen=True)
class DiscountRule:
    """Renewal terms of at least ``min_term_months`` get ``discount_percent`` off."""

    min_term_months: int
    discount_percent: Decimal


@dataclass(frozen=True)
class PlaybookStep:
    """A renewal task due ``offset_days`` relative to the end date (negative: before it)."""

    offset_days: int
    title: str


@dataclass(frozen=True)
class SuggestedPrice:
    term_months: int
    discount_percent: Decimal
    monthly: Decimal
    total: Decimal


def renewal_discount(term_months: int, rules: Iterable[DiscountRule]) -> Decimal:
    """The discount (percent) a renewal for ``term_months`` earns: the largest of the rules whose minimum term
    it reaches; 0 when none does (e.g. 24 months −10 %, 36 months −15 %: 30 months → 10, 36 → 15, 12 → 0)."""
    earned = [rule.discount_percent for rule in rules if term_months >= rule.min_term_months]
    return max(earned, default=Decimal(0))


def suggested_prices(monthly: Decimal, rules: Sequence[DiscountRule],
                     terms: Iterable[int] = SUGGESTED_TERMS) -> tuple[SuggestedPrice, ...]:
    """The monthly price and the contract value of renewing ``monthly`` (the current MRR) for each term."""
    prices = []
    for term in terms:
        discount = renewal_discount(term, rules)
        price = (monthly * (HUNDRED - discount) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        prices.append(SuggestedPrice(term_months=term, discount_percent=discount, monthly=price,
                                     total=(price * term).quantize(CENT)))
    return tuple(prices)


def discounted_percent(current_percent: Decimal, term_months: int, rules: Iterable[DiscountRule]) -> Decimal:
    """The contract discount after a renewal for ``term_months``: the multi-year discount when it is larger
    than the one the contract already has (discounts are not stacked)."""
    return max(current_percent, renewal_discount(term_months, rules))


def assignee(*, renewal_specialist: int | None, account_manager: int | None,
             owner: int | None) -> tuple[int | None, str]:
    """Who gets a renewal and why: the account's renewal specialist, else its AM, else its owner."""
    for user_id, basis in ((renewal_specialist, "renewal"), (account_manager, "am"), (owner, "owner")):
        if user_id is not None:
            return user_id, basis
    return None, "none"


def task_due(*, end_date: datetime.date, offset_days: int, today: datetime.date) -> datetime.date:
    """A playbook task's due day: ``offset_days`` from the end date, never before today (a contract that came
    into the window late gets its overdue steps due today)."""
    return max(end_date + datetime.timedelta(days=offset_days), today)


def notice_window(today: datetime.date, notice_days: int) -> tuple[datetime.date, datetime.date]:
    """The end dates a run on ``today`` handles: from today to ``notice_days`` ahead (inclusive)."""
    return today, today + datetime.timedelta(days=notice_days)


def in_negotiation(*, end_date: datetime.date, today: datetime.date, negotiation_days: int) -> bool:
    return end_date <= today + datetime.timedelta(days=negotiation_days)


# --- settings: validation and the text forms the settings page edits ----------------------------------------


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise RuleError(f"{what} must be a whole number")
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise RuleError(f"{what} must be a whole number (got {value!r})") from None


def discount_rules(raw: Iterable[Mapping[str, Any]]) -> tuple[DiscountRule, ...]:
    """Rules from stored rows, checked: terms 1–120 months, once each; discounts 0–100 %; sorted by term."""
    rules: dict[int, DiscountRule] = {}
    for row in raw:
        term = _int(row.get("min_term_months"), "The term")
        if not 1 <= term <= MAX_TERM_MONTHS:
            raise RuleError(f"A term is 1 to {MAX_TERM_MONTHS} months (got {term})")
        try:
            percent = Decimal(str(row.get("discount_percent")).strip())
        except (InvalidOperation, ValueError):
            raise RuleError(f"The discount for {term} months is not a number") from None
        if not percent.is_finite() or not Decimal(0) <= percent <= HUNDRED:
            raise RuleError(f"The discount for {term} months must be between 0 and 100 %")
        if term in rules:
            raise RuleError(f"{term} months has two rules")
        rules[term] = DiscountRule(term, percent.quantize(CENT))
    return tuple(rules[term] for term in sorted(rules))


def playbook(raw: Iterable[Mapping[str, Any]], *, notice_days: int = MAX_NOTICE_DAYS) -> tuple[PlaybookStep, ...]:
    """Steps from stored rows, checked: a title, an offset between −notice days and +30; sorted by offset."""
    steps = []
    for row in raw:
        title = str(row.get("title") or "").strip()
        offset = _int(row.get("offset_days"), "The offset")
        if not title:
            raise RuleError("Every playbook step needs a title")
        if len(title) > 300:
            raise RuleError("A playbook title has at most 300 characters")
        if not -notice_days <= offset <= 30:
            raise RuleError(f"“{title}”: the offset must be between −{notice_days} and +30 days (got {offset})")
        steps.append(PlaybookStep(offset, title))
    return tuple(sorted(steps, key=lambda step: (step.offset_days, step.title)))


def rules_text(rules: Iterable[DiscountRule]) -> str:
    return "\n".join(f"{rule.min_term_months}: {rule.discount_percent.normalize():f}" for rule in rules)


def playbook_text(steps: Iterable[PlaybookStep]) -> str:
    return "\n".join(f"{step.offset_days}: {step.title}" for step in steps)


def _lines(text: str) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if ":" not in line:
            raise RuleError(f"Line {number}: write “number: value”")
        left, right = line.split(":", 1)
        pairs.append((left.strip(), right.strip().rstrip("%").strip()))
    return pairs


def parse_rules_text(text: str) -> list[dict[str, Any]]:
    """``"24: 10\\n36: 15"`` → stored rows (checked by ``discount_rules``)."""
    rows = [{"min_term_months": left, "discount_percent": right} for left, right in _lines(text)]
    return [{"min_term_months": rule.min_term_months, "discount_percent": str(rule.discount_percent)}
            for rule in discount_rules(rows)]


def parse_playbook_text(text: str, *, notice_days: int) -> list[dict[str, Any]]:
    """``"-90: Review usage\\n-45: Prepare renewal quote"`` → stored rows (checked by ``playbook``)."""
    rows = [{"offset_days": left.replace("−", "-"), "title": right} for left, right in _lines(text)]
    return [{"offset_days": step.offset_days, "title": step.title}
            for step in playbook(rows, notice_days=notice_days)]
