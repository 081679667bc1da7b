"""The gazetteer: admin areas by country and level, their names per language, and
`match_area`, which turns what a citizen typed ("Chittagong", "rongpur", "রংপুর")
into an area.

Matching runs inside a USSD hop, so it never queries the database after the first
call: each (country, level) gets an in-process index of folded names and aliases,
built on first use. The gazetteer changes only when `routing.seed` runs, which calls
`clear_cache()`; another process that seeds must be followed by a restart (or a
`clear_cache()`) of the processes that match.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from grievance_engine.models import AdminArea, AdminLevel
from grievance_engine.place_names import local_name
from infra import caching
from routing.models import AreaAlias

# A fuzzy winner needs this score (0–100, rapidfuzz's Indel ratio on folded text)…
ACCEPT_SCORE = 80
# …and this lead over the best other area; "Rongpur" → Rangpur scores 86 with nothing
# close behind, while "Rajbahi" sits between Rajbari and Rajshahi and must be asked.
ACCEPT_MARGIN = 8
# Below this an area is not even offered as a candidate ("did you mean …?").
CANDIDATE_SCORE = 60
MAX_CANDIDATES = 5

# Words people add around a name that say what kind of area it is, not which one:
# "Rangpur district", "Cumilla zila", "রংপুর জেলা", "Nairobi County".
_KIND_WORDS = frozenset(
    {
        "district",
        "dist",
        "zila",
        "zilla",
        "jela",
        "jila",
        "জেলা",
        "division",
        "bibhag",
        "বিভাগ",
        "upazila",
        "upazilla",
        "thana",
        "উপজেলা",
        "থানা",
        "county",
        "kaunti",
    }
)


def _is_bangla(char: str) -> bool:
    return "\u0980" <= char <= "\u09ff"


# Spellings people mix up in Bangla, folded together so either matches: the long and
# short i and u vowel signs (ফেনি / ফেনী), and the two n's (ণ / ন).
_BANGLA_SLIPS = {"\u09c0": "\u09bf", "\u09c2": "\u09c1", "\u09a3": "\u09a8"}


def fold(text: str) -> str:
    """`text` in the form the matcher compares: "Cox's Bazar" → "coxsbazar".

    Case-folded, Latin accents stripped, spaces, punctuation and symbols dropped.
    Bangla is put in NFC (typed and stored forms of য় or ড় then agree) and keeps its
    vowel signs, virama and nukta, which are combining marks but part of the spelling
    (long and short ি/ী and ু/ূ, and ণ/ন, fold together: people write either);
    only its punctuation (the danda) and joiners (ZWJ/ZWNJ, which change rendering,
    not the word) are dropped.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if _is_bangla(char):
            if unicodedata.category(char)[0] in "LMN":
                out.append(_BANGLA_SLIPS.get(char, char))
            continue
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.category(part)[0] in "LN":
                out.append(part)
    return unicodedata.normalize("NFC", "".join(out).casefold())


def _fold_query(text: str) -> str:
    """`fold(text)` after dropping words such as "district" that name no area."""
    words = [word for word in text.split() if fold(word) not in _KIND_WORDS]
    return fold(" ".join(words)) if words else fold(text)


@dataclass(frozen=True)
class AreaMatch:
    """What `match_area` made of a text: the area it is sure of, and the close ones.

    `area_id` is None when nothing matched or when the caller must ask the citizen to
    choose among `candidates` (area id, English name, score 0–100), best first.
    """

    area_id: int | None
    name: str | None
    score: int
    candidates: tuple[tuple[int, str, int], ...]


@dataclass(frozen=True)
class _Index:
    """The folded names and aliases of every area of one country and level."""

    names: dict[int, str]  # area id → English name
    parents: dict[int, int | None]
    exact: dict[str, tuple[int, ...]]  # folded name or alias → the areas it names
    keys: tuple[str, ...]  # the same folded strings, for rapidfuzz


_indexes: dict[tuple[str, str], _Index] = caching.keyed()


def clear_cache() -> None:
    """Forget every match index; the next match rebuilds from the database."""
    _indexes.clear()


def _build_index(session: Session, country: str, level: str) -> _Index:
    areas = session.exec(
        select(AdminArea.id, AdminArea.name, AdminArea.name_local, AdminArea.parent_id).where(
            AdminArea.country == country, AdminArea.level == level
        )
    ).all()
    # Fold alias text afresh rather than trust the stored `folded`: an alias added by
    # hand, or folded by an older `fold`, still matches the way queries are folded.
    aliases = session.exec(
        select(AreaAlias.area_id, AreaAlias.alias)
        .join(AdminArea, col(AdminArea.id) == AreaAlias.area_id)
        .where(AdminArea.country == country, AdminArea.level == level)
    ).all()
    exact: dict[str, set[int]] = defaultdict(set)
    names = [(area_id, text) for area_id, *texts, _parent in areas for text in texts]
    for area_id, text in [*names, *aliases]:
        folded = fold(text or "")
        if folded:
            exact[folded].add(area_id)
    return _Index(
        names={area_id: name for area_id, name, _local, _parent in areas},
        parents={area_id: parent for area_id, _name, _local, parent in areas},
        exact={key: tuple(sorted(ids)) for key, ids in exact.items()},
        keys=tuple(exact),
    )


