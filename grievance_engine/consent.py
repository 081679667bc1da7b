"""What the citizen agreed to when they filed: each ticket keeps the version of the
consent text they heard or read (`Ticket.consent_version`).

The text itself is the menus' and SMS's (`consent.*` phrases of the catalogues);
when its meaning changes, raise `CURRENT_VERSION` in the same commit, so every ticket
says which promise it was filed under (what is kept, who sees it, how to erase it:
SMS `MY DATA` and `DELETE MY DATA`).
"""

from __future__ import annotations

CURRENT_VERSION = "2026-12-v1"


def version_for(asked: str | None) -> str:
    """The version a new ticket records: the one its channel showed, else the current."""
    return asked or CURRENT_VERSION
