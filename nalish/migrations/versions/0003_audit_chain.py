"""audit chain: seq, prev_hash and hash on ticket events; the chain head on tickets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 00:03:27.656531

Existing events are numbered in id order and hashed here (a data step), so
`nalish audit verify` passes on an upgraded database. The hash is a frozen copy of
`grievance_engine.events.compute_hash` as of this revision: a migration must not
change meaning when the application code does.
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _hash(ticket_id, ref, seq, type_, at, actor, data, prev_hash) -> str:
    payload = {
        "ticket_id": ticket_id,
        "ref": ref,
        "seq": seq,
        "type": type_,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "data": data,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _chain_existing_events() -> None:
    ticket = sa.table(
        "ticket",
        sa.column("id", sa.Integer()),
        sa.column("ref", sa.String()),
        sa.column("event_count", sa.Integer()),
        sa.column("last_event_hash", sa.String()),
    )
    event = sa.table(
        "ticket_event",
        sa.column("id", sa.Integer()),
        sa.column("ticket_id", sa.Integer()),
        sa.column("type", sa.String()),
        sa.column("at", infra.db.UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    connection = op.get_bind()
    after = 0
    while True:  # 1,000 tickets at a time: bounded memory on a large database
        batch = connection.execute(
            sa.select(ticket.c.id, ticket.c.ref)
            .where(ticket.c.id > after)
            .order_by(ticket.c.id)
            .limit(1000)
        ).all()
        if not batch:
            return
        after = batch[-1][0]
        refs = dict(batch)
        rows = connection.execute(
            sa.select(
                event.c.id, event.c.ticket_id, event.c.type, event.c.at, event.c.actor, event.c.data
            )
            .where(event.c.ticket_id.in_(list(refs)))
            .order_by(event.c.ticket_id, event.c.id)
        ).all()
        heads: dict[int, tuple[int, str]] = {}
        for event_id, ticket_id, type_, at, actor, data in rows:
            seq, prev_hash = heads.get(ticket_id, (0, GENESIS))
            seq += 1
            digest = _hash(ticket_id, refs[ticket_id], seq, type_, at, actor, data, prev_hash)
            connection.execute(
                event.update()
                .where(event.c.id == event_id)
                .values(seq=seq, prev_hash=prev_hash, hash=digest)
            )
            heads[ticket_id] = (seq, digest)
        for ticket_id, (seq, digest) in heads.items():
            connection.execute(
                ticket.update()
                .where(ticket.c.id == ticket_id)
                .values(event_count=seq, last_event_hash=digest)
            )


def upgrade() -> None:
    # Server defaults give existing rows a value; the data step then sets the real one.
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("last_event_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )

    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "prev_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )

    _chain_existing_events()

    # After the data step: before it, every existing event had seq 0.
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_ticket_event_ticket_seq", ["ticket_id", "seq"])


def downgrade() -> None:
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ticket_event_ticket_seq", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("last_event_hash")
        batch_op.drop_column("event_count")
