import pytest

from tandem.customfields.logic import FieldSpec, coerce, display


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("number", "1,5", 1.5),
    ("money", "1.234,50 EUR", {"amount": "1234.50", "currency": "EUR"}),
    ("money", {"amount": "99", "currency": "krw"}, {"amount": "99.00", "currency": "KRW"}),
    ("date", "2026-11-22", "2026-11-22"),
    ("boolean", "ja", True),
    ("boolean", False, False),
    ("text", "  hello ", "hello"),
])
def test_values_are_coerced_from_text_and_json(kind, raw, value):
    assert coerce(FieldSpec("x", kind), raw).value == value


def test_choices_match_case_insensitively_and_keep_their_order():
    spec = FieldSpec("x", "multi_choice", ("Alpha", "Beta", "Gamma"))
    assert coerce(spec, "gamma; alpha").value == ["Alpha", "Gamma"]
    assert coerce(spec, "delta").error


@pytest.mark.parametrize(("kind", "raw"), [("number", "ten"), ("date", "22.11.2026"), ("money", "12"),
                                           ("boolean", "maybe"), ("choice", "Zeta")])
def test_bad_values_give_a_message(kind, raw):
    assert coerce(FieldSpec("x", kind, ("Alpha",)), raw).error


def test_a_required_field_must_have_a_value():
    assert coerce(FieldSpec("x", "text", required=True), "").error == "This field is required."


def test_values_display_for_people():
    assert display("money", {"amount": "5.00", "currency": "USD"}) == "5.00 USD"
    assert display("number", 3.0) == "3"
