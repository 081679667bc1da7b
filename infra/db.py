"""The database engine, sessions, and the column types every model shares.

One engine per process, built from `NALISH_DATABASE_URL`. Callers own transactions:
services flush, and the route, job or CLI command that called them commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

from infra.settings import get_settings


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    PostgreSQL keeps the offset (timestamptz); SQLite keeps naive text, so we store
    UTC there and re-attach the zone on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use infra.clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: WAL and foreign keys on SQLite, pre-ping on Postgres."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


_engines: dict[str, Engine] = {}


def get_engine() -> Engine:
    """The engine for the configured database URL (one per URL per process)."""
    url = get_settings().database_url
    engine = _engines.get(url)
    if engine is None:
        engine = _engines.setdefault(url, make_engine(url))
    return engine


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (tests, forked workers)."""
    # popitem, not a loop over the dict: a job thread still finishing may add an engine
    # meanwhile, and iterating a dict that grows raises.
    while _engines:
        _url, engine = _engines.popitem()
        engine.dispose()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class LazySession:
    """A database session opened only if something asks for it.

    Most USSD hops never touch the database (lists are cached), so they should not pay
    for a connection; the few that do (filing, status) open one here.
    """

    def __init__(self) -> None:
        self._session: Session | None = None

    def get(self) -> Session:
        if self._session is None:
            self._session = Session(get_engine(), expire_on_commit=False)
        return self._session

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
