"""What the benchmarks share: a throw-away database, this process's settings pointed at
it, the revision measured, percentiles, and the command line's help and signals.

Each benchmark is run as a script (`.venv/bin/python bench/<name>.py`), so Python puts
`bench/` first on the path and `import common` finds this file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import statistics
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


# ---------------------------------------------------------------- the database


@contextlib.contextmanager
def postgres_database(*, keep: bool = False) -> Iterator[tuple[str, str]]:
    """A new PostgreSQL database `nalish_bench_<random>` on 127.0.0.1:5432: yields its
    URL and name; dropped at the end, also on Ctrl-C or an error, unless `keep`."""
    import psycopg

    name = f"nalish_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name
    finally:
        from infra.db import dispose_engines

        dispose_engines()  # this process's pooled connections to it
        if keep:
            print(f'kept database {name} (--keep): DROP DATABASE "{name}" when done', flush=True)
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def database(sqlite: bool, tmp: Path) -> Iterator[tuple[str, str]]:
    """A throw-away database URL and what to call it in the report: a new PostgreSQL
    database, or (`sqlite`) a SQLite file in `tmp`."""
    if sqlite:
        yield f"sqlite:///{tmp / 'bench.db'}", "SQLite file (temporary)"
        return
    with postgres_database() as (url, name):
        yield url, f"PostgreSQL {name}"


def point_settings_at(url: str, **environment: str) -> None:
    """This process's settings: the bench database, no Redis, Bangladesh, dev, and any
    other `NALISH_*` variables given. No job queue: outbox rows are written, nothing
    enqueues or sends them."""
    for key in [key for key in os.environ if key.startswith("NALISH_")]:
        del os.environ[key]
    os.environ.update(
        {"NALISH_ENV": "dev", "NALISH_COUNTRY": "BD", "NALISH_DATABASE_URL": url, **environment}
    )
    from infra import background_jobs, db, settings

    settings.reset_settings()
    db.dispose_engines()
    background_jobs.set_job_queue(None)


# ---------------------------------------------------------------- measuring and report


def percentile(samples: Sequence[float], p: int) -> float:
    """The p-th percentile, interpolated between the samples (method "inclusive")."""
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def revision() -> str:
    """The commit measured, "-dirty" when the work tree has uncommitted changes."""
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or "an unknown revision (not a git work tree)"


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The docstring as written, and each option's default."""


def argument_parser(docstring: str) -> argparse.ArgumentParser:
    """A parser whose help is the benchmark's docstring up to its usage line."""
    return argparse.ArgumentParser(
        description=docstring.rsplit("\n\n", 1)[0], formatter_class=_HelpFormatter
    )


def drop_database_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt, so the `with` blocks unwind and the
    throw-away database is dropped on the way out."""

    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
