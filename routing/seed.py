"""Seed data for a country: its gazetteer (areas and aliases), grievance categories,
offices and default routing rules; and, for demos, users and sample tickets.

Bangladesh's areas come from `routing/data/bd/` (nuhil/bangladesh-geocode, MIT: see
the README and LICENSE there), tidied on load, with ISO 3166-2 codes from `pycountry`.
Kenya's 47 counties come from `pycountry` alone. Other spellings people use live in
`routing/data/<country>/aliases.csv`.

Every row is keyed by a stable code, so seeding is idempotent: a second run inserts
nothing and updates names that changed. It reads what exists with one query per table
(never one per row), so the whole Bangladesh seed takes a fraction of a second.
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
from sqlmodel import Session, col, insert, select

from grievance_engine import admin_log, caching, users
from grievance_engine.models import (
    AdminArea,
    AdminLevel,
    Category,
    Office,
    OfficeLevel,
    Role,
    TicketCreate,
    User,
)
from routing import gazetteer, intake
from routing import service as routing_service
from routing.gazetteer import fold
from routing.models import AreaAlias, RoutingRule
from routing.service import DEFAULT_QUEUE, NATIONAL_TRIAGE, TRIAGE_QUEUE

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


def _bd_spec(row_name: str, renames: dict[str, str], **fields: Any) -> AreaSpec:
    """An area named in current spelling, the source's spelling kept as an alias."""
    name = renames.get(row_name, row_name)
    spec = AreaSpec(country="BD", name=name, **fields)
    if name != row_name:
        spec.aliases.append((row_name, "en"))
    return spec


def _bd_areas() -> list[AreaSpec]:
    bd = DATA_DIR / "bd"
    divisions = {}  # source id → spec; codes are provisional until ISO matching
    for id_, name, name_bn, _url in _read_csv(bd / "divisions.csv"):
        divisions[id_] = _bd_spec(
            name,
            _BD_DIVISION_NAMES,
            code=f"csv-{id_}",
            level=AdminLevel.DIVISION,
            kind="Division",
            name_local=name_bn,
        )
    districts = {}
    for id_, division_id, name, name_bn, *_where in _read_csv(bd / "districts.csv"):
        districts[id_] = _bd_spec(
            name,
            _BD_DISTRICT_NAMES,
            code=f"csv-{id_}",
            level=AdminLevel.DISTRICT,
            kind="District",
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
                _BD_UPAZILA_NAMES,
                code=f"{district_code}-U{int(id_):03d}",
                level=AdminLevel.UPAZILA,
                kind="Upazila",
                name_local=name_bn,
                parent_code=district_code,
            )
        )
    _check_renames_used(_BD_DIVISION_NAMES, divisions.values())
    _check_renames_used(_BD_DISTRICT_NAMES, districts.values())
    _check_renames_used(_BD_UPAZILA_NAMES, upazilas)
    return [*divisions.values(), *districts.values(), *upazilas]


def _check_renames_used(renames: dict[str, str], specs: Iterable[AreaSpec]) -> None:
    # A rename that matches nothing means the source data changed under us.
    renamed = {alias for spec in specs for alias, _language in spec.aliases}
    unused = sorted(set(renames) - renamed)
    if unused:
        raise SeedDataError(f"renames for names not in the source data: {unused}")


def _ke_areas() -> list[AreaSpec]:
    counties = []
    for sub in pycountry.subdivisions.get(country_code="KE"):
        name = _KE_COUNTY_NAMES.get(sub.name, sub.name)
        spec = AreaSpec(sub.code, "KE", AdminLevel.DISTRICT, "County", name)
        if name != sub.name:
            spec.aliases.append((sub.name, "en"))
        counties.append(spec)
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


