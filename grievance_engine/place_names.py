"""A place's name as a reader of a given language writes it: one rule for every surface.

An admin area carries its English name (`name`) and, where the gazetteer has one, its
name in its country's own language (`name_local`: "রংপুর" for Rangpur). That local name
is shown to readers of the language the registry says the country speaks
(`grievance_engine.languages.native_of`); everyone else reads the English name.
"""

from __future__ import annotations

from typing import Protocol

from grievance_engine import languages


class Place(Protocol):
    country: str
    name: str
    name_local: str | None


def reads_local_name(area: Place, language: str) -> bool:
    """Whether a reader of `language` is shown `area`'s local name: it has one, and it
    is written in `language` (the native language of the area's country)."""
    return bool(area.name_local) and languages.native_of(area.country) == language


def local_name(area: Place, language: str) -> str:
    """`area`'s name for a reader of `language`: its local name or its English name."""
    return area.name_local or area.name if reads_local_name(area, language) else area.name
