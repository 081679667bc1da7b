"""Public holidays: loaded from CSV or iCalendar files, and the lists Nalish ships.

CSV files have the columns `date,name` and an optional third, `kind`: `holiday` (the
default) or `working_day`, for a weekend date declared a working day (Bangladesh opens
offices on a Saturday in exchange for a longer Eid break). Dates are ISO 8601
(`2026-03-21`). A header row `date,name[,kind]` is optional; blank lines and lines whose
first character is `#` are skipped. Two rows may share a date (1 May 2026 is both May Day
and Buddha Purnima in Bangladesh).

iCalendar files (.ics, RFC 5545) are read by a small parser for the subset public holiday
feeds use, since the `icalendar` package is not a dependency: all-day `VEVENT`s with
`DTSTART;VALUE=DATE`, an exclusive `DTEND` (or `DURATION:PnD`/`PnW`) for several days,
and `SUMMARY` as the name. Timed and recurring events are refused with the line number,
since a holiday is a whole local day and an RRULE would need expanding; cancelled events
are skipped.

Every error names the file and line: `bd-2026.csv:14: "2026-02-30" is not a date`.
The bundled lists live in `escalation/data/holidays/<country>-<year>.csv`; see the
README there for sources and which dates depend on the moon.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).parent / "data" / "holidays"

HolidayKind = Literal["holiday", "working_day"]
KINDS: tuple[HolidayKind, ...] = ("holiday", "working_day")


class HolidayFileError(ValueError):
    """A holiday file that cannot be read; the message names the file and line."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        where = f"{Path(path).name}:{line}" if line is not None else f"{Path(path).name}"
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class Holiday:
    """A public holiday (or a declared working day) on one local date."""

    day: date
    name: str
    kind: HolidayKind = "holiday"


