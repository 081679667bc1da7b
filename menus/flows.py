"""The conversation every channel runs now: `current()` is the one place channels ask
for it, so the definition can change (a campaign added, a file edited) without them."""

from __future__ import annotations

from menus import registry
from menus.engine import Flow


def current() -> Flow:
    """The helpline's flow as it stands, campaigns included (reloaded when a definition
    file changes; see `menus.registry`)."""
    return registry.flow()
