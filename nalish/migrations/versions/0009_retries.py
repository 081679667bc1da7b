"""retries: API idempotency keys, no-id inbound dedupe key, login throttle

Revision ID: 0009
Revises: 0007
Every concurrent retry gets the first answer (`idempotency_key`, decided by its unique
(token, key)); an SMS with no provider id is recorded once (`inbound_message.dedupe_key`,
unique, replacing the read over `ix_inbound_phone_hash_at`, dropped); sign-in attempts
are counted atomically per account and address (`login_throttle`).

Create Date: 2026-12-06 01:45:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_id", "key", name="uq_idempotency_token_key"),
    )
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_started_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject"),
    )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_unique_constraint("uq_inbound_dedupe_key", ["dedupe_key"])
        # the read-then-write window it served is gone: the unique key decides
        batch_op.drop_index("ix_inbound_phone_hash_at")


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_phone_hash_at", ["from_phone", "text_hash", "received_at"], unique=False
        )
        batch_op.drop_constraint("uq_inbound_dedupe_key", type_="unique")
        batch_op.drop_column("dedupe_key")
    op.drop_table("login_throttle")
    op.drop_table("idempotency_key")
