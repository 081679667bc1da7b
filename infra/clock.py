"""The one clock every time-dependent rule reads.

Tests and `nalish sla sweep --at` set it; nothing else in Nalish calls `datetime.now()`.
Times are timezone-aware UTC; display converts to the deployment's time zone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_lock = threading.Lock()
_frozen_at: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC (or the frozen time when one is set)."""
    frozen = _frozen_at
    return frozen if frozen is not None else datetime.now(UTC)


def wall() -> datetime:
    """The real time, even when the clock is frozen. Only for when a message may go out:
    an SMS written by `nalish sla sweep --at <tomorrow>` must not wait until tomorrow."""
    return datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or unfreeze it with None."""
    global _frozen_at
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware datetimes")
    with _lock:
        _frozen_at = moment.astimezone(UTC) if moment else None


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Run a block as if the clock read `moment`."""
    previous = _frozen_at
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)
