"""The pure revenue maths, without a database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.contracts import logic

D = datetime.date


def test_mrr_of_per_seat_terms_multiplies_seats_adds_add_ons_and_applies_the_discount():
    terms = logic.Terms(plan="growth", seats=10, unit_price=Decimal(50), discount_percent=Decimal(10),
                        add_ons=(logic.AddOnLine("sso", 1, Decimal(200)),
                                 logic.AddOnLine("audit", 1, Decimal(2), logic.PER_SEAT)))
    assert logic.mrr_of(terms) == Decimal("648.00")  # (500 + 200 + 20) × 0.9


def test_mrr_of_flat_terms_ignores_seats_and_cancelled_terms_are_worth_nothing():
    flat = logic.Terms(plan="package", seats=40, unit_price=Decimal(1000), pricing_model=logic.FLAT)
    assert logic.mrr_of(flat) == Decimal("1000.00")
    assert logic.mrr_of(logic.Terms(plan="p", seats=4, unit_price=Decimal(9), status="churned")) == 0


def test_history_classifies_new_expansion_contraction_churn_and_reactivation_per_account():
    points = [
        logic.ChangePoint(1, 100, D(2024, 1, 1), Decimal(1000)),
        logic.ChangePoint(2, 100, D(2024, 3, 1), Decimal(1500)),
        logic.ChangePoint(3, 101, D(2024, 4, 1), Decimal(300)),  # a second subscription: expansion, not new
        logic.ChangePoint(4, 100, D(2024, 5, 1), Decimal(1200)),
        logic.ChangePoint(5, 101, D(2024, 6, 1), Decimal(0)),  # the account still pays: contraction
        logic.ChangePoint(6, 100, D(2024, 7, 1), Decimal(0)),  # nothing left: churn
        logic.ChangePoint(7, 100, D(2025, 1, 1), Decimal(900)),  # back: reactivation
    ]
    result = {item.key: (item.mrr_delta, item.movement) for item in logic.classify_history(points)}
    assert result == {1: (Decimal(1000), "new"), 2: (Decimal(500), "expansion"), 3: (Decimal(300), "expansion"),
                      4: (Decimal(-300), "contraction"), 5: (Decimal(-300), "contraction"),
                      6: (Decimal(-1200), "churn"), 7: (Decimal(900), "reactivation")}


def test_a_change_that_moves_no_mrr_is_no_movement():
    points = [logic.ChangePoint(1, 1, D(2024, 1, 1), Decimal(10)), logic.ChangePoint(2, 1, D(2024, 2, 1),
                                                                                    Decimal(10))]
    assert [item.movement for item in logic.classify_history(points)] == ["new", ""]


def test_rates_use_the_latest_rate_on_or_before_the_date_and_a_missing_rate_is_an_error():
    rates = logic.RateTable("USD", {"EUR": [(D(2024, 1, 1), Decimal("1.1")), (D(2024, 6, 1), Decimal("1.2"))]})
    assert logic.convert(Decimal(100), currency="EUR", on=D(2024, 5, 31), rates=rates) == Decimal("110.0")
    assert logic.convert(Decimal(100), currency="EUR", on=D(2024, 6, 1), rates=rates) == Decimal("120.0")
    assert logic.convert(Decimal(100), currency="USD", on=D(1999, 1, 1), rates=rates) == Decimal(100)
    with pytest.raises(logic.MissingRate):
        logic.convert(Decimal(100), currency="EUR", on=D(2023, 12, 31), rates=rates)
    with pytest.raises(logic.MissingRate):
        logic.convert(Decimal(100), currency="GBP", on=D(2024, 6, 1), rates=rates)


def test_terms_end_the_day_before_the_same_date_months_later_clamped_to_short_months():
    assert logic.term_end(D(2024, 1, 1), 12) == D(2024, 12, 31)
    assert logic.term_end(D(2024, 1, 31), 1) == D(2024, 2, 28)
    assert logic.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_movement_table_carries_closing_mrr_into_the_next_month():
    months = [D(2024, 1, 1), D(2024, 2, 1)]
    rows = logic.movement_table(months=months, opening=Decimal(100), sums={
        (D(2024, 1, 1), "new"): Decimal(50), (D(2024, 2, 1), "churn"): Decimal(-30)})
    assert [(row.opening, row.closing) for row in rows] == [(Decimal(100), Decimal(150)), (Decimal(150),
                                                                                          Decimal(120))]
    assert rows[1].net == Decimal(-30)
