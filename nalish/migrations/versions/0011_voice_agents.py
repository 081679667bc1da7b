"""agents on call, voice messages

Revision ID: 0011
Revises: 0010
The voice line's person key rings agents on call, longest idle first
(`app_user.on_call`, `app_user.last_call_ended_at`); when nobody answers, the caller's
voice message goes with the call-back task (`callback_task.recording_url`).

Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_call", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("last_call_ended_at", infra.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("callback_task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recording_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("callback_task", schema=None) as batch_op:
        batch_op.drop_column("recording_url")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("last_call_ended_at")
        batch_op.drop_column("on_call")
