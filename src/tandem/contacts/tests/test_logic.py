from hypothesis import example, given, settings
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
@example("0@0.00")  # found by this test: Django refuses a top-level domain of digits, the fast path took it
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


def _slow_phone(text, region):
    """What normalise_phone answered before its fast path: phonenumbers' own parse and validation."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _international_spellings():
    """Every region's example numbers of every type, written internationally with spaces, hyphens, dots and no
    separators, plus each with its last digits changed (many of those are invalid)."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    types = [value for name, value in vars(PhoneNumberType).items() if name.isupper() and name != "UNKNOWN"]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in types:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            spaced = phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)
            for text in (spaced, spaced.replace(" ", "-"), spaced.replace(" ", "."),
                         phonenumbers.format_number(example, PhoneNumberFormat.E164)):
                yield text
                yield text[:-2] + "00"
                yield text[:-1]
                yield text + "7"


def test_the_fast_phone_path_answers_as_phonenumbers_does_wherever_it_answers():
    from tandem.contacts.logic import _international_e164

    answered = checked = 0
    for text in _international_spellings():
        checked += 1
        quick = _international_e164(text)
        if quick is None:
            continue
        answered += 1
        for region in ("", "DE", "US", "KR"):
            assert quick == _slow_phone(text, region), text
    # it must take most of them (or it speeds nothing up), and leave some to parse
    assert checked > 5000 and 0.4 * checked < answered < checked


_SPELLINGS = sorted(set(_international_spellings()))


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(_SPELLINGS), st.integers(min_value=1, max_value=30), st.sampled_from("0123456789"))
def test_the_fast_phone_path_agrees_with_phonenumbers_on_altered_numbers(text, position, digit):
    """Any one digit of a real number changed: the fast path, where it answers, still agrees."""
    from tandem.contacts.logic import _international_e164

    position = min(position, len(text) - 1)
    if text[position].isdigit():
        text = text[:position] + digit + text[position + 1:]
    quick = _international_e164(text)
    if quick is not None:
        assert quick == _slow_phone(text, "")
        assert normalise_phone(text).normalised == quick
