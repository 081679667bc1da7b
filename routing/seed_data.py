"""What the seed loads, read from the bundled data: grievance categories, every admin
area of a country with its aliases and ISO 3166-2 code, the offices that answer them,
and the demo world (users and sample tickets); `routing.seed` writes it to the database.

Bangladesh's areas come from `routing/data/bd/` (nuhil/bangladesh-geocode, MIT: see
the README and LICENSE there), tidied on load, with ISO 3166-2 codes from `pycountry`.
Kenya's 47 counties come from `pycountry` alone. Other spellings people use live in
`routing/data/<country>/aliases.csv`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry

from grievance_engine.models import AdminLevel, OfficeLevel, Role
from infra import caching
from routing.gazetteer import fold
from routing.service import NATIONAL_GRIEVANCE, NATIONAL_TRIAGE

DATA_DIR = Path(__file__).parent / "data"
COUNTRIES = ("BD", "KE")


class SeedDataError(RuntimeError):
    """The bundled data does not line up: an ISO code unmatched, an alias for no area…"""


# ---------------------------------------------------------------------------
# Categories: 333-style. Names are short (English within 24 characters) because a USSD
# screen lists eight of them with their numbers in 182 GSM-7 characters, or 80 UCS-2
# characters once there is any Bangla on it.
# ---------------------------------------------------------------------------

CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    # code, English, Bangla, Swahili
    ("water", "Water", "পানি", "Maji"),
    ("electricity", "Electricity", "বিদ্যুৎ", "Umeme"),
    ("health", "Health", "স্বাস্থ্য", "Afya"),
    ("education", "Education", "শিক্ষা", "Elimu"),
    ("social_protection", "Social safety, relief", "ত্রাণ ও ভাতা", "Msaada wa kijamii"),
    ("land", "Land", "ভূমি", "Ardhi"),
    ("roads", "Roads", "রাস্তাঘাট", "Barabara"),
    ("law_and_order", "Law and order", "আইনশৃঙ্খলা", "Usalama"),
    ("child_marriage", "Child marriage", "বাল্যবিবাহ", "Ndoa za utotoni"),
    ("vawc", "Violence: women/children", "নারী ও শিশু নির্যাতন", "Ukatili: wanawake/watoto"),
    ("food_adulteration", "Food adulteration", "খাদ্যে ভেজাল", "Chakula kisicho salama"),
    ("environment", "Environment", "পরিবেশ", "Mazingira"),
    ("corruption", "Corruption", "দুর্নীতি", "Ufisadi"),
    ("other", "Other", "অন্যান্য", "Mengineyo"),
)
# `Category.sensitive`: never named in an SMS to the citizen, nor in public (the tracking
# page, Open311, open data: beside a district and a date it can point at a family or a
# reporter); corruption also routes past the office it may concern (routing.service).
SENSITIVE_CATEGORIES = frozenset({"corruption", "vawc", "child_marriage"})


# ---------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------


@dataclass
class AreaSpec:
    """An admin area as the seed wants it, before it has a database id."""

    code: str
    country: str
    level: str
    kind: str
    name: str
    name_local: str | None = None
    parent_code: str | None = None
    # other names: (text, language); the Bangla name is added as one on insert
    aliases: list[tuple[str, str | None]] = field(default_factory=list)


def _clean(text: str) -> str:
    """NFC, single spaces, no stray tabs: the source has "শাহরাস্তি\\t"."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [[_clean(cell) for cell in row] for row in csv.reader(handle) if row]


