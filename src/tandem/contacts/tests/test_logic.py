from hypothesis import given
from hypothesis import strategies as st

from tandem.contacts.logic import normalise_email, normalise_phone


def test_a_german_number_without_country_code_uses_the_account_country():
    assert normalise_phone("030 1234567", default_region="DE").normalised == "+49301234567"


def test_a_korean_mobile_number_is_stored_in_e164():
    assert normalise_phone("+82 10-1234-5678").normalised == "+821012345678"


def test_garbage_is_reported_not_stored():
    assert normalise_phone("call me maybe").error == "unparseable"
    assert normalise_phone("+49 123").error == "invalid"


def test_the_email_domain_is_lower_cased_but_not_the_local_part():
    assert normalise_email("  Ji-Woo.Park@Example.CO.KR ") == "Ji-Woo.Park@example.co.kr"


@given(st.text(max_size=40))
def test_phone_normalisation_never_raises(text):
    result = normalise_phone(text, default_region="US")
    assert (result.normalised is None) != (result.error is None)
