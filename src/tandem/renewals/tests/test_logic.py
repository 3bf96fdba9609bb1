"""Pure renewal maths, without a database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.renewals import logic

RULES = (logic.DiscountRule(24, Decimal(10)), logic.DiscountRule(36, Decimal(15)))


@pytest.mark.parametrize(("term", "discount"), [(12, 0), (23, 0), (24, 10), (30, 10), (36, 15), (60, 15)])
def test_multi_year_terms_earn_the_largest_discount_they_reach(term, discount):
    assert logic.renewal_discount(term, RULES) == Decimal(discount)


def test_without_rules_there_is_no_discount():
    assert logic.renewal_discount(36, ()) == 0


def test_suggested_prices_for_one_two_and_three_years():
    prices = logic.suggested_prices(Decimal("1000.00"), RULES)
    assert [(p.term_months, p.discount_percent, p.monthly, p.total) for p in prices] == [
        (12, Decimal(0), Decimal("1000.00"), Decimal("12000.00")),
        (24, Decimal(10), Decimal("900.00"), Decimal("21600.00")),
        (36, Decimal(15), Decimal("850.00"), Decimal("30600.00"))]


def test_a_larger_contract_discount_is_kept_and_discounts_do_not_stack():
    assert logic.discounted_percent(Decimal(20), 36, RULES) == Decimal(20)
    assert logic.discounted_percent(Decimal(5), 24, RULES) == Decimal(10)


def test_the_renewal_goes_to_the_specialist_else_the_am_else_the_owner():
    assert logic.assignee(renewal_specialist=1, account_manager=2, owner=3) == (1, "renewal")
    assert logic.assignee(renewal_specialist=None, account_manager=2, owner=3) == (2, "am")
    assert logic.assignee(renewal_specialist=None, account_manager=None, owner=3) == (3, "owner")
    assert logic.assignee(renewal_specialist=None, account_manager=None, owner=None) == (None, "none")


def test_playbook_tasks_are_due_relative_to_the_end_but_never_in_the_past():
    end = datetime.date(2026, 3, 31)
    due = logic.task_due(end_date=end, offset_days=-45, today=datetime.date(2025, 12, 31))
    assert due == datetime.date(2026, 2, 14)
    assert logic.task_due(end_date=end, offset_days=-90, today=datetime.date(2026, 3, 1)) == datetime.date(2026, 3, 1)


def test_the_settings_text_forms_round_trip_and_bad_lines_are_refused():
    rules = logic.parse_rules_text("36: 15 %\n24: 10")
    assert rules == [{"min_term_months": 24, "discount_percent": "10.00"},
                     {"min_term_months": 36, "discount_percent": "15.00"}]
    assert logic.rules_text(logic.discount_rules(rules)) == "24: 10\n36: 15"
    steps = logic.parse_playbook_text("−45: Prepare renewal quote\n-90: Review usage and health", notice_days=90)
    assert steps == [{"offset_days": -90, "title": "Review usage and health"},
                     {"offset_days": -45, "title": "Prepare renewal quote"}]
    for bad in ("24 10", "24: lots", "0: 10", "24: 120", "24: 10\n24: 12"):
        with pytest.raises(logic.RuleError):
            logic.parse_rules_text(bad)
    with pytest.raises(logic.RuleError):
        logic.parse_playbook_text("-120: Too early", notice_days=90)
    with pytest.raises(logic.RuleError):
        logic.parse_playbook_text("-10:", notice_days=90)