def load(path: str | Path) -> tuple[Holiday, ...]:
    """Holidays from a `.csv` or `.ics` file, by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return load_csv(path)
    if suffix in (".ics", ".ical", ".ifb"):
        return load_ics(path)
    raise HolidayFileError(path, None, f"unknown holiday file type {suffix!r} (use .csv or .ics)")


def load_csv(path: str | Path) -> tuple[Holiday, ...]:
    """Holidays from a CSV file with columns `date,name[,kind]`."""
    holidays = []
    seen_data = False
    for number, line in _lines(path):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        # One physical line at a time keeps line numbers exact; quoted commas still work.
        row = [cell.strip() for cell in next(csv.reader([line]))]
        if not seen_data and row and row[0].lower() == "date":
            seen_data = True
            continue  # the header
        seen_data = True
        holidays.append(_csv_row(path, number, row))
    return tuple(holidays)


def load_ics(path: str | Path) -> tuple[Holiday, ...]:
    """Holidays from the all-day events of an iCalendar file."""
    holidays: list[Holiday] = []
    event: dict[str, tuple[int, dict[str, str], str]] | None = None
    began_at = 0
    nested = 0  # depth of components inside the event (VALARM), whose properties we skip
    for number, name, params, value in _ics_properties(path):
        component = value.strip().upper()
        if name == "BEGIN" and event is not None:
            nested += 1
        elif name == "BEGIN" and component == "VEVENT":
            event, began_at = {}, number
        elif name == "END" and nested:
            nested -= 1
        elif name == "END" and component == "VEVENT":
            if event is None:
                raise HolidayFileError(path, number, "END:VEVENT without BEGIN:VEVENT")
            holidays.extend(_ics_event(path, began_at, event))
            event = None
        elif event is not None and not nested:
            event.setdefault(name, (number, params, value))
    if event is not None:
        raise HolidayFileError(path, began_at, "VEVENT is never closed with END:VEVENT")
    return tuple(holidays)


def bundled(country: str) -> tuple[Holiday, ...]:
    """Every bundled holiday for `country` (`BD`, `KE`), all years, in date order."""
    files = sorted(DATA_DIR.glob(f"{country.lower()}-*.csv"))
    return tuple(sorted((h for f in files for h in load_csv(f)), key=lambda h: h.day))


# -- CSV --------------------------------------------------------------------------


def _csv_row(path: str | Path, number: int, row: list[str]) -> Holiday:
    if len(row) < 2 or len(row) > 3:
        raise HolidayFileError(
            path, number, f"expected the columns date,name[,kind], got {len(row)} column(s)"
        )
    day = _iso_date(path, number, row[0])
    if not row[1]:
        raise HolidayFileError(path, number, f"the holiday on {day} has no name")
    kind = (row[2] if len(row) == 3 else "") or "holiday"
    if kind not in KINDS:
        raise HolidayFileError(
            path, number, f"kind must be one of {', '.join(KINDS)}, got {kind!r}"
        )
    return Holiday(day, row[1], kind)  # type: ignore[arg-type]


def _iso_date(path: str | Path, number: int, text: str) -> date:
    # date.fromisoformat also takes "20260321"; insist on the dashed form people read.
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise HolidayFileError(path, number, f"{text!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HolidayFileError(path, number, f"{text!r} is not a date") from None


def _lines(path: str | Path) -> list[tuple[int, str]]:
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HolidayFileError(path, None, "no such file") from None
    except UnicodeDecodeError as exc:
        raise HolidayFileError(path, None, f"not UTF-8 text ({exc.reason})") from None
    return list(enumerate(text.splitlines(), start=1))


# -- iCalendar --------------------------------------------------------------------


# A content line: NAME, then ;PARAM=value pairs (values may be quoted and hold ; or :),
# then : and the value.
_CONTENT_LINE = re.compile(
    r'(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[^:;"]*(?:"[^"]*")?)*):(?P<value>.*)'
)
_PARAM = re.compile(r';([^=;]+)=("[^"]*"|[^;]*)')


def _ics_properties(path: str | Path) -> Iterator[tuple[int, str, dict[str, str], str]]:
    """Yield (line number, NAME, params, value) for each unfolded content line."""
    logical: list[tuple[int, str]] = []
    for number, line in _lines(path):
        if line[:1] in (" ", "\t") and logical:
            # RFC 5545 §3.1: a line starting with white space continues the previous one.
            start, text = logical[-1]
            logical[-1] = (start, text + line[1:])
        elif line.strip():
            logical.append((number, line))
    for number, line in logical:
        match = _CONTENT_LINE.fullmatch(line)
        if not match:
            raise HolidayFileError(path, number, f"not an iCalendar content line: {line!r}")
        params = {k.upper(): v.strip('"') for k, v in _PARAM.findall(match["params"])}
        yield number, match["name"].upper(), params, match["value"]


def _ics_event(
    path: str | Path, began_at: int, event: dict[str, tuple[int, dict[str, str], str]]
) -> list[Holiday]:
    if event.get("STATUS", (0, {}, ""))[2].strip().upper() == "CANCELLED":
        return []
    recurring = event.get("RRULE") or event.get("RDATE")
    if recurring:
        raise HolidayFileError(
            path, recurring[0], "recurring events are not supported: list each year's date"
        )
    if "DTSTART" not in event:
        raise HolidayFileError(path, began_at, "VEVENT has no DTSTART")
    start = _ics_date(path, *event["DTSTART"])
    if "DTEND" in event:
        end = _ics_date(path, *event["DTEND"])
        if end <= start:
            raise HolidayFileError(
                path,
                event["DTEND"][0],
                f"DTEND {end} is not after DTSTART {start} (it is exclusive)",
            )
    elif "DURATION" in event:
        end = start + _ics_duration(path, *event["DURATION"])
    else:
        end = start + timedelta(days=1)  # RFC 5545: an all-day event without end is one day
    name = _ics_text(event.get("SUMMARY", (0, {}, ""))[2]).strip() or "Holiday"
    return [Holiday(start + timedelta(days=i), name) for i in range((end - start).days)]


def _ics_date(path: str | Path, number: int, params: dict[str, str], value: str) -> date:
    value = value.strip()
    if params.get("VALUE", "DATE").upper() != "DATE" or "T" in value.upper():
        raise HolidayFileError(
            path, number, f"timed event {value!r}: a holiday must be an all-day VALUE=DATE event"
        )
    if not re.fullmatch(r"\d{8}", value):
        raise HolidayFileError(path, number, f"{value!r} is not an iCalendar date (YYYYMMDD)")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise HolidayFileError(path, number, f"{value!r} is not a date") from None


def _ics_duration(path: str | Path, number: int, params: dict[str, str], value: str) -> timedelta:
    match = re.fullmatch(r"\+?P(\d+)([DW])", value.strip().upper())
    if not match or int(match[1]) == 0:
        raise HolidayFileError(
            path, number, f"DURATION {value!r}: only whole days or weeks (P3D, P1W) are supported"
        )
    return timedelta(days=int(match[1]) * (7 if match[2] == "W" else 1))


def _ics_text(value: str) -> str:
    # RFC 5545 §3.3.11 escapes: \\ \; \, \n
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)