def _office_specs(country: str) -> list[OfficeSpec]:
    areas = area_specs(country)
    names = {spec.code: spec.name for spec in areas}
    upazilas = [spec for spec in areas if spec.level == AdminLevel.UPAZILA]
    # Upazilas that share a name (four Kaliganjs) or a Bangla name (Pirganj in Rangpur
    # and in Thakurgaon) get their district in the office name.
    shared = Counter(fold(s.name) for s in upazilas) + Counter(s.name_local for s in upazilas)
    offices = [OfficeSpec(NATIONAL_TRIAGE, "National Triage Desk", OfficeLevel.NATIONAL, None)]
    for spec in areas:
        if spec.level == AdminLevel.DIVISION:
            name = f"Divisional Commissioner's Office, {spec.name}"
            code = f"divcom-{_slug(spec.name)}"
            offices.append(OfficeSpec(code, name, OfficeLevel.DIVISION, spec.code))
        elif spec.level == AdminLevel.DISTRICT:
            offices.append(_district_office(spec))
        else:
            ambiguous = shared[fold(spec.name)] > 1 or shared[spec.name_local] > 1
            where = f"{spec.name} ({names[spec.parent_code]})" if ambiguous else spec.name
            name = f"Upazila Nirbahi Officer, {where}"
            code = f"uno-{spec.code.lower()}"
            offices.append(OfficeSpec(code, name, OfficeLevel.UPAZILA, spec.code))
    return offices


def _district_office(spec: AreaSpec) -> OfficeSpec:
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
# seed()
# ---------------------------------------------------------------------------


def seed(*, session: Session, country: str) -> dict[str, int]:
    """Load what is missing of `country`'s gazetteer, categories, offices and default
    routing rules; returns how many rows of each kind were inserted.

    Rows that exist are never changed: `make run` and the compose `migrate` step seed
    on every start, and an admin's renamed office or category, a deactivated one, a
    re-pointed rule must survive them. `reset_names` puts the seeded names back, on
    purpose and on the record.
    """
    country = _country(country)
    counts: Counter[str] = Counter()
    area_ids = _insert_areas(session, country, counts)
    _insert_aliases(session, country, area_ids, counts)
    _insert_categories(session, counts)
    office_ids = _insert_offices(session, _office_specs(country), area_ids, counts)
    _insert_rules(session, country, area_ids, office_ids, counts)
    session.flush()
    gazetteer.clear_cache()  # the match indexes were built from the old rows
    routing_service.clear_cache()  # so were the cached rules (bulk inserts skip the ORM)
    keys = ("areas", "aliases", "categories", "offices", "routing_rules")
    return {key: counts[key] for key in keys}


def reset_names(*, session: Session, country: str, actor: str) -> int:
    """Give every seeded area, category and office its seeded name again (`nalish seed
    --reset-names`); each row changed is an admin event by `actor`. Returns how many."""
    country = _country(country)
    restored = 0
    areas = {a.code: a for a in session.exec(select(AdminArea).where(AdminArea.country == country))}
    for spec in area_specs(country):
        if spec.code in areas:
            seeded = {"name": spec.name, "name_local": spec.name_local}
            restored += _restore(session, areas[spec.code], seeded, f"area:{spec.code}", actor)
    categories = {c.code: c for c in session.exec(select(Category))}
    for code, en, bn, sw in CATEGORIES:
        if code in categories:
            # languages we do not seed (an admin's addition) are kept
            names = {**categories[code].names, "en": en, "bn": bn, "sw": sw}
            restored += _restore(
                session, categories[code], {"names": names}, f"category:{code}", actor
            )
    specs = _office_specs(country)
    offices = {
        o.code: o
        for o in session.exec(select(Office).where(col(Office.code).in_([s.code for s in specs])))
    }
    for spec in specs:
        if spec.code in offices:
            restored += _restore(
                session, offices[spec.code], {"name": spec.name}, f"office:{spec.code}", actor
            )
    session.flush()
    gazetteer.clear_cache()
    routing_service.clear_cache()
    return restored


def _restore(session: Session, row: Any, seeded: dict[str, Any], subject: str, actor: str) -> int:
    before = {key: getattr(row, key) for key in seeded if getattr(row, key) != seeded[key]}
    if not before:
        return 0
    for key in before:
        setattr(row, key, seeded[key])
    session.add(row)
    after = {key: seeded[key] for key in before}
    admin_log.record(
        session=session,
        actor=actor,
        action="name_reset",
        subject=subject,
        before=before,
        after=after,
    )
    return 1


