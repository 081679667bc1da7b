"""Alembic environment: migrates the database named by NALISH_DATABASE_URL (or the
URL the caller put in the Alembic config)."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from grievance_engine import search
from infra.settings import get_settings
from nalish.models import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _modelled(name, type_, parent_names) -> bool:
    return not search.made_by_migration(name)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_name=_modelled,  # autogenerate leaves search's own tables and indexes
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
