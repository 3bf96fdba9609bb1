"""core.bulk: many rows in one go (COPY on PostgreSQL, bulk_create elsewhere) with defaults computed per row."""

from __future__ import annotations

import pytest
from django.db import transaction

from tandem.accounts.models import Account
from tandem.core.bulk import insert_rows, insert_tuples

pytestmark = pytest.mark.django_db


def test_insert_rows_gives_every_row_its_own_public_id_and_returns_the_keys_in_order():
    with transaction.atomic():
        keys = insert_rows(Account, [{"name": f"Bulk {index}"} for index in range(3)])
    accounts = {account.pk: account for account in Account.objects.filter(pk__in=keys)}
    assert [accounts[key].name for key in keys] == ["Bulk 0", "Bulk 1", "Bulk 2"]
    assert len({account.public_id for account in accounts.values()}) == 3
    assert all(account.public_id for account in accounts.values())


def test_insert_rows_fills_missing_attributes_with_fresh_defaults_and_keeps_given_values():
    with transaction.atomic():
        keys = insert_rows(Account, [{"name": "Given", "public_id": "given-public-id", "custom": {"a": 1}},
                                     {"name": "Defaulted"}])
    given, defaulted = (Account.objects.get(pk=key) for key in keys)
    assert given.public_id == "given-public-id" and given.custom == {"a": 1}
    assert defaulted.public_id not in ("", "given-public-id") and defaulted.custom == {}
    assert defaulted.currency == "USD" and defaulted.created_at is not None


def test_insert_tuples_writes_rows_in_column_order_with_per_row_defaults():
    with transaction.atomic():
        keys = insert_tuples(Account, ("name", "currency", "status_flags"),
                             [("Tuple A", "EUR", ["vip"]), ("Tuple B", "KRW", [])])
    first, second = (Account.objects.get(pk=key) for key in keys)
    assert (first.name, first.currency, first.status_flags) == ("Tuple A", "EUR", ["vip"])
    assert (second.name, second.currency, second.status_flags) == ("Tuple B", "KRW", [])
    assert first.public_id != second.public_id


def test_insert_tuples_refuses_a_column_the_model_does_not_have():
    with pytest.raises(ValueError, match="no column"), transaction.atomic():
        insert_tuples(Account, ("name", "account"), [("X", None)])
    assert insert_tuples(Account, ("name",), []) == []


def test_build_makes_the_same_record_as_keyword_construction_with_fresh_defaults():
    from tandem.contacts.models import Contact
    from tandem.core.bulk import build

    parent = Account.objects.create(name="Built parent", country="DE")
    values = {"first_name": "Ana", "last_name": "Li", "email": "ana@example.com", "phones": ["+49301234567"],
              "account": parent, "email_opt_out": True}
    built, keyword = build(Contact, values), Contact(**values)
    for field in Contact._meta.concrete_fields:
        if field.name != "public_id":
            assert getattr(built, field.attname) == getattr(keyword, field.attname), field.name
    assert built.account is parent and built.account_id == parent.pk  # cached: no query to read it back
    assert built.public_id and built.public_id != build(Contact, values).public_id
    assert built.custom == {} and built.custom is not build(Contact, values).custom
    assert build(Contact, {"account_id": parent.pk, "email": "x@example.com"}).account_id == parent.pk
    with pytest.raises(TypeError, match="no field nickname"):
        build(Contact, {"nickname": "A"})


def test_json_columns_are_written_by_orjson_and_by_the_standard_library_where_orjson_refuses():
    with transaction.atomic():
        keys = insert_rows(Account, [{"name": "Json A", "custom": {"tags": ["x", "ü"], "n": 1.5}},
                                     {"name": "Json B", "custom": {1: "integer key", "big": 2**70}}])
    first, second = (Account.objects.get(pk=key) for key in keys)
    assert first.custom == {"tags": ["x", "ü"], "n": 1.5}
    assert second.custom == {"1": "integer key", "big": 2**70}
    # what COPY sends on PostgreSQL: orjson's compact form, the standard library's (with spaces) where orjson refuses
    from tandem.core.bulk import _dump_json

    assert _dump_json({"n": 1.5, "t": ["ü"]}) == '{"n":1.5,"t":["ü"]}'.encode()
    assert _dump_json({1: "integer key"}) == b'{"1": "integer key"}'
    assert _dump_json({"big": 2**70}) == b'{"big": 1180591620717411303424}'


def test_any_of_finds_what_in_finds_on_every_database():
    from django.db.models.functions import Lower

    names = [f"Any {index}" for index in range(5)]
    Account.objects.bulk_create([Account(name=name) for name in names])
    wanted = ["Any 1", "Any 3", "nobody", None]
    assert sorted(Account.objects.filter(name__any_of=wanted).values_list("name", flat=True)) == ["Any 1", "Any 3"]
    assert sorted(Account.objects.alias(key=Lower("name")).filter(key__any_of=["any 4"])
                  .values_list("name", flat=True)) == ["Any 4"]
    ids = list(Account.objects.filter(name__in=names[:2]).values_list("pk", flat=True))
    assert Account.objects.filter(pk__any_of=ids).count() == 2
    assert not Account.objects.filter(name__any_of=[]).exists()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        list(Account.objects.filter(name__any_of=names))
    if connection.vendor == "postgresql":  # one array parameter, not one placeholder per value
        assert "= ANY(" in captured[0]["sql"] and captured[0]["sql"].count("Any ") == 5
    else:
        assert " IN (" in captured[0]["sql"]
