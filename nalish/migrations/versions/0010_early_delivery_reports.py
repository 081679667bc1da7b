"""early delivery reports

Revision ID: 0010
Revises: 0007
A delivery report keeps what it means for its message (`meaning`, `opted_out`), so a
report that arrived before its message's provider id was saved can be applied when the
id lands (channels.delivery.apply_waiting).

Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meaning", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("opted_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_report", schema=None) as batch_op:
        batch_op.drop_column("opted_out")
        batch_op.drop_column("meaning")
