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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from escalation import catalogue
from escalation.models import SlaPolicyRow
from escalation.policies import SlaPolicy, SlaTarget, Unit, policy_for
from grievance_engine.models import AdminArea, Category, Office
from infra.settings import get_settings
from menus import compiler
from menus.definition import Definition, DefinitionError, load_file
from menus.engine import Flow

log = logging.getLogger("nalish.menus")

BUILT_IN = Path(__file__).resolve().parent / "definitions"
RELOAD_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class InfoService:
    """A public service whose details a citizen can have sent by SMS."""

    code: str
    names: dict[str, str]
    texts: dict[str, str]  # the SMS per language: jinja2 over district, portal

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def sms(self, language: str, *, district: AdminArea | None) -> str:
        from menus.steps import _template

        template = self.texts.get(language) or self.texts["en"]
        name = district.name if district else ""
        local = (district.name_local or name) if district else ""
        portal = _portal(district)
        return (
            _template(template)
            .render(district=local if language == "bn" else name, portal=portal)
            .strip()
        )


def _portal(district: AdminArea | None) -> str:
    """The district's web portal: Bangladesh's are www.<district>.gov.bd."""
    if district is None or district.country != "BD":
        return ""
    slug = "".join(ch for ch in district.name.lower() if ch.isalnum())
    return f"www.{slug}.gov.bd"


@dataclass(frozen=True)
class _Loaded:
    flow: Flow
    campaigns: tuple[Definition, ...]
    services: tuple[InfoService, ...]
    stamps: tuple[tuple[str, float], ...]


_lock = threading.Lock()
_loaded: _Loaded | None = None
_checked_at = 0.0


def definition_files() -> list[Path]:
    """The files that make up the flow: built-in first, then the operator's campaigns."""
    files = [BUILT_IN / "helpline.yaml", BUILT_IN / "services.yaml"]
    extra = get_settings().menus_dir
    if extra:
        files += sorted(Path(extra).glob("*.yaml"))
    return files


def _stamps(files: list[Path]) -> tuple[tuple[str, float], ...]:
    return tuple((str(f), f.stat().st_mtime if f.exists() else -1.0) for f in files)


def load() -> _Loaded:
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
    return _Loaded(flow, tuple(campaigns), services, _stamps(files))


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


def _current() -> _Loaded:
    """The loaded definitions, reloaded when a file changed (checked every few seconds)."""
    global _loaded, _checked_at
    loaded = _loaded
    now = time.monotonic()
    if loaded is not None and now - _checked_at < RELOAD_CHECK_SECONDS:
        return loaded
    with _lock:
        _checked_at = now
        if _loaded is None:
            _loaded = load()
        elif _stamps(definition_files()) != _loaded.stamps:
            try:
                _loaded = load()
                log.info("menu definitions reloaded: %d campaign(s)", len(_loaded.campaigns))
            except DefinitionError as exc:
                log.error("menu definitions not reloaded, keeping the last good ones: %s", exc)
                _loaded = _Loaded(
                    _loaded.flow, _loaded.campaigns, _loaded.services, _stamps(definition_files())
                )
        return _loaded


def reset() -> None:
    """Forget what was loaded (tests, and `nalish menus check`)."""
    global _loaded, _checked_at
    with _lock:
        _loaded, _checked_at = None, 0.0


def flow() -> Flow:
    return _current().flow


def campaigns() -> tuple[Definition, ...]:
    return _current().campaigns


def campaign_category_codes() -> frozenset[str]:
    return frozenset(c.category.code for c in _current().campaigns)


def info_services() -> tuple[InfoService, ...]:
    return _current().services


def info_service(code: str) -> InfoService:
    return next(s for s in _current().services if s.code == code)


def ensure_catalogue(session: Session, campaign: Definition) -> None:
    """Give an active campaign its category and routing rules, if it has none yet: the
    first complaint filed through a new campaign needs no other step. Idempotent."""

    category = session.exec(select(Category).where(Category.code == campaign.category.code)).first()
    if category is None:
        category = Category(code=campaign.category.code, names=dict(campaign.category.names))
        session.add(category)
        session.flush()
    elif not category.active:
        category.active = True
    office = session.exec(select(Office).where(Office.code == campaign.routing.office)).first()
    if office is None:
        raise DefinitionError(
            f"campaign {campaign.campaign}", f"routing office {campaign.routing.office!r} not found"
        )
    _ensure_rules(session, category, office, campaign.routing.queue)
    if campaign.sla is not None:
        _ensure_policy(session, campaign, office.level)
    session.flush()


def _ensure_policy(session: Session, campaign: Definition, level: str) -> None:
    """The campaign's promise (`sla: {resolve_working_days: N}`) as the SLA policy for
    its category at its office's level, acknowledging as that level's policy does;
    higher levels keep theirs. Missing only: a policy an admin has changed stays."""
    code = campaign.category.code
    category_id = session.exec(select(Category.id).where(Category.code == code)).one()
    exists = session.exec(
        select(SlaPolicyRow.id).where(
            SlaPolicyRow.level == level,
            SlaPolicyRow.category_id == category_id,
            col(SlaPolicyRow.priority).is_(None),
        )
    ).first()
    if exists is not None:
        return
    try:
        usual = policy_for(level=level, category=code, policies=catalogue.policies(session))
    except LookupError:
        usual = policy_for(level=level, category=code)  # the built-in defaults
    promise = SlaTarget(campaign.sla.resolve_working_days, Unit.WORKING_DAYS)
    policy = SlaPolicy(level=level, acknowledge=usual.acknowledge, resolve=promise, category=code)
    catalogue.save_policy(session, policy)
    catalogue.clear_cache()


def _ensure_rules(session: Session, category: Category, office: Office, queue: str) -> None:
    """A rule per district for the campaign's category: a (district, category) rule is
    the most specific there is, so every request reaches the campaign's office and queue
    (`nalish routing explain --category food_relief` shows it). Missing ones only."""
    from routing.models import RoutingRule

    country = get_settings().country
    districts = session.exec(
        select(AdminArea.id).where(AdminArea.country == country, AdminArea.level == "district")
    ).all()
    covered = set(
        session.exec(
            select(RoutingRule.area_id).where(RoutingRule.category_id == category.id)
        ).all()
    )
    for district_id in districts:
        if district_id not in covered:
            session.add(
                RoutingRule(
                    area_id=district_id, category_id=category.id, office_id=office.id, queue=queue
                )
            )


def sync(session: Session) -> dict[str, Any]:
    """Bring categories and routing rules in line with the campaign files: active
    campaigns get theirs; a retired campaign's category is deactivated (its tickets
    stay). Returns what was done, for `nalish menus sync`."""
    reset()
    loaded = _current()
    done: dict[str, Any] = {"active": [], "retired": []}
    for campaign in loaded.campaigns:
        ensure_catalogue(session, campaign)
        done["active"].append(campaign.campaign)
    extra = get_settings().menus_dir
    retired_codes = set()
    for path in sorted(Path(extra).glob("*.yaml")) if extra else []:
        definition = load_file(path)
        if not definition.active:
            retired_codes.add(definition.category.code)
    for category in session.exec(select(Category).where(Category.code.in_(retired_codes))):  # type: ignore[attr-defined]
        category.active = False
        done["retired"].append(category.code)
    session.flush()
    return done