def _country(country: str) -> str:
    code = (country or "").upper()
    if code not in COUNTRIES:
        raise ValueError(f"no seed data for country {country!r}; known: {', '.join(COUNTRIES)}")
    return code


def _insert(session: Session, model: type, rows: list[dict[str, Any]]) -> int:
    """Insert plain rows in one executemany: building ~1,700 SQLModel objects would
    cost more than the database does."""
    if rows:
        session.exec(insert(model), params=rows)
    return len(rows)


def _insert_areas(session: Session, country: str, counts: Counter[str]) -> dict[str, int]:
    ids = dict(
        session.exec(select(AdminArea.code, AdminArea.id).where(AdminArea.country == country)).all()
    )
    for level in (AdminLevel.DIVISION, AdminLevel.DISTRICT, AdminLevel.UPAZILA):
        new = [
            {
                "code": spec.code,
                "country": country,
                "level": str(spec.level),
                "kind": spec.kind,
                "name": spec.name,
                "name_local": spec.name_local,
                "parent_id": ids[spec.parent_code] if spec.parent_code else None,
            }
            for spec in area_specs(country)
            if spec.level == level and spec.code not in ids
        ]
        if _insert(session, AdminArea, new):
            # children of the next level need these ids
            statement = select(AdminArea.code, AdminArea.id).where(
                AdminArea.country == country, AdminArea.level == level
            )
            ids.update(session.exec(statement).all())
        counts["areas"] += len(new)
    return ids


def _insert_aliases(
    session: Session, country: str, area_ids: dict[str, int], counts: Counter[str]
) -> None:
    existing = set(
        session.exec(
            select(AreaAlias.area_id, AreaAlias.folded)
            .join(AdminArea, col(AdminArea.id) == AreaAlias.area_id)
            .where(AdminArea.country == country)
        ).all()
    )
    new = []
    for spec in area_specs(country):
        area_id = area_ids[spec.code]
        # An alias that folds to the name itself ("Homabay") already matches.
        seen = {fold(spec.name)}
        local = [(spec.name_local, "bn")] if spec.name_local else []
        for alias, language in [*local, *spec.aliases]:
            folded = fold(alias)
            if not folded or folded in seen:
                continue
            seen.add(folded)
            if (area_id, folded) not in existing:
                new.append(
                    {"area_id": area_id, "alias": alias, "folded": folded, "language": language}
                )
    counts["aliases"] += _insert(session, AreaAlias, new)


def _insert_categories(session: Session, counts: Counter[str]) -> None:
    existing = set(session.exec(select(Category.code)))
    for position, (code, en, bn, sw) in enumerate(CATEGORIES, start=1):
        if code not in existing:
            names = {"en": en, "bn": bn, "sw": sw}
            session.add(Category(code=code, names=names, sort_order=position * 10))
            counts["categories"] += 1


def _insert_offices(
    session: Session, specs: list[OfficeSpec], area_ids: dict[str, int], counts: Counter[str]
) -> dict[str, int]:
    codes = [spec.code for spec in specs]
    existing = set(session.exec(select(Office.code).where(col(Office.code).in_(codes))))
    new = [
        {
            "code": spec.code,
            "name": spec.name,
            "level": str(spec.level),
            "area_id": area_ids[spec.area_code] if spec.area_code else None,
        }
        for spec in specs
        if spec.code not in existing
    ]
    counts["offices"] += _insert(session, Office, new)
    return dict(
        session.exec(select(Office.code, Office.id).where(col(Office.code).in_(codes))).all()
    )


def _insert_rules(
    session: Session,
    country: str,
    area_ids: dict[str, int],
    office_ids: dict[str, int],
    counts: Counter[str],
) -> None:
    """Each district to its district office; everything else to national triage.

    Only missing rules are added: an operator who re-pointed a district keeps it.
    """
    # NULL area_id (the national rule) escapes the unique constraint, so look first.
    covered = set(
        session.exec(select(RoutingRule.area_id).where(col(RoutingRule.category_id).is_(None)))
    )
    new = []
    if None not in covered:
        national = office_ids[NATIONAL_TRIAGE]
        new.append({"area_id": None, "office_id": national, "queue": TRIAGE_QUEUE})
    for spec in area_specs(country):
        area_id = area_ids[spec.code]
        if spec.level == AdminLevel.DISTRICT and area_id not in covered:
            office_id = office_ids[_district_office(spec).code]
            new.append({"area_id": area_id, "office_id": office_id, "queue": DEFAULT_QUEUE})
    counts["routing_rules"] += _insert(session, RoutingRule, new)


