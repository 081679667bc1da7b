"""Import a country's own gazetteer from CSV: admin areas upserted by code, and the
other names people use for them as aliases.

The file has a header `code,level,name,name_local,parent_code,aliases`; `level` is
division, district or upazila; `aliases` are separated by `|`. Every row is checked
before anything is written, so a bad file changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, insert, select

from grievance_engine.models import AdminArea, AdminLevel
from routing import gazetteer
from routing import service as routing_service
from routing.models import AreaAlias

COLUMNS = ("code", "level", "name", "name_local", "parent_code", "aliases")
# A parent must sit one rank above its child; a district may have none (Kenya's counties).
_PARENT_LEVEL = {AdminLevel.DISTRICT: AdminLevel.DIVISION, AdminLevel.UPAZILA: AdminLevel.DISTRICT}
_KIND = {"division": "Division", "district": "District", "upazila": "Upazila"}
_KIND_KE = {**_KIND, "district": "County"}
LEVELS = tuple(str(level) for level in AdminLevel)


class GazetteerImportError(ValueError):
    """The file has problems; `problems` are "line N: …" sentences, first to last."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class AreaRow:
    """One checked row of the file."""

    line: int
    code: str
    level: str
    name: str
    name_local: str | None
    parent_code: str | None
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportCounts:
    """What an import did (or, for a dry run, would do)."""

    rows: int
    added: int
    updated: int
    aliases: int


def read_rows(lines: Iterable[str]) -> list[AreaRow]:
    """The rows of a gazetteer CSV, shape checked (header, level, code, name, duplicates);
    raises `GazetteerImportError` listing every problem with its line number."""
    reader = csv.DictReader(lines)
    header = tuple(name.strip() for name in reader.fieldnames or ())
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise GazetteerImportError(
            [f"line 1: header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}"]
        )
    rows: list[AreaRow] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {key.strip(): (value or "").strip() for key, value in record.items() if key}
        code, level, name = values["code"], values["level"].lower(), values["name"]
        if not code:
            problems.append(f"line {line}: empty code")
        elif code in first_line:
            problems.append(
                f"line {line}: duplicate code {code!r} (first on line {first_line[code]})"
            )
        else:
            first_line[code] = line
        if level not in LEVELS:
            problems.append(
                f"line {line}: bad level {values['level']!r}; one of: {', '.join(LEVELS)}"
            )
        if not name:
            problems.append(f"line {line}: empty name")
        if len(code) > 32 or len(name) > 100 or len(values["name_local"]) > 100:
            problems.append(f"line {line}: too long (code ≤ 32 characters, names ≤ 100)")
        aliases = [alias.strip() for alias in values["aliases"].split("|") if alias.strip()]
        rows.append(
            AreaRow(line, code, level, name, values["name_local"] or None,
                    values["parent_code"] or None, aliases)
        )  # fmt: skip
    if problems:
        raise GazetteerImportError(problems)
    return rows


def import_areas(
    *,
    session: Session,
    rows: list[AreaRow],
    country: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportCounts:
    """Upsert `rows` as `country`'s admin areas by code, and add their aliases.

    Parents are checked against the file and the database (a parent must exist, be of
    this country and one rank up); any problem raises `GazetteerImportError` before a
    row is written. `progress(done, total)` is called every 1,000 rows.
    """
    country = country.upper()
    existing = {
        area.code: area
        for area in session.exec(
            select(AdminArea).where(col(AdminArea.code).in_([row.code for row in rows]))
        )
    }
    parent_codes = {row.parent_code for row in rows if row.parent_code}
    parents = {
        area.code: area
        for area in session.exec(select(AdminArea).where(col(AdminArea.code).in_(parent_codes)))
    }
    _check(rows, country, existing, parents)
    total = len(rows)
    added = sum(row.code not in existing for row in rows)
    updated = 0
    kinds = _KIND_KE if country == "KE" else _KIND
    ids = {code: area.id for code, area in {**parents, **existing}.items()}
    done = 0
    for level in LEVELS:  # parents before children: their ids are needed
        new = []
        for row in (row for row in rows if row.level == level):
            values = {
                "level": row.level,
                "name": row.name,
                "name_local": row.name_local,
                "parent_id": ids.get(row.parent_code) if row.parent_code else None,
            }
            area = existing.get(row.code)
            if area is not None:
                changed = {k: v for k, v in values.items() if getattr(area, k) != v}
                updated += bool(changed)
                if not dry_run:
                    for key, value in changed.items():
                        setattr(area, key, value)
            else:
                new.append({"code": row.code, "country": country, "kind": kinds[level], **values})
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done, total)
        if new and not dry_run:
            session.exec(insert(AdminArea), params=new)
            statement = select(AdminArea.code, AdminArea.id).where(
                col(AdminArea.code).in_([row["code"] for row in new])
            )
            ids.update(session.exec(statement).all())
        elif new:
            ids.update({row["code"]: -1 for row in new})  # a dry run: no ids, no parents needed
    aliases = _add_aliases(session, rows, ids, dry_run)
    if progress is not None and total >= 1000 and total % 1000:
        progress(total, total)
    if not dry_run:
        session.flush()
        gazetteer.clear_cache()
        routing_service.clear_cache()
    return ImportCounts(rows=total, added=added, updated=updated, aliases=aliases)


def _check(
    rows: list[AreaRow],
    country: str,
    existing: dict[str, AdminArea],
    parents: dict[str, AdminArea],
) -> None:
    problems = []
    in_file = {row.code: row for row in rows}
    for row in rows:
        area = existing.get(row.code)
        if area is not None and area.country != country:
            problems.append(f"line {row.line}: code {row.code!r} belongs to country {area.country}")
        want = _PARENT_LEVEL.get(AdminLevel(row.level))
        if row.parent_code is None:
            if row.level == AdminLevel.UPAZILA:
                problems.append(f"line {row.line}: an upazila needs a parent_code (its district)")
            continue
        if want is None:
            problems.append(f"line {row.line}: a division has no parent (got {row.parent_code!r})")
            continue
        parent_row, parent_area = in_file.get(row.parent_code), parents.get(row.parent_code)
        if parent_row is not None:
            parent_level = parent_row.level
        elif parent_area is not None and parent_area.country == country:
            parent_level = parent_area.level
        else:
            problems.append(f"line {row.line}: unknown parent {row.parent_code!r}")
            continue
        if parent_level != want:
            problems.append(
                f"line {row.line}: parent {row.parent_code!r} is a {parent_level}; "
                f"a {row.level}'s parent must be a {want}"
            )
    if problems:
        raise GazetteerImportError(problems)


def _add_aliases(session: Session, rows: list[AreaRow], ids: dict[str, int], dry_run: bool) -> int:
    area_ids = [ids[row.code] for row in rows if ids.get(row.code, -1) != -1]
    existing = set(
        session.exec(
            select(AreaAlias.area_id, AreaAlias.folded).where(col(AreaAlias.area_id).in_(area_ids))
        ).all()
    )
    new = []
    for row in rows:
        area_id = ids[row.code]
        seen = {gazetteer.fold(row.name)}  # an alias that folds to the name already matches
        for alias in row.aliases:
            folded = gazetteer.fold(alias)
            if not folded or folded in seen or (area_id, folded) in existing:
                continue
            seen.add(folded)
            language = "bn" if any("\u0980" <= char <= "\u09ff" for char in alias) else None
            new.append(
                {
                    "area_id": area_id,
                    "alias": alias[:100],
                    "folded": folded[:100],
                    "language": language,
                }
            )
    if new and not dry_run:
        session.exec(insert(AreaAlias), params=new)
    return len(new)
