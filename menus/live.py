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

from infra.installed import Installed
from menus.engine import Flow
from menus.schema import Definition, InfoService


@dataclass(frozen=True)
class Loaded:
    """One load of every definition file, and the files' modification times then."""

    flow: Flow
    campaigns: tuple[Definition, ...]
    services: tuple[InfoService, ...]
    stamps: tuple[tuple[str, float], ...]


# What the registry last loaded: `publish` it (None: forget it, e.g. between tests).
_loaded: Installed[Loaded] = Installed(
    "no menu definitions loaded: ask menus.registry for the flow first"
)
publish = _loaded.set
published = _loaded.get
_current = _loaded.need


def campaign_category_codes() -> frozenset[str]:
    return frozenset(campaign.category.code for campaign in _current().campaigns)


def info_services() -> tuple[InfoService, ...]:
    return _current().services


def info_service(code: str) -> InfoService:
    return next(service for service in _current().services if service.code == code)