# Current official spellings (the 2018 renaming) where the source keeps older ones;
# the source's spelling is kept as an alias.
_BD_DIVISION_NAMES = {"Chattagram": "Chattogram", "Barisal": "Barishal"}
_BD_DISTRICT_NAMES = {"Barisal": "Barishal", "Coxsbazar": "Cox's Bazar"}
_BD_UPAZILA_NAMES = {
    "Comilla Sadar": "Cumilla Sadar",
    "Sadarsouth": "Cumilla Sadar Dakshin",
    "Bogra Sadar": "Bogura Sadar",
    "Jessore Sadar": "Jashore Sadar",
    "Barisal Sadar": "Barishal Sadar",
    "Coxsbazar Sadar": "Cox's Bazar Sadar",
    # typos and run-together words in the source
    "Borhan Sddin": "Borhanuddin",
    "Charfesson": "Char Fasson",
    "Dakshinsurma": "Dakshin Surma",
    "Senbug": "Senbagh",
    "Sonaimori": "Sonaimuri",
    # The source mixes "-gonj" and "-ganj" (Pirgonj in Rangpur, Pirganj in Thakurgaon:
    # one name); official English names use "-ganj".
    **{f"{stem}gonj": f"{stem}ganj" for stem in ("Pir", "Tara", "Badar", "Rai", "Farid")},
    **{f"{stem}gonj": f"{stem}ganj" for stem in ("Karim", "Dewan", "Mohon", "Monohar")},
}
# Kenya's ISO names use a slash where Kenyans write a hyphen, and "Nairobi City".
_KE_COUNTY_NAMES = {
    "Nairobi City": "Nairobi",
    "Elgeyo/Marakwet": "Elgeyo-Marakwet",
    "Taita/Taveta": "Taita-Taveta",
}


_BD_RENAMES = {
    AdminLevel.DIVISION: _BD_DIVISION_NAMES,
    AdminLevel.DISTRICT: _BD_DISTRICT_NAMES,
    AdminLevel.UPAZILA: _BD_UPAZILA_NAMES,
}


def _renamed(country: str, row_name: str, renames: dict[str, str], **fields: Any) -> AreaSpec:
    """An area named in current spelling, the source's spelling kept as an alias."""
    name = renames.get(row_name, row_name)
    spec = AreaSpec(country=country, name=name, **fields)
    if name != row_name:
        spec.aliases.append((row_name, "en"))
    return spec


def _bd_spec(row_name: str, level: AdminLevel, **fields: Any) -> AreaSpec:
    """A Bangladeshi area of `level`, its kind the level's name ("Division")."""
    return _renamed("BD", row_name, _BD_RENAMES[level], level=level, kind=level.title(), **fields)


def _bd_areas() -> list[AreaSpec]:
    bd = DATA_DIR / "bd"
    divisions = {}  # source id → spec; codes are provisional until ISO matching
    for id_, name, name_bn, _url in _read_csv(bd / "divisions.csv"):
        divisions[id_] = _bd_spec(name, AdminLevel.DIVISION, code=f"csv-{id_}", name_local=name_bn)
    districts = {}
    for id_, division_id, name, name_bn, *_where in _read_csv(bd / "districts.csv"):
        districts[id_] = _bd_spec(
            name,
            AdminLevel.DISTRICT,
            code=f"csv-{id_}",
            name_local=name_bn,
            parent_code=division_id,
        )
    _attach_aliases([*divisions.values(), *districts.values()], bd / "aliases.csv")
    _assign_iso_codes(list(divisions.values()), "Division")
    for district in districts.values():
        district.parent_code = divisions[district.parent_code].code
    _assign_iso_codes(list(districts.values()), "District")
    upazilas = []
    for id_, district_id, name, name_bn, _url in _read_csv(bd / "upazilas.csv"):
        district_code = districts[district_id].code
        upazilas.append(
            _bd_spec(
                name,
                AdminLevel.UPAZILA,
                code=f"{district_code}-U{int(id_):03d}",
                name_local=name_bn,
                parent_code=district_code,
            )
        )
    areas = [*divisions.values(), *districts.values(), *upazilas]
    for level, renames in _BD_RENAMES.items():
        _check_renames_used(renames, [area for area in areas if area.level == level])
    return areas


