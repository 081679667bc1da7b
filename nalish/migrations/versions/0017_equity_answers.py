"""equity answers: gender, age band and disability, optional, asked after filing

Revision ID: 0017
Revises: 0016
A table of its own (not columns on `ticket`): erased with the phone, one row per ticket.

Create Date: 2026-12-06 11:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "equity_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("gender", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("age_band", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("disability", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("asked_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("equity_answer")
