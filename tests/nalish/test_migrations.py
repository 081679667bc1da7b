"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL,
and they go down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from grievance_engine import search
from nalish import migrate
from nalish.models import metadata
from tests import services


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    services.require_services()
    url = services.create_database()
    yield url
    services.drop_database(url)


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "render_as_batch": True,
                    # the FTS5 table and expression indexes of migration 0014
                    "include_name": lambda name, *_: not search.made_by_migration(name),
                },
            )
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_schema_the_models_describe(empty_database):
    migrate.upgrade(empty_database)
    assert _differences(empty_database) == []


def test_the_migrations_go_down_to_nothing_and_up_again(empty_database):
    migrate.upgrade(empty_database)
    command.downgrade(migrate.alembic_config(empty_database), "base")
    migrate.upgrade(empty_database)
    assert _differences(empty_database) == []
