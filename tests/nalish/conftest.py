"""Backends for end-to-end tests: the embedded default, and PostgreSQL + Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from escalation import catalogue as sla_catalogue
from infra import db
from infra.db import session_scope
from infra.settings import reset_settings
from nalish import migrate
from routing import gazetteer
from routing import seed as seeding
from tests import services


@dataclass
class Backend:
    """A migrated, seeded database (and Redis, for `postgres_redis`) with its env vars."""

    kind: str
    env: dict[str, str]

    @property
    def with_redis(self) -> bool:
        return "NALISH_REDIS_URL" in self.env

    def nalish(
        self, *args: str, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the real `nalish` CLI in a subprocess against this backend."""
        env = {**os.environ, **self.env}
        if not self.with_redis:
            env.pop("NALISH_REDIS_URL", None)
        return subprocess.run(
            [sys.executable, "-m", "nalish", *args],
            env=env,
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
            check=check,
        )


def _activate(env: dict[str, str]) -> dict[str, str | None]:
    saved = {
        key: os.environ.get(key)
        for key in (
            "NALISH_DATABASE_URL",
            "NALISH_REDIS_URL",
            "NALISH_REDIS_PREFIX",
            "NALISH_COUNTRY",
        )
    }
    for key in saved:
        os.environ.pop(key, None)
    os.environ.update(env)
    reset_settings()
    db.dispose_engines()
    gazetteer.clear_cache()
    return saved


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_settings()
    db.dispose_engines()
    gazetteer.clear_cache()


def _prepare(env: dict[str, str]) -> None:
    migrate.upgrade(env["NALISH_DATABASE_URL"])
    country = env.get("NALISH_COUNTRY", "BD")
    with session_scope() as session:
        seeding.seed(session=session, country=country)
        sla_catalogue.seed(session, country)


@pytest.fixture(scope="module", params=["embedded", "postgres_redis"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    if request.param == "embedded":
        path = tmp_path_factory.mktemp("embedded") / "nalish.db"
        env = {"NALISH_DATABASE_URL": f"sqlite:///{path}"}
        saved = _activate(env)
        try:
            _prepare(env)
            yield Backend("embedded", env)
        finally:
            _restore(saved)
        return
    services.require_services()
    url = services.create_database()
    prefix = services.redis_prefix()
    env = {
        "NALISH_DATABASE_URL": url,
        "NALISH_REDIS_URL": services.REDIS_URL,
        "NALISH_REDIS_PREFIX": prefix,
    }
    saved = _activate(env)
    try:
        _prepare(env)
        yield Backend("postgres_redis", env)
    finally:
        _restore(saved)
        services.drop_database(url)
        services.delete_redis_keys(prefix)


@pytest.fixture(scope="module")
def kenya(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A Kenyan deployment on the embedded default: counties, Kiswahili first."""
    path = tmp_path_factory.mktemp("kenya") / "nalish.db"
    env = {"NALISH_DATABASE_URL": f"sqlite:///{path}", "NALISH_COUNTRY": "KE"}
    saved = _activate(env)
    try:
        _prepare(env)
        yield Backend("embedded", env)
    finally:
        _restore(saved)
