"""knowledge base and contacts

Revision ID: 0012
Revises: 0011
Articles agents and citizens search (`kb_article`) and the record of every
information request or call that filed nothing (`contact`).

Create Date: 2026-12-06 07:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("bodies", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("updated_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("kb_article", schema=None) as batch_op:
        batch_op.create_index("ix_kb_article_topic", ["topic"], unique=False)

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["admin_area.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_at")
    op.drop_table("contact")
    with op.batch_alter_table("kb_article", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_article_topic")
    op.drop_table("kb_article")
