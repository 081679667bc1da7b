"""open and accountable: outbound webhooks, consent, erasure, views of personal data

Revision ID: 0015
Revises: 0014
(`category.sensitive`, which the public pages also honour, came with 0013.)
Webhook subscribers and their deliveries (the outbox pattern: grievance_engine.webhooks).
Data rights: the consent version each ticket was filed under; a citizen's erasure request;
the log of staff views of personal data.

Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_webhooks()
    op.create_table(
        "personal_data_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # used by `nalish audit views --ref`: a ticket's views in order
    op.create_index("ix_personal_data_view_ticket", "personal_data_view", ["ticket_id", "id"])
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erase_requested_at", infra.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )


def _create_webhooks() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # used by the webhook sweep: pending deliveries whose attempt time has come
    op.create_index(
        "ix_webhook_delivery_status_next", "webhook_delivery", ["status", "next_attempt_at"]
    )
    # used by `nalish webhooks dead` and a subscriber's history
    op.create_index(
        "ix_webhook_delivery_subscription", "webhook_delivery", ["subscription_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("personal_data_view")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("consent_version")
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_column("erase_requested_at")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_subscription")
