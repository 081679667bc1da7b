"""A value a process is given once it starts, not at import: the SMS transport, the
rate limiter and the job queue that the composition root (`nalish.wiring`) builds from
the settings, or the menu definitions the registry loaded. Nothing installs one as a
side effect of an import (docs/architecture.md, "Application context").

Unlike `infra.caching`, a value here is not a cache: `caching.clear_all()` leaves it,
and only its owner (the composition root, a test) sets or removes it.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Installed(Generic[T]):
    """One value given to this process, or None until it is (and after `set(None)`);
    `missing` is the error `need` raises meanwhile."""

    def __init__(self, missing: str) -> None:
        self._value: T | None = None
        self._missing = missing

    def set(self, value: T | None) -> None:
        """Install `value` (None: remove it, e.g. at shutdown or between tests)."""
        self._value = value

    def get(self) -> T | None:
        return self._value

    def need(self) -> T:
        """The value; a RuntimeError saying `missing` when there is none."""
        if self._value is None:
            raise RuntimeError(self._missing)
        return self._value
