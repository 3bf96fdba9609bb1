from hypothesis import given, settings
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


EMAIL_ALPHABET = "abcXYZ09.-_+@\"[]:'!#é "


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=EMAIL_ALPHABET, min_size=1, max_size=40))
def test_the_fast_email_check_accepts_only_what_djangos_validator_accepts(address):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from tandem.contacts.services import PLAIN_EMAIL, email_is_valid

    try:
        validate_email(address)
        django_says = True
    except ValidationError:
        django_says = False
    if PLAIN_EMAIL.fullmatch(address):
        assert django_says, address  # the fast path is a subset
    assert email_is_valid(address) == django_says  # and the whole check agrees with Django


def test_the_fast_email_check_on_everyday_and_odd_addresses():
    from tandem.contacts.services import PLAIN_EMAIL, email_is_valid

    for good in ("anna.schmidt@example.de", "o'brien+crm@mail.example.co.uk", "x@a-b.example"):
        assert PLAIN_EMAIL.fullmatch(good) and email_is_valid(good)
    for bad in ("anna..schmidt@example.de", ".anna@example.de", "anna@-example.de", "anna@example.d-",
                "anna@example", "anna@@example.de", "anna@exa_mple.de"):
        assert not email_is_valid(bad), bad
    for unusual in ("anna@[192.168.0.1]", "anna@localhost"):  # not the fast path's: Django's validator decides
        assert not PLAIN_EMAIL.fullmatch(unusual) and email_is_valid(unusual)
