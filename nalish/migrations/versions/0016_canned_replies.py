"""canned replies: written by admins per language and category

Revision ID: 0016
Revises: 0015
The three replies that were phrases of the `dashboards` catalogue (received, need
info, visit) become general replies (no category) in English, Bangla and Swahili, so
nothing is lost; admins edit them on /dashboard/admin/replies.

Create Date: 2026-12-06 11:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import infra.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (language, title, body) as the catalogues had them on 2026-12-06; frozen here, since a
# migration must write the same rows whenever it runs.
SEEDED = (
    ("en", "Received, being worked on",
     "Your complaint {ref} is with our team. We will update you by SMS."),
    ("en", "Please call with details",
     "About complaint {ref}: please call 333 to give us more details."),
    ("en", "An officer will visit",
     "About complaint {ref}: an officer will visit within 3 working days."),
    ("bn", "পেয়েছি, কাজ চলছে",
     "আপনার অভিযোগ {ref} আমাদের দলের কাছে আছে। আমরা এসএমএসে জানাব।"),
    ("bn", "তথ্যসহ কল করুন",
     "অভিযোগ {ref}: আরও তথ্য দিতে অনুগ্রহ করে ৩৩৩-এ কল করুন।"),
    ("bn", "কর্মকর্তা পরিদর্শন করবেন",
     "অভিযোগ {ref}: একজন কর্মকর্তা ৩ কর্মদিবসের মধ্যে পরিদর্শন করবেন।"),
    ("sw", "Limepokelewa, linashughulikiwa",
     "Malalamiko yako {ref} yako kwa timu yetu. Tutakujulisha kwa SMS."),
    ("sw", "Tafadhali piga simu na maelezo",
     "Kuhusu malalamiko {ref}: tafadhali piga 333 kutupa maelezo zaidi."),
    ("sw", "Afisa atatembelea",
     "Kuhusu malalamiko {ref}: afisa atatembelea ndani ya siku 3 za kazi."),
)  # fmt: skip


def upgrade() -> None:
    table = op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=640), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("updated_at", infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # used by the ticket page's reply box: a language's replies, of a category or general
    op.create_index(
        "ix_canned_reply_language_category", "canned_reply", ["language", "category_id"]
    )
    seeded_at = datetime(2026, 12, 6, tzinfo=UTC)
    rows = []
    for index, (language, title, body) in enumerate(SEEDED):
        rows.append(
            {
                "language": language,
                "category_id": None,
                "title": title,
                "body": body,
                "active": True,
                "sort_order": index % 3 + 1,
                "updated_at": seeded_at,
            }
        )
    op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_canned_reply_language_category", table_name="canned_reply")
    op.drop_table("canned_reply")
