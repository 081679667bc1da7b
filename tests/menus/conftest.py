"""Menu tests that run end to end on both backends (see tests/nalish/conftest.py)."""

from tests.nalish.conftest import backend, kenya  # noqa: F401  (a fixture shared across folders)
