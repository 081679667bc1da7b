"""Routing: which office, and which of its queues, gets a grievance from an area and
of a category.

Routing rules map (area, category) to an office. The most specific rule wins:
upazila + category, upazila, district + category, district, division + category,
division, national + category, national. When no rule applies, the grievance goes to
the national triage desk, so it always lands somewhere a person will see it.

Two departures live in `routing.tiers`: a grievance naming its upazila goes to the
upazila's office (GRS's first tier) unless a rule for the upazila or the category says
otherwise; a corruption report goes one rung past the office it may concern.

`route()` runs inside every intake, so it reads the rules from a per-process cache
(`_RuleCache`): the active rules, the admin tree and the categories, loaded in a few
queries and kept for `CACHE_TTL_SECONDS`; intake checks its category and district
there too (`cached_category`, `cached_area`). An edit through the ORM in this process
(a rule, an office, an area) clears it at flush; `routing.seed` and the gazetteer
import clear it; an edit in another process takes effect within the TTL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rapidfuzz import process
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from grievance_engine.models import AdminArea, AdminLevel, Category, Office
from infra import caching
from routing import gazetteer, tiers
from routing.models import RoutingRule

NATIONAL_TRIAGE = "national-triage"
# The top of the escalation ladder: the national grievance desk (GRS's cell at the
# Cabinet Division), not the call centre's triage desk.
NATIONAL_GRIEVANCE = "national-grs"
TRIAGE_QUEUE = "triage"
DEFAULT_QUEUE = "default"
# How long another process's rule edit may go unseen here.
CACHE_TTL_SECONDS = 60.0
_clock = time.monotonic  # tests move it past the TTL


@dataclass(frozen=True)
class RoutingDecision:
    """Where a grievance goes and why: the office, the rule that chose it (None for
    the fallback), the office's queue, and a sentence an agent can read in the timeline.
    """

    office_id: int | None
    rule_id: int | None
    queue: str
    reason: str


# ---------------------------------------------------------------------------
# The per-process rule cache
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    id: int
    name: str
    kind: str
    level: str
    parent_id: int | None
    name_local: str | None
    country: str


@dataclass(frozen=True)
class _Category:
    """An active category as intake needs it: what `Category` offers, read-only."""

    id: int
    code: str
    names: dict[str, str]
    sensitive: bool = False

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.code


@dataclass(frozen=True)
class _Rule:
    id: int
    area_id: int | None
    category_id: int | None
    office_id: int
    office_name: str
    queue: str


@dataclass
class _RuleCache:
    """What routing reads, for one database engine: active rules to active offices
    keyed by (area id or None, category id or None), the admin tree, category codes,
    the active categories by code and the triage office."""

    engine: Engine
    built_at: float
    rules: dict[tuple[int | None, int | None], _Rule]
    areas: dict[int, _Area]
    categories: dict[int, str]
    active_categories: dict[str, _Category]
    triage: tuple[int, str] | None
    # area id -> its oldest active office (id, name): the upazila's is the first tier
    area_offices: dict[int, tuple[int, str]] = field(default_factory=dict)
    office_areas: dict[int, int | None] = field(default_factory=dict)  # office id -> area id
    expires_at: float = field(init=False)

    def __post_init__(self) -> None:
        self.expires_at = self.built_at + CACHE_TTL_SECONDS


_cache: caching.Slot[_RuleCache] = caching.Slot()


def clear_cache() -> None:
    """Forget the cached rules; the next `route()` reloads them from the database."""
    _cache.clear()


def _load(session: Session, engine: Engine) -> _RuleCache:
    rows = session.exec(
        select(RoutingRule, Office.name)
        .join(Office, col(Office.id) == RoutingRule.office_id)
        .where(col(RoutingRule.active), col(Office.active))
    ).all()
    rules = {
        (rule.area_id, rule.category_id): _Rule(
            rule.id, rule.area_id, rule.category_id, rule.office_id, name, rule.queue
        )
        for rule, name in rows
    }
    areas = {
        row[0]: _Area(*row)
        for row in session.exec(
            select(
                AdminArea.id,
                AdminArea.name,
                AdminArea.kind,
                AdminArea.level,
                AdminArea.parent_id,
                AdminArea.name_local,
                AdminArea.country,
            )
        ).all()
    }
    rows = session.exec(
        select(Category.id, Category.code, Category.names, Category.active, Category.sensitive)
    )
    categories, active_categories = {}, {}
    for category_id, code, names, active, sensitive in rows:
        categories[category_id] = code
        if active:
            active_categories[code] = _Category(category_id, code, dict(names or {}), sensitive)
    triage = session.exec(
        select(Office.id, Office.name).where(Office.code == NATIONAL_TRIAGE, col(Office.active))
    ).first()
    area_offices: dict[int, tuple[int, str]] = {}
    office_areas: dict[int, int | None] = {}
    for office_id, name, area_id in session.exec(
        select(Office.id, Office.name, Office.area_id)
        .where(col(Office.active))
        .order_by(col(Office.id))
    ):
        office_areas[office_id] = area_id
        if area_id is not None:
            area_offices.setdefault(area_id, (office_id, name))
    return _RuleCache(
        engine,
        _clock(),
        rules,
        areas,
        categories,
        active_categories,
        tuple(triage) if triage else None,
        area_offices,
        office_areas,
    )


def _rule_cache(session: Session) -> _RuleCache:
    if session.autoflush:
        # route() no longer queries, so flush pending edits as a query would have:
        # the flush hook below then drops a cache they make stale.
        session.flush()
    engine = session.get_bind().engine
    cache = _cache.value
    if cache is None or cache.engine is not engine or _clock() >= cache.expires_at:
        cache = _cache.value = _load(session, engine)
    return cache


_WATCHED = (RoutingRule, Office, AdminArea, Category)


@event.listens_for(Session, "after_flush")
def _clear_on_edit(session: Session, _context: object) -> None:
    """A rule, office, area or category written through the ORM makes the cache stale."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, _WATCHED) for row in changed):
        clear_cache()
        session.info["routing_edited"] = True


