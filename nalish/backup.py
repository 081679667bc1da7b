"""`nalish backup DIR` and `nalish restore DIR`: the database, the media files and the
audit heads, taken consistently and brought back checked.

A backup directory holds:

| file | what |
| --- | --- |
| `database.dump` | PostgreSQL: `pg_dump -Fc`, taken inside the snapshot below |
| `database.sqlite` | SQLite: a copy made with SQLite's online backup API |
| `media/` | `NALISH_MEDIA_DIR`: fetched recordings and attachments (content-addressed) |
| `manifest.json` | when, the schema revision, row counts per table, the audit heads |
| `audit-heads.json` | the audit heads alone (`nalish audit heads --json`), to keep off-site |

Consistency: on PostgreSQL one REPEATABLE READ transaction exports its snapshot and
`pg_dump --snapshot` dumps exactly what that transaction sees, while the same
transaction counts the rows and computes the heads, so the manifest describes the dump
even while citizens keep filing. On SQLite the heads are computed from the copy itself.
Media files are named by their content's hash and never rewritten, so copying them
after the snapshot includes every file the dump refers to.

A restore loads the dump (`pg_restore --clean --if-exists`, one transaction) or the
copy, puts the media files back, then recomputes the heads and counts and compares
them with the manifest: `RestoreMismatch` when they differ.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session, SQLModel

from grievance_engine import audit
from infra import clock
from infra.settings import Settings

FORMAT = 1  # of the manifest; a restore refuses a manifest it does not know
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite"
MEDIA = "media"
MANIFEST = "manifest.json"
HEADS = "audit-heads.json"


class BackupError(Exception):
    """The backup or restore could not be done (the message says why)."""


class RestoreMismatch(BackupError):
    """The restored database does not match the manifest: its heads or counts differ."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds or a restore brought back."""

    directory: Path
    manifest: dict

    def line(self) -> str:
        heads = self.manifest["heads"]
        return (
            f"{heads['tickets']} tickets, {heads['events']} events, "
            f"{self.manifest['media_files']} media files; "
            f"tickets digest {heads['tickets_digest'][:16]}…"
        )


def backup(settings: Settings, directory: Path) -> Summary:
    """Write a backup of the configured database and media into `directory` (new or empty)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    url = settings.database_url
    if url.startswith("sqlite"):
        state = _backup_sqlite(_sqlite_path(url), directory / SQLITE_COPY)
    elif url.startswith("postgresql"):
        state = _backup_postgres(url, directory / PG_DUMP)
    else:
        raise BackupError(f"no backup for the database {make_url(url).drivername}")
    media_files = _copy_media(Path(settings.media_dir), directory / MEDIA)
    manifest = {
        "format": FORMAT,
        "taken_at": clock.now().isoformat(),
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "media_files": media_files,
        **state,
    }
    _write_json(directory / MANIFEST, manifest)
    _write_json(directory / HEADS, manifest["heads"])
    return Summary(directory, manifest)


def restore(settings: Settings, directory: Path) -> Summary:
    """Bring the backup in `directory` back into the configured database and media
    directory, then check the heads and counts against its manifest."""
    manifest = _read_manifest(directory)
    url = settings.database_url
    if url.startswith("sqlite") and manifest["database"] == "sqlite":
        _restore_sqlite(directory / SQLITE_COPY, _sqlite_path(url))
    elif url.startswith("postgresql") and manifest["database"] == "postgresql":
        _restore_postgres(directory / PG_DUMP, url)
    else:
        raise BackupError(
            f"a {manifest['database']} backup cannot be restored into "
            f"{make_url(url).drivername}: restore into the same kind of database"
        )
    _copy_media(directory / MEDIA, Path(settings.media_dir))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = _state(connection)
    finally:
        engine.dispose()
    differences = _differences(manifest, found)
    if differences:
        raise RestoreMismatch(
            "restored, but it does not match the backup: " + "; ".join(differences)
        )
    return Summary(directory, manifest)


def _state(connection: Connection) -> dict:
    """The schema revision, every table's row count and the audit heads, as seen by
    `connection`'s transaction."""
    with Session(bind=connection) as session:
        heads = audit.heads(session=session)
    counts = {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return {"revision": revision, "counts": counts, "heads": heads}


def _differences(manifest: dict, found: dict) -> list[str]:
    problems = [
        f"{key}: backup {manifest['heads'][key]!r}, restored {found['heads'][key]!r}"
        for key in manifest["heads"]
        if manifest["heads"][key] != found["heads"].get(key)
    ]
    problems += [
        f"table {table}: backup {count} rows, restored {found['counts'].get(table)}"
        for table, count in manifest["counts"].items()
        if found["counts"].get(table) != count
    ]
    return problems


# --- PostgreSQL ---------------------------------------------------------------------


def _backup_postgres(url: str, dump: Path) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.execute(text("SET TRANSACTION READ ONLY"))
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                state = _state(connection)
                # The transaction stays open while pg_dump reads its snapshot.
                _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(dump)], url)
    finally:
        engine.dispose()
    return state


def _restore_postgres(dump: Path, url: str) -> None:
    if not dump.is_file():
        raise BackupError(f"{dump} is missing")
    _create_database_if_missing(url)
    _run(
        [
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", str(dump),
        ],
        url,
    )  # fmt: skip


def _create_database_if_missing(url: str) -> None:
    """A restore after the database was dropped: create it, empty, first."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(target.database)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


def _run(command: list[str], url: str) -> None:
    """Run pg_dump/pg_restore against `url`; the password goes in the environment, never
    on a command line that `ps` shows."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    target = make_url(url)
    env = os.environ | {"PGPASSWORD": target.password or os.environ.get("PGPASSWORD", "")}
    connection = [
        f"--host={target.host or 'localhost'}",
        f"--port={target.port or 5432}",
        f"--username={target.username or 'postgres'}",
        f"--dbname={target.database}",
    ]
    done = subprocess.run(  # noqa: S603 (fixed programs, arguments from our settings)
        [*command, *connection], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


# --- SQLite ---------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _backup_sqlite(source: Path, copy: Path) -> dict:
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    _sqlite_copy(source, copy)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            return _state(connection)
    finally:
        engine.dispose()


def _restore_sqlite(copy: Path, target: Path) -> None:
    if not copy.is_file():
        raise BackupError(f"{copy} is missing")
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(copy, target)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while others write."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


# --- files --------------------------------------------------------------------------


def _copy_media(source: Path, target: Path) -> int:
    """Copy the media files (not half-written `.part-*` downloads); how many."""
    if not source.is_dir():
        return 0
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".part-*"))
    return sum(1 for path in target.rglob("*") if path.is_file())


def _write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def _read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{directory / MANIFEST} is missing: not a Nalish backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest
