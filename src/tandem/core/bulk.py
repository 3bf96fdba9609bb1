"""Inserting many rows fast: COPY on PostgreSQL, multi-row INSERT elsewhere.

``insert_many`` is ``bulk_create`` without its per-value overhead: on PostgreSQL it reserves the primary keys
from the table's sequence in one query and streams the rows with COPY, so callers get the keys back (to write
history and audit rows that point at the new records) at a fraction of the cost. Field defaults must already be
on the instances (Django sets them when an instance is built); ``auto_now``/``auto_now_add`` are applied here.

``insert_rows`` writes plain dictionaries (attribute name -> value) for rows nobody needs as objects afterwards,
such as audit entries and history, skipping model construction altogether."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        from psycopg.types.json import Jsonb

        return lambda value: None if value is None else Jsonb(value)
    return lambda value: value


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _reserve_keys(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    pk = model._meta.pk
    assert pk is not None
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [model._meta.db_table, pk.column, count])
    return [key for (key,) in cursor.fetchall()]


def _copy(cursor: Any, model: type[models.Model], fields: list[models.Field], rows: Iterable[list[Any]]) -> None:
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
    converters = [(field.attname, _converter(field)) for field in fields]
    with connection.cursor() as cursor:
        for obj, key in zip(objects, _reserve_keys(cursor, model, len(objects)), strict=True):
            obj.pk = key
        _copy(cursor, model, fields, ([obj.pk, *(convert(getattr(obj, name)) for name, convert in converters)]
                                      for obj in objects))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert plain rows (attribute name -> value; missing attributes get the field's default). Call inside a
    transaction."""
    if not rows:
        return
    fields = _columns(model)
    defaults = {field.attname: field.get_default() for field in fields if field.has_default()}
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=500)
        return
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
    fresh = {field.attname: field for field in fields if field.unique and field.has_default()}  # e.g. public ids
    plan = [(field.attname, _converter(field), defaults.get(field.attname)) for field in fields]

    def values(key: int, row: Mapping[str, Any]) -> list[Any]:
        return [key, *(convert(row[name] if name in row else fresh[name].get_default() if name in fresh else default)
                       for name, convert, default in plan)]

    with connection.cursor() as cursor:
        keys = _reserve_keys(cursor, model, len(rows))
        _copy(cursor, model, fields, (values(key, row) for key, row in zip(keys, rows, strict=True)))