def _index(session: Session, country: str, level: str) -> _Index:
    key = (country.upper(), str(level))
    index = _indexes.get(key)
    if index is None:
        index = _indexes[key] = _build_index(session, *key)
    return index


def match_area(
    *,
    session: Session,
    text: str,
    country: str,
    level: str = AdminLevel.DISTRICT,
    parent_id: int | None = None,
) -> AreaMatch:
    """The area of `country` and `level` that `text` names, or the candidates to ask about.

    An exact folded hit on a name or alias wins outright (unless it names several
    areas, such as the four upazilas called Kaliganj). Otherwise the closest fuzzy
    match wins if it is close enough and clearly ahead of the next area. `parent_id`
    limits the search to the children of one area (the upazilas of a district).
    """
    index = _index(session, country, level)
    query = _fold_query(text or "")
    if not query:
        return AreaMatch(None, None, 0, ())

    def wanted(area_id: int) -> bool:
        return parent_id is None or index.parents.get(area_id) == parent_id

    exact_ids = [area_id for area_id in index.exact.get(query, ()) if wanted(area_id)]
    if exact_ids:
        return _decide(index, {area_id: 100 for area_id in exact_ids})
    return _decide(index, _fuzzy_scores(index, query, wanted))


def exact_ids(*, session: Session, text: str, country: str, level: str) -> tuple[int, ...]:
    """The areas whose name or alias is exactly `text` (folded): a dictionary look-up,
    for scanning free text phrase by phrase before trying anything fuzzy."""
    query = _fold_query(text or "")
    return _index(session, country, level).exact.get(query, ()) if query else ()


def close_id(
    *, session: Session, text: str, country: str, level: str, score_cutoff: int
) -> int | None:
    """The one area with a name or alias at least `score_cutoff` alike to `text`, else
    None: a strict and quick fuzzy test for scanning free text word by word."""
    query = _fold_query(text or "")
    if not query:
        return None
    index = _index(session, country, level)
    hits = process.extract(query, index.keys, scorer=fuzz.ratio, score_cutoff=score_cutoff, limit=4)
    areas = {area_id for key, _score, _position in hits for area_id in index.exact[key]}
    return areas.pop() if len(areas) == 1 else None


def parent_id(*, session: Session, area_id: int, country: str, level: str) -> int | None:
    """The parent of an area of `level` (an upazila's district), from the cached index."""
    return _index(session, country, level).parents.get(area_id)


def _fuzzy_scores(index: _Index, query: str, wanted) -> dict[int, int]:
    """Each area's best score over its names and aliases, for areas above the cut-off."""
    best: dict[int, int] = {}
    hits = process.extract(
        query, index.keys, scorer=fuzz.ratio, score_cutoff=CANDIDATE_SCORE, limit=None
    )
    for key, score, _position in hits:
        for area_id in index.exact[key]:
            if wanted(area_id) and score > best.get(area_id, -1):
                best[area_id] = round(score)
    return best


def _decide(index: _Index, scores: dict[int, int]) -> AreaMatch:
    ranked = sorted(scores.items(), key=lambda item: (-item[1], index.names[item[0]]))
    candidates = tuple(
        (area_id, index.names[area_id], score) for area_id, score in ranked[:MAX_CANDIDATES]
    )
    if not ranked:
        return AreaMatch(None, None, 0, ())
    best_id, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else None
    sure = runner_up is None or best_score - runner_up >= ACCEPT_MARGIN
    if sure and best_score >= ACCEPT_SCORE:
        return AreaMatch(best_id, index.names[best_id], best_score, candidates)
    return AreaMatch(None, None, best_score, candidates)


def divisions(*, session: Session, country: str) -> list[AdminArea]:
    """The divisions of `country`, by English name (none for Kenya)."""
    return _areas(session, country, AdminLevel.DIVISION, None)


def districts(*, session: Session, country: str, division_id: int | None = None) -> list[AdminArea]:
    """The districts (Kenya: counties) of `country`, or of one division, by English name."""
    return _areas(session, country, AdminLevel.DISTRICT, division_id)


def upazilas(*, session: Session, district_id: int) -> list[AdminArea]:
    """The upazilas of one district, by English name."""
    statement = (
        select(AdminArea)
        .where(AdminArea.level == AdminLevel.UPAZILA, AdminArea.parent_id == district_id)
        .order_by(col(AdminArea.name))
    )
    return list(session.exec(statement))


def _areas(session: Session, country: str, level: str, parent_id: int | None) -> list[AdminArea]:
    statement = select(AdminArea).where(
        AdminArea.country == country.upper(), AdminArea.level == level
    )
    if parent_id is not None:
        statement = statement.where(AdminArea.parent_id == parent_id)
    return list(session.exec(statement.order_by(col(AdminArea.name))))


def area_name(*, session: Session, area_id: int, language: str) -> str | None:
    """The area's name to show in `language` (`grievance_engine.place_names`)."""
    area = session.get(AdminArea, area_id)
    if area is None:
        return None
    return local_name(area, language)
