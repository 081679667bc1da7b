"""Shared fixtures: a migrated database per test session, rollback per test.

SQLite always; PostgreSQL and Redis when reachable (see tests/services.py). Every test
runs with NALISH_ENV=test and settings re-read from the environment.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from infra import caching, db
from infra.settings import reset_settings
from nalish import migrate, wiring

os.environ["NALISH_ENV"] = "test"
os.environ.setdefault("NALISH_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.pop("NALISH_REDIS_URL", None)
# Tests that expect an SMS to go out must not depend on the hour they run at; the
# quiet-hours tests set their own.
os.environ.setdefault("NALISH_QUIET_HOURS", "")
# Tests file many complaints from one phone; the per-phone limits' tests set their own.
os.environ.setdefault("NALISH_SMS_REPLY_LIMIT_PER_HOUR", "0")
os.environ.setdefault("NALISH_FILING_LIMIT_PER_DAY", "0")
# The embedded app's daily open-data job writes files: into a throw-away folder.
os.environ.setdefault("NALISH_OPEN_DATA_DIR", tempfile.mkdtemp(prefix="nalish-open-data-"))
# Tickets keep their SLA clock in tests as in every Nalish process.
wiring.install_hooks()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty SQLite database file for this test session."""
    path = tmp_path_factory.mktemp("db") / "nalish-test.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def db_url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app's settings at the test database for the length of one test."""
    monkeypatch.setenv("NALISH_DATABASE_URL", sqlite_url)
    reset_settings()
    yield sqlite_url
    reset_settings()


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    engine = create_engine(db_url)
    connection = engine.connect()
    transaction = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s
    transaction.rollback()
    connection.close()
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_global_wiring() -> Iterator[None]:
    """Each test starts with no job queue, transport or per-phone counts and nothing
    cached from another test's (rolled-back) database, and leaves no wiring behind."""
    wiring.uninstall()
    caching.clear_all()
    yield
    wiring.uninstall()
    db.dispose_engines()
