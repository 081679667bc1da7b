"""The menu definitions in service now: the compiled flow, the active campaigns and the
information services, as `menus.registry` last loaded them.

The registry loads, checks, compiles and reloads; it publishes what it loaded here. The
steps a definition names (`menus.steps`) read the campaigns and services from here, so
they never import the registry, which compiles definitions that name them: the
imports go one way (docs/architecture.md, "Layers"). A step runs only inside a flow
the registry handed out, so something has always been published by then.
"""

from __future__ import annotations

from dataclasses import dataclass

from menus.engine import Flow
from menus.schema import Definition, InfoService


@dataclass(frozen=True)
class Loaded:
    """One load of every definition file, and the files' modification times then."""

    flow: Flow
    campaigns: tuple[Definition, ...]
    services: tuple[InfoService, ...]
    stamps: tuple[tuple[str, float], ...]


_published: Loaded | None = None


def publish(loaded: Loaded | None) -> None:
    """What the registry loaded (None: forget it, e.g. between tests)."""
    global _published
    _published = loaded


def published() -> Loaded | None:
    return _published


def _current() -> Loaded:
    if _published is None:
        raise RuntimeError("no menu definitions loaded: ask menus.registry for the flow first")
    return _published


def campaign_category_codes() -> frozenset[str]:
    return frozenset(campaign.category.code for campaign in _current().campaigns)


def info_services() -> tuple[InfoService, ...]:
    return _current().services


def info_service(code: str) -> InfoService:
    return next(service for service in _current().services if service.code == code)