@event.listens_for(Session, "after_soft_rollback")
def _clear_on_rollback(session: Session, _previous: object) -> None:
    """An edit rolled back may already be cached; reload."""
    if session.info.pop("routing_edited", False):
        clear_cache()


# ---------------------------------------------------------------------------
# route()
# ---------------------------------------------------------------------------


def route(
    *,
    session: Session,
    district_id: int,
    category_id: int | None,
    upazila_id: int | None = None,
) -> RoutingDecision:
    """The office for a grievance from `district_id` (and `upazila_id`) of `category_id`."""
    cache = _rule_cache(session)
    chain, note = _area_chain(cache, district_id, upazila_id)
    code = cache.categories.get(category_id) if category_id is not None else None
    decision = _decide(cache, chain, note, category_id, code)
    above = tiers.office_past(cache, decision.office_id, code, chain, category_id)
    if above is None:
        return decision
    reason = f"{decision.reason} Past that office (it may be concerned): {above[1]}."
    return RoutingDecision(above[0], None, DEFAULT_QUEUE, reason)


def _decide(
    cache: _RuleCache, chain: list[_Area], note: str, category_id: int | None, code: str | None
) -> RoutingDecision:
    """The office by rules and the first tier (`route` without the corruption rule)."""
    what = f"category {code}" if code else "any category"
    rule = tiers.overriding_rule(cache.rules, chain, category_id)
    if rule is None:
        first_tier = tiers.upazila_office(cache.area_offices, chain)
        if first_tier is not None:
            office_id, name = first_tier
            reason = f"First tier: the {_describe(chain[0])} office, {name}.{note}"
            return RoutingDecision(office_id, None, DEFAULT_QUEUE, reason)
        rule = _best_rule(cache, [area.id for area in chain], category_id)
    if rule is not None:
        area = next((a for a in chain if a.id == rule.area_id), None)
        where = _describe(area) if area else "the whole country"
        scope = what if rule.category_id is not None else "every category"
        reason = f"Rule {rule.id} ({where}, {scope}) matched: sent to {rule.office_name}.{note}"
        return RoutingDecision(rule.office_id, rule.id, rule.queue, reason)
    district = next((area for area in chain if area.level == AdminLevel.DISTRICT), None)
    where = _describe(district) if district else "an unknown district"
    return _fallback(cache, f"No active rule covers {where} for {what}", note)


