"""open and accountable: sensitive categories

Revision ID: 0015
Revises: 0010
A category can be `sensitive`: never named in public (/track, Open311, open data).
The seeded violence and child-marriage categories are marked so on existing databases.

Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

# routing.seed_data.SENSITIVE_CATEGORIES when this revision was written
_SENSITIVE = ("vawc", "child_marriage")


def upgrade() -> None:
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    category = sa.table(
        "category", sa.column("code", sa.String), sa.column("sensitive", sa.Boolean)
    )
    op.execute(category.update().where(category.c.code.in_(_SENSITIVE)).values(sensitive=True))


def downgrade() -> None:
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_column("sensitive")
