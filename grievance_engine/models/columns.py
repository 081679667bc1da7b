"""The column helpers every table shares: aware UTC timestamps, stamped by the one clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column

from infra import clock
from infra.db import UTCDateTime


def utc_column(**kwargs: Any) -> Column:
    return Column(UTCDateTime(), **kwargs)


def now_default() -> datetime:
    """The default of every `created_at`-like column (a factory: read at insert time)."""
    return clock.now()
