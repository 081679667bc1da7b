"""ticket search

Revision ID: 0014
Revises: 0013
What `grievance_engine.search` finds descriptions with, on each dialect:

- PostgreSQL: the pg_trgm extension, a GIN trigram index on `ticket.description`
  (substring and near-spelling matches, Bangla and Banglish alike) and a GIN index on
  `to_tsvector('simple', description)` (full text, no stemming). `CREATE EXTENSION`
  needs a role allowed to create it (a superuser, or a trusted extension on PG 13+).
- SQLite: the FTS5 table `ticket_fts` with the `trigram` tokenizer (SQLite 3.34+), an
  external-content index of `ticket.description` kept by three triggers, and filled
  from the tickets already there.
- A phone's last digits are found by `citizen.phone LIKE '%digits'` on either.

Create Date: 2026-12-06 08:00:00
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE ticket_fts USING fts5("
    "description, content='ticket', content_rowid='id', tokenize='trigram')",
    # used by grievance_engine.search: every new, changed (retention erasure) or
    # removed description is indexed again
    "CREATE TRIGGER ticket_fts_insert AFTER INSERT ON ticket BEGIN "
    "INSERT INTO ticket_fts(rowid, description) VALUES (new.id, new.description); END",
    "CREATE TRIGGER ticket_fts_delete AFTER DELETE ON ticket BEGIN "
    "INSERT INTO ticket_fts(ticket_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); END",
    "CREATE TRIGGER ticket_fts_update AFTER UPDATE OF description ON ticket BEGIN "
    "INSERT INTO ticket_fts(ticket_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); "
    "INSERT INTO ticket_fts(rowid, description) VALUES (new.id, new.description); END",
    "INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS ticket_fts_update",
    "DROP TRIGGER IF EXISTS ticket_fts_delete",
    "DROP TRIGGER IF EXISTS ticket_fts_insert",
    "DROP TABLE IF EXISTS ticket_fts",
)
_POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # used by grievance_engine.search: a word as a substring or a near spelling
    "CREATE INDEX IF NOT EXISTS ix_ticket_description_trgm ON ticket "
    "USING gin (description gin_trgm_ops)",
    # used by grievance_engine.search: the description's words, as written
    "CREATE INDEX IF NOT EXISTS ix_ticket_description_fts ON ticket "
    "USING gin (to_tsvector('simple', description))",
)
_POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS ix_ticket_description_fts",
    "DROP INDEX IF EXISTS ix_ticket_description_trgm",
)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_UP)
    elif dialect == "postgresql":
        _run(_POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(_POSTGRES_DOWN)
