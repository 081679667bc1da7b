"""Where the definitions live, and the flow compiled from them, kept fresh.

Built in: `menus/definitions/helpline.yaml` and `menus/definitions/services.yaml`. An
operator's campaigns: every `*.yaml` in `NALISH_MENUS_DIR`. The files' modification
times are looked at, at most every `RELOAD_CHECK_SECONDS`; a change is loaded without
a restart. A file that fails its checks is refused (and logged, naming the file and
node) and the last good flow stays in service: a typo never takes the helpline down.
At start-up (`load()`), a bad built-in file is an error.

Retiring a campaign: `active: false` in its file, or remove the file. A citizen in the
middle of it when it goes is sent back to the start with a notice.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from infra import caching
from infra.settings import get_settings
from menus import compiler, live
from menus.definition import load_file
from menus.engine import Flow
from menus.live import Loaded
from menus.provision import provision
from menus.schema import Definition, DefinitionError, InfoService
from routing import categories as routing_categories

log = logging.getLogger("nalish.menus")

BUILT_IN = Path(__file__).resolve().parent / "definitions"
RELOAD_CHECK_SECONDS = 5.0


_lock = threading.Lock()
_checked_at = 0.0  # when the files' times were last compared (what was loaded: `menus.live`)


def definition_files() -> list[Path]:
    """The files that make up the flow: built-in first, then the operator's campaigns."""
    files = [BUILT_IN / "helpline.yaml", BUILT_IN / "services.yaml"]
    extra = get_settings().menus_dir
    if extra:
        files += sorted(Path(extra).glob("*.yaml"))
    return files


def _stamps(files: list[Path]) -> tuple[tuple[str, float], ...]:
    return tuple((str(f), f.stat().st_mtime if f.exists() else -1.0) for f in files)


def load() -> Loaded:
    """Load and check every definition now; raises `DefinitionError` naming the file."""
    files = definition_files()
    helpline = load_file(files[0])
    services = load_services(files[1])
    campaigns = []
    for path in files[2:]:
        definition = load_file(path)
        if definition.campaign is None:
            raise DefinitionError(path, "only campaigns (`campaign: <code>`) may be added")
        if definition.active:
            campaigns.append(definition)
    _check_unique(campaigns)
    flow = compiler.compile_flow(helpline, campaigns)
    return Loaded(flow, tuple(campaigns), services, _stamps(files))


def _check_unique(campaigns: list[Definition]) -> None:
    seen: dict[str, str] = {}
    for campaign in campaigns:
        for key in (campaign.campaign, campaign.category.code):
            if key in seen and seen[key] != campaign.campaign:
                raise DefinitionError("NALISH_MENUS_DIR", f"{key!r} is used by two campaigns")
            seen[key] = campaign.campaign


def load_services(path: Path) -> tuple[InfoService, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        services = tuple(
            InfoService(item["code"], dict(item["names"]), dict(item["sms"]))
            for item in raw["services"]
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise DefinitionError(path, f"not a services catalogue: {exc!r}") from exc
    for service in services:
        if "en" not in service.names or "en" not in service.texts:
            raise DefinitionError(path, f"service {service.code!r} needs English text")
    return services


def _current() -> Loaded:
    """The loaded definitions, reloaded when a file changed (checked every few seconds)."""
    global _checked_at
    loaded = live.published()
    now = time.monotonic()
    if loaded is not None and now - _checked_at < RELOAD_CHECK_SECONDS:
        return loaded
    with _lock:
        _checked_at = now
        loaded = live.published()
        if loaded is None:
            loaded = load()
        elif _stamps(definition_files()) != loaded.stamps:
            try:
                loaded = load()
                log.info("menu definitions reloaded: %d campaign(s)", len(loaded.campaigns))
            except DefinitionError as exc:
                log.error("menu definitions not reloaded, keeping the last good ones: %s", exc)
                loaded = Loaded(
                    loaded.flow, loaded.campaigns, loaded.services, _stamps(definition_files())
                )
        live.publish(loaded)
        return loaded


@caching.register
def reset() -> None:
    """Forget what was loaded (tests, and `nalish menus check`)."""
    global _checked_at
    with _lock:
        live.publish(None)
        _checked_at = 0.0


def flow() -> Flow:
    return _current().flow


def campaigns() -> tuple[Definition, ...]:
    """The active campaigns (Open311 lists their questions as a service's attributes)."""
    return _current().campaigns


def sync(session: Session) -> dict[str, Any]:
    """Bring categories and routing rules in line with the campaign files: active
    campaigns get theirs; a retired campaign's category is deactivated (its tickets
    stay). Both through `routing.categories`, which owns categories and rules. Returns what
    was done, for `nalish menus sync`."""
    reset()
    loaded = _current()
    done: dict[str, Any] = {"active": [], "retired": []}
    for campaign in loaded.campaigns:
        provision(session, campaign)
        done["active"].append(campaign.campaign)
    extra = get_settings().menus_dir
    retired_codes = set()
    for path in sorted(Path(extra).glob("*.yaml")) if extra else []:
        definition = load_file(path)
        if not definition.active:
            retired_codes.add(definition.category.code)
    done["retired"] = routing_categories.deactivate_categories(session=session, codes=retired_codes)
    return done
