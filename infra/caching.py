"""The one way a process caches: every cache is made here and registered, so
`clear_all()` forgets them all at once (tests between cases, a reload after data
changed under the process). docs/architecture.md, "Application context".

- `cached(maxsize=…)`: a function memoised on its arguments (`functools.lru_cache`).
- `Slot()`: one value a module rebuilds when stale (routing rules, SLA policies).
- `keyed()`: a dict of values by key (gazetteer indexes, menu option lists).

Each module still decides when its own cache is stale; this only makes forgetting
every cache one call instead of a list to keep in step with the code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

_clearers: list[Callable[[], None]] = []


def cached(maxsize: int | None = 128) -> Callable[[F], F]:
    """`functools.lru_cache(maxsize)`, registered for `clear_all()`."""

    def decorate(function: F) -> F:
        memoised = functools.lru_cache(maxsize=maxsize)(function)
        _clearers.append(memoised.cache_clear)
        return memoised  # type: ignore[return-value]

    return decorate


class Slot(Generic[T]):
    """One cached value, or None when there is none (yet, or since `clear`)."""

    def __init__(self) -> None:
        self.value: T | None = None
        _clearers.append(self.clear)

    def clear(self) -> None:
        self.value = None


def keyed() -> dict[Any, Any]:
    """An empty dict whose contents `clear_all()` forgets."""
    values: dict[Any, Any] = {}
    _clearers.append(values.clear)
    return values


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Have `clear_all()` call `clear` too: for a cache with its own reset (a lock,
    a reload schedule) that none of the shapes above fits."""
    _clearers.append(clear)
    return clear


def clear_all() -> None:
    """Forget every registered cache in this process."""
    for clear in _clearers:
        clear()
