"""A point on the map → the district it is most likely in, for Open311's `lat`/`long`.

The gazetteer has no boundaries, only each district's centre (Bangladesh's
districts.csv), so the answer is the district whose centre is nearest, and none when
even the nearest is farther than any district reaches: a point out at sea or abroad
is refused rather than filed in the wrong place. Good enough to route a report to a
district office; an upazila needs a name (`address_string`).
"""

from __future__ import annotations

import math

from sqlmodel import Session

from grievance_engine.models import AdminLevel
from infra import caching
from routing import gazetteer
from routing.seed_data import district_centres

# Bangladesh's largest district (Rangamati, ~6,100 km²) reaches ~70 km from its centre.
MAX_KM_FROM_CENTRE = 80.0
_EARTH_RADIUS_KM = 6371.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@caching.cached()
def _centres(country: str) -> dict[str, tuple[float, float]]:
    return district_centres(country)


def nearest_district(
    *, session: Session, latitude: float, longitude: float, country: str
) -> int | None:
    """The id of the district whose centre is nearest the point, or None when there is
    no centre within `MAX_KM_FROM_CENTRE` (or the country has no centres)."""
    point = (latitude, longitude)
    distances = {name: distance_km(point, centre) for name, centre in _centres(country).items()}
    if not distances:
        return None
    name = min(distances, key=distances.__getitem__)
    if distances[name] > MAX_KM_FROM_CENTRE:
        return None
    match = gazetteer.match_area(
        session=session, text=name, country=country, level=AdminLevel.DISTRICT
    )
    return match.area_id


def place_in_address(*, session: Session, address: str, country: str) -> tuple[int, int | None]:
    """(district id, upazila id or None) that an address names, read part by part
    ("Ward 5, Mithapukur, Rangpur"): an upazila named alone also gives its district.
    Raises `LookupError` when no part names a district or an upazila for certain."""
    district_id: int | None = None
    upazila_ids: list[int] = []
    for part in (piece.strip() for piece in address.replace(";", ",").split(",")):
        if not part:
            continue
        found = _sure(session, part, country, AdminLevel.DISTRICT)
        if found is not None:
            district_id = found
            continue
        found = _sure(session, part, country, AdminLevel.UPAZILA)
        if found is not None:
            upazila_ids.append(found)
    for upazila_id in upazila_ids:
        parent = gazetteer.parent_id(
            session=session, area_id=upazila_id, country=country, level=AdminLevel.UPAZILA
        )
        if district_id is None or parent == district_id:
            return parent or district_id, upazila_id  # type: ignore[return-value]
    if district_id is None:
        raise LookupError(f"no district or upazila named in {address[:80]!r}")
    return district_id, None


def _sure(session: Session, text: str, country: str, level: str) -> int | None:
    """The one area of `level` the text names (exactly, or a clear fuzzy match)."""
    return gazetteer.match_area(session=session, text=text, country=country, level=level).area_id
