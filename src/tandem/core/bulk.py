"""Inserting many rows fast: COPY on PostgreSQL, multi-row INSERT elsewhere.

``insert_many`` is ``bulk_create`` without its per-value overhead: on PostgreSQL it reserves the primary keys
from the table's sequence in one query and streams the rows with COPY, so callers get the keys back (to write
history and audit rows that point at the new records) at a fraction of the cost. Field defaults must already be
on the instances (Django sets them when an instance is built); ``auto_now``/``auto_now_add`` are applied here.

``insert_rows`` writes plain dictionaries (attribute name -> value) and ``insert_tuples`` plain tuples (in the
order of a column list) for rows nobody needs as objects afterwards, such as audit entries, tasks and history,
skipping model construction altogether; both return the new keys. Callable defaults (public ids) are computed
for every row."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone


def _dump_json(value: Any) -> bytes:
    """orjson where it can (a few times faster than the standard library on audit changes), the standard library
    for what orjson refuses (non-string keys, integers beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value).encode()


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        from psycopg.types.json import Jsonb

        return lambda value: None if value is None else Jsonb(value, dumps=_dump_json)
    return lambda value: value


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _reserve_keys(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    pk = model._meta.pk
    assert pk is not None
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [model._meta.db_table, pk.column, count])
    return [key for (key,) in cursor.fetchall()]


def _copy(cursor: Any, model: type[models.Model], fields: list[models.Field],
          rows: Iterable[Sequence[Any]]) -> None:
    from psycopg import sql

    pk = model._meta.pk
    assert pk is not None
    names = [str(pk.column), *(str(field.column) for field in fields)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join([sql.Identifier(name) for name in names]))  # type: ignore[misc]
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def insert_many(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert ``objects`` (unsaved instances of ``model``) and set their primary keys. Call inside a transaction."""
    if not objects:
        return
    now = timezone.now()
    fields = _columns(model)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=500)
        return
    values = _row_reader(model, fields)
    with connection.cursor() as cursor:
        for obj, key in zip(objects, _reserve_keys(cursor, model, len(objects)), strict=True):
            obj.pk = key
        _copy(cursor, model, fields, (values(obj) for obj in objects))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _row_reader(model: type[models.Model], fields: list[models.Field]) -> Callable[[models.Model], Sequence[Any]]:
    """A function giving an instance's primary key and ``fields`` as a COPY row: the attributes read in one C call
    (operator.attrgetter), only JSON values converted, ~3 µs a contact instead of ~10 with a loop over fields."""
    pk = model._meta.pk
    assert pk is not None
    read = operator.attrgetter(pk.attname, *(field.attname for field in fields))
    json_at = [(index + 1, _converter(field)) for index, field in enumerate(fields)
               if isinstance(field, models.JSONField)]
    if not json_at:
        return read  # type: ignore[no-any-return]

    def values(obj: models.Model) -> list[Any]:
        row = list(read(obj))
        for index, convert in json_at:
            row[index] = convert(row[index])
        return row

    return values


def _fresh(field: models.Field) -> Callable[[], Any] | None:
    """The field's default as a function to call for every row when it is callable (``new_public_id``, ``dict``,
    ``list``): each row gets its own value, never one shared by all rows."""
    return field.default if field.has_default() and callable(field.default) else None


def insert_tuples(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert ``rows`` — sequences of values in the order of ``columns`` (attribute names such as ``account_id``)
    — and return their new primary keys in row order. Fields not in ``columns`` get their default, computed for
    each row when it is callable (public ids); ``auto_now``/``auto_now_add`` fields get the current time unless
    given. The cheapest way in: no model instances on PostgreSQL (keys from the sequence, rows by COPY); plain
    ``bulk_create`` elsewhere. Call inside a transaction."""
    if not rows:
        return []
    fields = {field.attname: field for field in _columns(model)}
    unknown = [name for name in columns if name not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)} (use attribute names).")
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        insert_many(model, objects)  # model construction computes the defaults per row; auto_now set there
        return [obj.pk for obj in objects]
    now = timezone.now()
    given = set(columns)
    rest = [field for name, field in fields.items() if name not in given]
    per_row = [field for field in rest if _fresh(field) is not None
               and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))]
    constant = [field for field in rest if field not in per_row]
    constants = tuple(_converter(field)(now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add",
                                                                                               False)
                                       else field.get_default()) for field in constant)
    calls = [(_fresh(field), _converter(field)) for field in per_row]
    json_at = [index for index, name in enumerate(columns) if isinstance(fields[name], models.JSONField)]
    json = _converter(fields[columns[json_at[0]]]) if json_at else None

    def values(key: int, row: Sequence[Any]) -> tuple[Any, ...]:
        if json is not None:
            row = list(row)
            for index in json_at:
                row[index] = json(row[index])
        if calls:
            return (key, *row, *[convert(call()) for call, convert in calls], *constants)  # type: ignore[misc]
        return (key, *row, *constants)

    order = [*(fields[name] for name in columns), *per_row, *constant]
    with connection.cursor() as cursor:
        keys = _reserve_keys(cursor, model, len(rows))
        _copy(cursor, model, order, (values(key, row) for key, row in zip(keys, rows, strict=True)))
    return keys


def _filler(field: models.Field | None) -> Callable[[], Any]:
    fresh = _fresh(field) if field is not None else None
    if fresh is not None:
        return fresh
    value = field.get_default() if field is not None else None
    return lambda: value


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert plain rows (attribute name -> value; missing attributes get the field's default, computed for each
    row when it is callable) and return their new primary keys in row order. Call inside a transaction."""
    if not rows:
        return []
    columns = list(dict.fromkeys(name for row in rows for name in row))
    fields = {field.attname: field for field in _columns(model)}
    fill = {name: _filler(fields.get(name)) for name in columns}  # unknown names: insert_tuples says which
    return insert_tuples(model, columns, [tuple(row[name] if name in row else fill[name]() for name in columns)
                                          for row in rows])


_BUILD_PLANS: dict[type[models.Model], tuple[list[tuple[models.Field, Callable[[], Any]]], frozenset[str]]] = {}


def build(model: type[models.Model], values: Mapping[str, Any]) -> models.Model:
    """``model(**values)`` for many new records at about half the cost: the instance is built from positional
    values (Django's fast path), each field not given gets its default (computed anew when callable, e.g. public
    ids), and a related object given by field name is cached on the instance as keyword construction does. Only
    concrete fields, by name (``account``) or attribute name (``account_id``)."""
    cached = _BUILD_PLANS.get(model)
    if cached is None:
        fields = model._meta.concrete_fields
        cached = _BUILD_PLANS[model] = ([(field, _filler(field)) for field in fields],
                                        frozenset(name for field in fields for name in (field.name, field.attname)))
    plan, known = cached
    unknown = [name for name in values if name not in known]
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(unknown)}.")
    arguments = []
    related = []
    for field, fill in plan:
        if field.name in values:
            value = values[field.name]
            if field.is_relation:
                related.append((field, value))
                value = None if value is None else value.pk
        elif field.attname in values:
            value = values[field.attname]
        else:
            value = fill()
        arguments.append(value)
    instance = model(*arguments)
    for field, value in related:
        field.set_cached_value(instance, value)  # type: ignore[attr-defined]
    return instance