# ---------------------------------------------------------------------------
# seed_demo(): a small named world for demos and manual testing
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


_DEMO_USERS = {
    "BD": (
        DemoUser("agent@example.org", "Nasrin Akter", Role.AGENT, NATIONAL_TRIAGE, language="bn"),
        DemoUser("officer.rangpur@example.org", "Md. Rafiqul Islam", Role.OFFICER,
                 "dc-rangpur", "Rangpur", "bn"),
        DemoUser("officer.cumilla@example.org", "Farhana Yasmin", Role.OFFICER,
                 "dc-cumilla", "Cumilla", "bn"),
        DemoUser("supervisor@example.org", "Tanvir Hossain", Role.SUPERVISOR, NATIONAL_TRIAGE),
        DemoUser("admin@example.org", "Nalish Admin", Role.ADMIN, None),
    ),
    "KE": (
        DemoUser("agent@example.org", "Wanjiku Kamau", Role.AGENT, NATIONAL_TRIAGE, language="sw"),
        DemoUser("officer.nairobi@example.org", "Otieno Ouma", Role.OFFICER,
                 "cc-nairobi", "Nairobi", "sw"),
        DemoUser("officer.mombasa@example.org", "Amina Hassan", Role.OFFICER,
                 "cc-mombasa", "Mombasa", "sw"),
        DemoUser("supervisor@example.org", "Grace Njeri", Role.SUPERVISOR, NATIONAL_TRIAGE),
        DemoUser("admin@example.org", "Nalish Admin", Role.ADMIN, None),
    ),
}  # fmt: skip

_DEMO_TICKETS = {
    "BD": (
        DemoTicket("demo:1", "+8801712345678", "water", "Rangpur", "Pirganj", "ussd", "bn",
                   "গ্রামের একমাত্র গভীর নলকূপ তিন সপ্তাহ ধরে নষ্ট, মানুষ পুকুরের পানি খাচ্ছে।"),
        DemoTicket("demo:2", "+8801812345678", "electricity", "Rangpur", "Mithapukur", "sms",
                   "en", "No electricity in Mithapukur bazar for four days since the storm. "
                   "The transformer by the school is still broken."),
        DemoTicket("demo:3", "+8801912345678", "roads", "Chattogram", "Hathazari", "agent",
                   "bn", "হাটহাজারী-নাজিরহাট সড়কে বড় গর্ত, প্রতিদিন সিএনজি উল্টে যাচ্ছে।"),
        DemoTicket("demo:4", "+8801556789012", "social_protection", "Cumilla", "Debidwar",
                   "ussd", "bn", "বয়স্ক ভাতার কার্ড পেয়েছি কিন্তু ছয় মাস ধরে টাকা পাইনি।"),
        DemoTicket("demo:5", "+8801612345678", "food_adulteration", "Dhaka", "Savar", "sms",
                   "en", "Fish sellers at Savar bus stand market are spraying formalin on "
                   "the fish every morning."),
        DemoTicket("demo:6", "+8801311223344", "health", "Sylhet", "Companiganj", "agent",
                   "en", "The upazila health complex has no doctor at night; a woman in "
                   "labour was sent to Sylhet city by boat."),
        DemoTicket("demo:7", "+8801411223344", "child_marriage", "Kurigram", "Ulipur", "agent",
                   "bn", "আগামী শুক্রবার ১৪ বছরের এক ছাত্রীর বিয়ে দেওয়া হচ্ছে।"),
        DemoTicket("demo:8", "+8801711000222", "environment", "Khulna", "Dumuria", "sms", "en",
                   "A brick kiln next to the primary school burns old tyres at night."),
    ),
    "KE": (
        DemoTicket("demo:1", "+254712345678", "water", "Nairobi", None, "ussd", "sw",
                   "Maji hayajatoka Kibera kwa wiki mbili, tunanunua mtungi kwa shilingi 50."),
        DemoTicket("demo:2", "+254733123456", "roads", "Mombasa", None, "sms", "en",
                   "The Likoni road has potholes that have caused two matatu accidents."),
        DemoTicket("demo:3", "+254722000111", "health", "Kisumu", None, "agent", "en",
                   "The dispensary in Nyalenda has had no malaria drugs for a month."),
        DemoTicket("demo:4", "+254701234567", "social_protection", "Kakamega", None, "ussd",
                   "sw", "Sijapokea pesa za Inua Jamii tangu Machi."),
        DemoTicket("demo:5", "+254711222333", "education", "Nakuru", None, "sms", "en",
                   "Our primary school has 90 pupils in one class and no teacher for Grade 4."),
        DemoTicket("demo:6", "+254720111222", "corruption", "Nairobi", None, "agent", "en",
                   "A clerk at the lands office asked for money to release my title deed."),
    ),
}  # fmt: skip