def cached_area(*, session: Session, area_id: int) -> _Area | None:
    """The admin area `area_id` (id, name, kind, level, parent, local name) from the
    rule cache."""
    return _rule_cache(session).areas.get(area_id)


def cached_category(*, session: Session, code: str) -> _Category | None:
    """The active category `code` (id, code, names, `label()`) from the rule cache."""
    return _rule_cache(session).active_categories.get(code)


def _area_chain(
    cache: _RuleCache, district_id: int, upazila_id: int | None
) -> tuple[list[_Area], str]:
    """The areas a rule may name, most specific first: upazila, district, division.

    An upazila outside the district is ignored (the district is what the citizen
    chose last); the returned note says so in the decision's reason.
    """
    district = cache.areas.get(district_id)
    if district is None:
        return [], ""
    chain, note = [district], ""
    if upazila_id is not None:
        upazila = cache.areas.get(upazila_id)
        if upazila is not None and upazila.parent_id == district.id:
            chain.insert(0, upazila)
        else:
            note = f" (Upazila {upazila_id} is not in {district.name}, so it was ignored.)"
    if district.parent_id is not None:
        division = cache.areas.get(district.parent_id)
        if division is not None:
            chain.append(division)
    return chain, note


def _candidate_keys(
    area_ids: list[int], category_id: int | None
) -> list[tuple[int | None, int | None]]:
    """(area, category) keys in precedence order: each area most specific first, with
    the category before without, then the national rules."""
    keys: list[tuple[int | None, int | None]] = []
    for area_id in [*area_ids, None]:
        if category_id is not None:
            keys.append((area_id, category_id))
        keys.append((area_id, None))
    return keys


def _best_rule(cache: _RuleCache, area_ids: list[int], category_id: int | None) -> _Rule | None:
    """The most specific active rule (to an active office) for these areas and category."""
    for key in _candidate_keys(area_ids, category_id):
        rule = cache.rules.get(key)
        if rule is not None:
            return rule
    return None


def _describe(area: _Area | AdminArea) -> str:
    return f"{area.kind.lower()} {area.name}"


def _fallback(cache: _RuleCache, why: str, note: str) -> RoutingDecision:
    if cache.triage is None:
        reason = f"{why}, and there is no national triage office: not routed.{note}"
        return RoutingDecision(None, None, TRIAGE_QUEUE, reason)
    office_id, name = cache.triage
    return RoutingDecision(office_id, None, TRIAGE_QUEUE, f"{why}: sent to {name}.{note}")


# ---------------------------------------------------------------------------
# explain(): the decision and every rule it weighed, for operators
# ---------------------------------------------------------------------------


