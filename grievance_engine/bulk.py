"""Many new rows of one table written at once: `COPY … FROM STDIN` on PostgreSQL.

For the SLA sweep's batches (hundreds of events and SMS per transaction). A multi-row
`INSERT … VALUES (…), (…), …` is one round trip too, but its text differs with the
number of rows and runs to thousands of placeholders, which psycopg parses afresh each
time (it caches only short queries): that parse was most of the sweep's writing CPU.
COPY sends the rows as data. Rows that need their ids back get them first from the
table's sequence (one query), so the ids are known before anything is written.
Values go through each column's own bind processing (enums, JSON), as an INSERT's
would. Other databases (SQLite) get the executemany INSERT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select

from infra import caching


def insert_rows(
    connection: Connection, table: Table, rows: list[dict[str, Any]], *, ids: bool
) -> list[int] | None:
    """Write `rows` (column key → value, no id) into `table` in this transaction;
    returns their new ids in the same order when `ids`, else None."""
    if not rows:
        return [] if ids else None
    if connection.dialect.name != "postgresql":
        if not ids:
            connection.execute(insert(table), rows)
            return None
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(connection.execute(statement, rows).scalars())
    new_ids = (
        list(connection.execute(_reserve_ids(table), {"n": len(rows)}).scalars()) if ids else None
    )
    columns = [column for column in table.columns if column.key != "id" or ids]
    convert = [_converter(column, connection) for column in columns]
    names = ", ".join(f'"{column.name}"' for column in columns)
    cursor = connection.connection.driver_connection.cursor()
    keys = [column.key for column in columns]
    defaults = {column.key: _default(column) for column in columns}
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for index, row in enumerate(rows):
            values = {**row, "id": new_ids[index]} if new_ids is not None else row
            copy.write_row(
                [
                    to_db(values[key] if key in values else defaults[key]())
                    for key, to_db in zip(keys, convert, strict=True)
                ]
            )
    return new_ids


@caching.cached(maxsize=None)
def _reserve_ids(table: Table) -> Any:
    sequence = func.pg_get_serial_sequence(table.name, "id")
    return select(func.nextval(sequence)).select_from(
        func.generate_series(1, bindparam("n")).alias("reserved")
    )


def _default(column: Any) -> Callable[[], Any]:
    """A key missing from a row gets the column's Python-side default, as an INSERT
    would give it (a server-side default is not applied: every column is copied)."""
    default = column.default
    if default is None:
        return _none
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    return _none


def _none() -> None:
    return None


def _converter(column: Any, connection: Connection) -> Callable[[Any], Any]:
    process = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    if process is None:
        return _same
    return lambda value: None if value is None else process(value)


def _same(value: Any) -> Any:
    return value
