"""Filing in one round trip (PostgreSQL): a new ticket's citizen, row, `created` event
and acknowledgement SMS written by one statement.

Intake is the hot path, and on PostgreSQL each statement costs a round trip and
100–170 µs of our CPU. With the ticket's id reserved from its sequence first
(`reserve_id`, sent with intake's source-key check), the `created` event's hash can be
computed before anything is written, so the ticket goes in with its chain head
(`event_count` 1, `last_event_hash`) and the event and SMS go in beside it:

    WITH c AS (INSERT INTO citizen … ON CONFLICT (phone) DO UPDATE … RETURNING id, opted_out),
         t AS (INSERT INTO ticket … SELECT …, c.id, … FROM c ON CONFLICT DO NOTHING RETURNING id),
         e AS (INSERT INTO ticket_event … SELECT t.id, … FROM t RETURNING id),
         n AS (INSERT INTO notification … SELECT t.id, … FROM t RETURNING id)
    SELECT c.id, c.opted_out, (SELECT id FROM t), (SELECT id FROM e), (SELECT id FROM n) FROM c

A clash on the ticket's `source_key` or `ref` (its unique indexes decide, as for the
single INSERT) returns no ticket id, and then no event or SMS was written either. SQLite
has no data-modifying WITH and no sequences: it keeps the statement-by-statement path.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Column, Insert, Select, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql

from grievance_engine.models import Notification, Ticket, TicketEvent

# The next ticket id, taken before the row is written (ids stay unique; a reservation
# whose insert clashed is simply not used, as a rolled-back INSERT's id is not).
RESERVE_ID = func.nextval(func.pg_get_serial_sequence("ticket", "id"))


class Written(NamedTuple):
    """What the statement returns: the citizen's id and STOP, and the new rows' ids
    (`ticket_id` None: a clash, nothing but the citizen written)."""

    citizen_id: int
    opted_out: bool
    ticket_id: int | None
    event_id: int | None
    notification_id: int | None


def _param(prefix: str, column: Column[Any]) -> Any:
    return bindparam(f"{prefix}{column.key}", type_=column.type)


def build(citizen_upsert: Insert) -> Select[Any]:
    """The statement, around `citizen_upsert` (`INSERT … RETURNING id, opted_out`, its
    parameters `phone`, `language`, `now`); the others' parameters are `t_<column>`,
    `e_<column>` and `n_<column>` (`parameters`)."""
    citizen = citizen_upsert.cte("c")
    ticket_columns = list(Ticket.__table__.columns)
    ticket = (
        postgresql.insert(Ticket)
        .from_select(
            [column.key for column in ticket_columns],
            select(
                *[
                    citizen.c.id if column.key == "citizen_id" else _param("t_", column)
                    for column in ticket_columns
                ]
            ),
        )
        .on_conflict_do_nothing()
        .returning(Ticket.id)
        .cte("t")
    )
    event = _child(TicketEvent, "e_", ticket.c.id).cte("e")
    sms = _child(Notification, "n_", ticket.c.id).cte("n")
    return select(
        citizen.c.id,
        citizen.c.opted_out,
        select(ticket.c.id).scalar_subquery(),
        select(event.c.id).scalar_subquery(),
        select(sms.c.id).scalar_subquery(),
    )


def _child(model: Any, prefix: str, ticket_id: Any) -> Insert:
    """INSERT a row of `model` naming the new ticket, once per ticket row written."""
    columns = [column for column in model.__table__.columns if column.key != "id"]
    values = [
        ticket_id if column.key == "ticket_id" else _param(prefix, column) for column in columns
    ]
    return (
        insert(model)
        .from_select([column.key for column in columns], select(*values))
        .returning(model.__table__.c.id)
    )


def parameters(
    *, citizen: dict[str, Any], ticket: Ticket, event: TicketEvent, sms: Notification
) -> dict[str, Any]:
    """The statement's parameters from the rows as built (not yet written)."""
    values = dict(citizen)
    for prefix, row in (("t_", ticket), ("e_", event), ("n_", sms)):
        for column in row.__table__.columns:
            values[prefix + column.key] = getattr(row, column.key)
    return values