def district_portals(path: Path) -> list[tuple[str, str, str]]:
    """Each district's name (current spelling), Bangla name and web portal, from the
    gazetteer's `districts.csv` (the articles of `routing.office_articles`)."""
    return [
        (_BD_DISTRICT_NAMES.get(name, name), name_bn, url)
        for _id, _division, name, name_bn, _lat, _lon, url in _read_csv(path)
        if url
    ]


def _check_renames_used(renames: dict[str, str], specs: Iterable[AreaSpec]) -> None:
    # A rename that matches nothing means the source data changed under us.
    renamed = {alias for spec in specs for alias, _language in spec.aliases}
    unused = sorted(set(renames) - renamed)
    if unused:
        raise SeedDataError(f"renames for names not in the source data: {unused}")


def _ke_areas() -> list[AreaSpec]:
    counties = []
    for sub in pycountry.subdivisions.get(country_code="KE"):
        counties.append(
            _renamed(
                "KE",
                sub.name,
                _KE_COUNTY_NAMES,
                code=sub.code,
                level=AdminLevel.DISTRICT,
                kind="County",
            )
        )
    if len(counties) != 47:
        raise SeedDataError(f"pycountry lists {len(counties)} Kenyan counties, expected 47")
    _attach_aliases(counties, DATA_DIR / "ke" / "aliases.csv")
    return sorted(counties, key=lambda spec: spec.code)


def _attach_aliases(specs: list[AreaSpec], path: Path) -> None:
    """Add the rows of an aliases.csv (level, name, alias, language) to their areas."""
    by_key = {(spec.level, spec.name): spec for spec in specs}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            spec = by_key.get((row["level"], _clean(row["name"])))
            if spec is None:
                raise SeedDataError(f"{path.name}: no {row['level']} named {row['name']!r}")
            spec.aliases.append((_clean(row["alias"]), row["language"] or None))


def _assign_iso_codes(specs: list[AreaSpec], iso_type: str) -> None:
    """Give each area its ISO 3166-2 code, matching pycountry's name to a name or alias.

    pycountry and the source spell some names differently (Netrakona, Chapai
    Nawabganj, Cox's Bazar); folding plus the aliases bridges them. Every area must
    get exactly one code and every code must be used once, else the seed stops.
    """
    by_folded: dict[str, list[AreaSpec]] = {}
    for spec in specs:
        for text in {spec.name, *(alias for alias, lang in spec.aliases if lang != "bn")}:
            by_folded.setdefault(fold(text), []).append(spec)
    subs = [s for s in pycountry.subdivisions.get(country_code="BD") if s.type == iso_type]
    problems, assigned = [], {}
    for sub in subs:
        matches = {id(spec): spec for spec in by_folded.get(fold(sub.name), [])}
        if len(matches) != 1:
            problems.append(f"{sub.code} {sub.name!r} matches {len(matches)} areas")
            continue
        spec = next(iter(matches.values()))
        if spec.name in assigned:
            problems.append(f"{spec.name!r} matches both {assigned[spec.name]} and {sub.code}")
        assigned[spec.name] = sub.code
        parent = getattr(sub, "parent_code", None)
        if spec.parent_code and parent and _full_code(parent) != spec.parent_code:
            problems.append(f"{spec.name!r} is under {spec.parent_code}, ISO says {parent}")
    problems += [f"no ISO code for {s.name!r}" for s in specs if s.name not in assigned]
    if problems or len(subs) != len(specs):
        raise SeedDataError(f"ISO {iso_type} codes ({len(subs)} for {len(specs)}): {problems}")
    for spec in specs:
        spec.code = assigned[spec.name]


def _full_code(code: str) -> str:
    return code if code.startswith("BD-") else f"BD-{code}"


@caching.cached(maxsize=len(COUNTRIES))
def area_specs(country: str) -> tuple[AreaSpec, ...]:
    """Every area of `country`, parents before children (read once per process)."""
    return tuple(_bd_areas() if country == "BD" else _ke_areas())


