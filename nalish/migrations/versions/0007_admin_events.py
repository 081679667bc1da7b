"""admin events

Revision ID: 0007
Revises: 0006
The record of admin changes (users, offices, routing rules, SLA policies, holidays,
categories, API tokens): one hash chain, see grievance_engine.admin_log.

Create Date: 2026-11-28 03:44:01.508296
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq", name="uq_admin_event_seq"),
    )
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.create_index("ix_admin_event_subject", ["subject", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_event_subject")

    op.drop_table("admin_event")
