"""sensitive categories

Revision ID: 0013
Revises: 0012
A category may be `sensitive` (corruption, violence against women and children, child
marriage): no SMS to the citizen names it, since feature phones are often shared
(grievance_engine.messages.category_for_citizen). The seeded ones are marked here; the
seed marks them on a fresh database.

Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SENSITIVE = ("corruption", "vawc", "child_marriage")


def upgrade() -> None:
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    category = sa.table("category", sa.column("code", sa.String), sa.column("sensitive", sa.Boolean))
    op.execute(
        category.update().where(category.c.code.in_(SENSITIVE)).values(sensitive=sa.true())
    )


def downgrade() -> None:
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_column("sensitive")