def district_centres(country: str) -> dict[str, tuple[float, float]]:
    """Each district's English name (as seeded) → its centre (latitude, longitude), from
    the gazetteer data where it has them (Bangladesh's districts.csv); {} elsewhere."""
    if country != "BD":
        return {}
    rows = _read_csv(DATA_DIR / "bd" / "districts.csv")
    return {
        _BD_DISTRICT_NAMES.get(name, name): (float(lat), float(lon))
        for _id, _division, name, _bn, lat, lon, *_url in rows
    }


# ---------------------------------------------------------------------------
# Offices
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    name: str
    level: str
    area_code: str | None


def _slug(text: str) -> str:
    """ "Cox's Bazar" → "coxs-bazar": the tail of an office code."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def office_specs(country: str) -> list[OfficeSpec]:
    areas = area_specs(country)
    names = {spec.code: spec.name for spec in areas}
    upazilas = [spec for spec in areas if spec.level == AdminLevel.UPAZILA]
    # Upazilas that share a name (four Kaliganjs) or a Bangla name (Pirganj in Rangpur
    # and in Thakurgaon) get their district in the office name.
    shared = Counter(fold(s.name) for s in upazilas) + Counter(s.name_local for s in upazilas)
    offices = [
        OfficeSpec(NATIONAL_TRIAGE, "National Triage Desk", OfficeLevel.NATIONAL, None),
        # the top of the escalation ladder (escalation.ladder), after the division
        OfficeSpec(NATIONAL_GRIEVANCE, "National Grievance Desk", OfficeLevel.NATIONAL, None),
    ]
    for spec in areas:
        if spec.level == AdminLevel.DIVISION:
            name = f"Divisional Commissioner's Office, {spec.name}"
            code = f"divcom-{_slug(spec.name)}"
            offices.append(OfficeSpec(code, name, OfficeLevel.DIVISION, spec.code))
        elif spec.level == AdminLevel.DISTRICT:
            offices.append(district_office(spec))
        else:
            ambiguous = shared[fold(spec.name)] > 1 or shared[spec.name_local] > 1
            where = f"{spec.name} ({names[spec.parent_code]})" if ambiguous else spec.name
            name = f"Upazila Nirbahi Officer, {where}"
            code = f"uno-{spec.code.lower()}"
            offices.append(OfficeSpec(code, name, OfficeLevel.UPAZILA, spec.code))
    return offices


def district_office(spec: AreaSpec) -> OfficeSpec:
    title = (
        "County Commissioner's Office" if spec.country == "KE" else "Deputy Commissioner's Office"
    )
    code = district_office_code(country=spec.country, district_name=spec.name)
    return OfficeSpec(code, f"{title}, {spec.name}", OfficeLevel.DISTRICT, spec.code)


def district_office_code(*, country: str, district_name: str) -> str:
    """The code of the office that handles a district by default: "dc-rangpur",
    "dc-coxs-bazar", Kenya "cc-nairobi"."""
    prefix = "cc" if country.upper() == "KE" else "dc"
    return f"{prefix}-{_slug(district_name)}"


# ---------------------------------------------------------------------------
# Demo users and tickets: routing/data/<country>/demo_users.csv and demo_tickets.csv
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role
    office_code: str | None
    district: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class DemoTicket:
    key: str
    phone: str
    category: str
    district: str
    upazila: str | None
    channel: str
    language: str
    description: str


def _demo_rows(country: str, name: str) -> list[dict[str, str | None]]:
    """The rows of a demo CSV, taken as written (an empty cell is None)."""
    with (DATA_DIR / country.lower() / name).open(encoding="utf-8", newline="") as handle:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]


def demo_users(country: str) -> tuple[DemoUser, ...]:
    rows = _demo_rows(country, "demo_users.csv")
    return tuple(DemoUser(**{**row, "role": Role(row["role"])}) for row in rows)


def demo_tickets(country: str) -> tuple[DemoTicket, ...]:
    return tuple(DemoTicket(**row) for row in _demo_rows(country, "demo_tickets.csv"))