class RoutingInputError(ValueError):
    """A district, upazila or category that names nothing (or several things);
    `candidates` are the nearest valid names or codes to offer instead."""

    def __init__(self, message: str, *, field: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.field = field
        self.candidates = candidates


@dataclass(frozen=True)
class ExplanationStep:
    """One place a rule could sit, in precedence order: "district + category", and
    what was found there: no rule, a rule that was used, or one that was not (and why).
    """

    scope: str  # "upazila + category", "district", "national", …
    area: str | None  # the area's name, None for national
    rule_id: int | None
    office: str | None
    queue: str | None
    outcome: str  # "no rule", "used", "not reached", "rule inactive", "office inactive"
    text: str


@dataclass(frozen=True)
class Explanation:
    """Why a grievance from an area and of a category goes where it goes."""

    district: str
    upazila: str | None
    category: str | None
    decision: RoutingDecision
    office: str | None
    steps: list[ExplanationStep]


def _nearest(text: str, choices: list[str], limit: int = 5) -> list[str]:
    hits = process.extract(text, choices, limit=limit)
    return [choice for choice, _score, _position in hits]


def resolve_area(
    session: Session, text: str, *, country: str, level: str, parent: AdminArea | None = None
) -> AdminArea:
    """The area `text` names at `level` (fuzzy, any spelling or script), within `parent`
    when given. Raises `RoutingInputError` with the nearest names when unsure."""
    match = gazetteer.match_area(
        session=session,
        text=text,
        country=country,
        level=level,
        parent_id=parent.id if parent else None,
    )
    if match.area_id is not None:
        area = session.get(AdminArea, match.area_id)
        if area is not None:
            return area
    candidates = [name for _id, name, _score in match.candidates]
    if not candidates:
        if parent is not None:
            areas = gazetteer.upazilas(session=session, district_id=parent.id)
        else:
            areas = gazetteer.districts(session=session, country=country)
        candidates = _nearest(text, [area.name for area in areas])
    where = f" in {parent.name}" if parent else ""
    problem = "is ambiguous" if match.candidates and match.score >= 80 else "is not known"
    raise RoutingInputError(
        f"{level.capitalize()} {text!r}{where} {problem}; did you mean: {', '.join(candidates)}?",
        field=level,
        candidates=candidates,
    )


def resolve_category(session: Session, text: str) -> Category:
    """The active category `text` names: its code ("water") or its name in any language
    ("Water", "পানি", "Maji"), case and spacing forgiven. Raises `RoutingInputError`
    with the nearest codes otherwise."""
    categories = list(
        session.exec(
            select(Category).where(col(Category.active)).order_by(col(Category.sort_order))
        )
    )
    wanted = gazetteer.fold(text)
    for category in categories:
        if wanted in {gazetteer.fold(category.code), *map(gazetteer.fold, category.names.values())}:
            return category
    labels = {
        label: category.code
        for category in categories
        for label in (category.code, *category.names.values())
    }
    nearest = list(dict.fromkeys(labels[label] for label in _nearest(text, list(labels), 8)))
    candidates = nearest[:5] or [category.code for category in categories]
    raise RoutingInputError(
        f"Category {text!r} is not known; did you mean: {', '.join(candidates)}?",
        field="category",
        candidates=candidates,
    )


def explain(
    *,
    session: Session,
    district: str,
    category: str | None,
    upazila: str | None = None,
    country: str,
) -> Explanation:
    """Route a grievance named the way a person would name it, and say why.

    Resolves `district` (and `upazila`) with the gazetteer and `category` by code,
    raising `RoutingInputError` with the nearest valid names or codes when one names
    nothing. Lists every place a rule could sit, most specific first, with what was
    there; rules are read from the database (not the cache), so an inactive rule or
    office shows up as the reason it was passed over.
    """
    country = country.upper()
    district_area = resolve_area(session, district, country=country, level=AdminLevel.DISTRICT)
    upazila_area = None
    if upazila:
        upazila_area = resolve_area(
            session, upazila, country=country, level=AdminLevel.UPAZILA, parent=district_area
        )
    category_row = resolve_category(session, category) if category else None
    category_id = category_row.id if category_row else None
    decision = route(
        session=session,
        district_id=district_area.id,
        category_id=category_id,
        upazila_id=upazila_area.id if upazila_area else None,
    )
    chain = [area for area in (upazila_area, district_area) if area is not None]
    if district_area.parent_id is not None:
        division = session.get(AdminArea, district_area.parent_id)
        if division is not None:
            chain.append(division)
    area_ids = [area.id for area in chain]
    rows = session.exec(
        select(RoutingRule, Office)
        .join(Office, col(Office.id) == RoutingRule.office_id)
        .where(
            col(RoutingRule.area_id).in_(area_ids) | col(RoutingRule.area_id).is_(None),
            col(RoutingRule.category_id).is_(None) | (col(RoutingRule.category_id) == category_id),
        )
        .order_by(col(RoutingRule.id))
    ).all()
    found: dict[tuple[int | None, int | None], tuple[RoutingRule, Office]] = {}
    for rule, office in rows:
        found.setdefault((rule.area_id, rule.category_id), (rule, office))
    by_id = {area.id: area for area in chain}
    steps = []
    used_seen = False
    for area_id, cat_id in _candidate_keys(area_ids, category_id):
        area = by_id.get(area_id) if area_id is not None else None
        level = area.level if area else "national"
        scope = f"{level} + category" if cat_id is not None else level
        label = f"{scope} ({area.name})" if area else scope
        hit = found.get((area_id, cat_id))
        if hit is None:
            steps.append(
                ExplanationStep(scope, area.name if area else None, None, None, None, "no rule",
                                f"{label}: no rule")
            )  # fmt: skip
            continue
        rule, office = hit
        if rule.id == decision.rule_id:
            outcome, used_seen = "used", True
        elif not rule.active:
            outcome = "rule inactive"
        elif not office.active:
            outcome = "office inactive"
        elif used_seen:
            outcome = "not reached: a more specific rule applies"
        else:
            outcome = "not used"  # the cache has not seen it yet (another process edited it)
        text = f"{label}: rule #{rule.id} → {office.name} (queue {rule.queue}) — {outcome}"
        steps.append(
            ExplanationStep(scope, area.name if area else None, rule.id, office.name, rule.queue,
                            outcome, text)
        )  # fmt: skip
    office = session.get(Office, decision.office_id) if decision.office_id is not None else None
    return Explanation(
        district=district_area.name,
        upazila=upazila_area.name if upazila_area else None,
        category=category_row.code if category_row else None,
        decision=decision,
        office=office.name if office else None,
        steps=steps,
    )


def save_rule(
    *, session: Session, area_id: int | None, category_id: int | None, office_id: int, queue: str
) -> RoutingRule:
    """Add the rule for (area, category), or point the existing one (even an inactive
    one) at `office_id` and `queue` and make it active. Flushes; the caller commits."""
    same_category = (
        col(RoutingRule.category_id).is_(None)
        if category_id is None
        else RoutingRule.category_id == category_id
    )
    same_area = (
        col(RoutingRule.area_id).is_(None) if area_id is None else RoutingRule.area_id == area_id
    )
    rule = session.exec(select(RoutingRule).where(same_area, same_category)).first()
    if rule is None:
        rule = RoutingRule(area_id=area_id, category_id=category_id, office_id=office_id)
        session.add(rule)
    rule.office_id, rule.queue, rule.active = office_id, queue, True
    session.flush()
    return rule


def list_rules(*, session: Session, country: str, district: str | None = None) -> list[dict]:
    """Every routing rule of `country` (and the national ones), as plain rows: id, area
    and its level ("national" for none), category code or "any", office, queue, active.

    `district` (a name, resolved by the gazetteer) keeps only the rules for that
    district and its upazilas.
    """
    country = country.upper()
    areas = {
        area.id: area
        for area in session.exec(select(AdminArea).where(AdminArea.country == country))
    }
    wanted: set[int | None] | None = None
    if district:
        found = resolve_area(session, district, country=country, level=AdminLevel.DISTRICT)
        wanted = {found.id} | {a.id for a in areas.values() if a.parent_id == found.id}
    categories = dict(session.exec(select(Category.id, Category.code)).all())
    rows = session.exec(
        select(RoutingRule, Office)
        .join(Office, col(Office.id) == RoutingRule.office_id)
        .order_by(col(RoutingRule.id))
    ).all()
    out = []
    for rule, office in rows:
        if rule.area_id is not None and rule.area_id not in areas:
            continue  # another country's rule
        if wanted is not None and rule.area_id not in wanted:
            continue
        area = areas.get(rule.area_id) if rule.area_id is not None else None
        out.append(
            {
                "id": rule.id,
                "area": area.name if area else "national",
                "level": area.level if area else "national",
                "area_code": area.code if area else None,
                "category": categories.get(rule.category_id, "any")
                if rule.category_id is not None
                else "any",
                "office": office.name,
                "office_code": office.code,
                "queue": rule.queue,
                "active": rule.active and office.active,
            }
        )
    return out
