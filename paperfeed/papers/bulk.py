"""Fast multi-row INSERTs for bulk imports, on SQLite and PostgreSQL alike.

Django's bulk_create builds a model instance per row and prepares every value through its field
machinery: for a snapshot import that is ~80% of the time (measured: 21 s of 24 s for 10,000
papers with their 70,000 authorships). Here the values are prepared per column, once per type,
and handed to the driver's executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, models
from django.db.models.constants import OnConflict


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT rows (tuples of values in `columns` order) into the model's table."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    prepare = [_preparer(field) for field in fields]
    ops = connection.ops
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = "{} {} ({}) VALUES ({}) {}".format(
        ops.insert_statement(on_conflict=on_conflict),
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),  # type: ignore[union-attr]
        ", ".join(["%s"] * len(fields)),
        ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
    )
    if any(p is not None for p in prepare):
        rows = [
            tuple(v if p is None or v is None else p(v) for p, v in zip(prepare, row, strict=True))
            for row in rows
        ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _preparer(field: Any) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return lambda value: orjson.dumps(value).decode()
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: adapt(value) if isinstance(value, datetime) else value
    return None