def seed_demo(*, session: Session, country: str) -> list[dict[str, Any]]:
    """Add demo users and sample tickets to a seeded database; return the logins.

    New users get a random password, returned once so the CLI can print it; users
    that already exist are left alone and come back with `password` None. Tickets are
    filed through intake like any other, keyed "demo:<n>" so a rerun files none.
    """
    country = _country(country)
    districts = _districts_by_name(session, country)
    logins = _demo_users(session, country, districts)
    for ticket in _DEMO_TICKETS[country]:
        _demo_ticket(session, districts, ticket)
    session.flush()
    return logins


def _districts_by_name(session: Session, country: str) -> dict[str, int]:
    statement = select(AdminArea.name, AdminArea.id).where(
        AdminArea.country == country, AdminArea.level == AdminLevel.DISTRICT
    )
    return dict(session.exec(statement).all())


def _demo_users(session: Session, country: str, districts: dict[str, int]) -> list[dict[str, Any]]:
    specs = _DEMO_USERS[country]
    offices = {
        o.code: o
        for o in session.exec(
            select(Office).where(col(Office.code).in_([s.office_code for s in specs]))
        )
    }
    existing = {
        u.email: u
        for u in session.exec(select(User).where(col(User.email).in_([s.email for s in specs])))
    }
    logins = []
    for spec in specs:
        office = offices.get(spec.office_code) if spec.office_code else None
        if spec.office_code and office is None:
            raise SeedDataError(f"office {spec.office_code!r} missing: run seed() first")
        password = None
        if spec.email not in existing:
            password = users.generate_password()
            session.add(
                User(
                    email=spec.email,
                    full_name=spec.full_name,
                    role=spec.role,
                    password_hash=users.hash_password(password),
                    office_id=office.id if office else None,
                    area_id=districts.get(spec.district) if spec.district else None,
                    language=spec.language,
                    languages=list(dict.fromkeys([spec.language, "en"])),
                )
            )
        logins.append(
            {
                "email": spec.email,
                "password": password,
                "role": str(spec.role),
                "office": office.name if office else None,
                "district": spec.district,
            }
        )
    session.flush()
    return logins


def _demo_ticket(session: Session, districts: dict[str, int], spec: DemoTicket) -> None:
    district_id = districts.get(spec.district)
    if district_id is None:
        raise SeedDataError(f"district {spec.district!r} missing: run seed() first")
    upazila_id = None
    if spec.upazila:
        upazila_id = session.exec(
            select(AdminArea.id).where(
                AdminArea.parent_id == district_id, AdminArea.name == spec.upazila
            )
        ).first()
        if upazila_id is None:
            raise SeedDataError(f"no upazila {spec.upazila!r} in {spec.district}")
    ticket_in = TicketCreate(
        phone=spec.phone,
        category_code=spec.category,
        district_id=district_id,
        upazila_id=upazila_id,
        channel=spec.channel,
        language=spec.language,
        description=spec.description,
        source_key=spec.key,
    )
    intake.file_grievance(session=session, ticket_in=ticket_in)
