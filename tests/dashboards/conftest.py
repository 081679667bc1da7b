"""The dashboards run against both backends (SQLite + memory, PostgreSQL + Redis)."""

from tests.nalish.conftest import backend  # noqa: F401  (a fixture shared across folders)
