"""Open numbers: grievances per district × category × month, and information contacts
per district × topic × month, safe to publish.

For each month a grievance was received in (the deployment's time zone), each
district and category, and their totals (`*`): received, resolved, median days to
resolve, share resolved within the deadline, share reopened by a poor rating, average
rating. Measures follow the month of receipt (a cohort), so a month's figures settle
as its grievances are closed.

Privacy (`NALISH_OPEN_DATA_K`, k, default 5):
- a cell counting fewer than k grievances is suppressed: every figure blank;
- complementary suppression: where a district's (or a category's) month has exactly one
  suppressed cell, the next smallest cell of that line is suppressed too, repeated
  until no line has a lone one, so a total minus the others never reveals a cell;
- a measure over fewer than k people (the median of 3 resolutions, the average of 2
  ratings) is blank even in a published cell.

Contacts (`grievance_engine.knowledge`: an information request, an article sent, a call
an agent took that filed nothing) are counted the same way in their own table, by topic
instead of category (`unmatched`: the question matched no topic; `unknown`: no district
was given), with the same k and the same complementary suppression.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from escalation.sweep import ACTOR as SLA_ACTOR
from grievance_engine.models import (
    AdminArea,
    Category,
    Contact,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from infra import clock
from infra.settings import get_settings

ALL = "*"
COLUMNS = (
    "month",
    "district",
    "category",
    "received",
    "resolved",
    "median_days_to_resolve",
    "share_within_deadline",
    "share_reopened_by_poor_rating",
    "average_rating",
    "suppressed",
)
CONTACT_COLUMNS = ("month", "district", "topic", "contacts", "suppressed")
NO_DISTRICT = "unknown"  # a contact whose caller named no district
NO_TOPIC = "unmatched"  # an information request that matched no topic
MONTHS = 12  # how far back the page and the files go
Key = tuple[str, str, str]  # month, district, category


@dataclass
class Cell:
    """The grievances of one month, district and category (either may be `*`)."""

    received: int = 0
    resolve_days: list[float] = field(default_factory=list)
    on_time: int = 0  # resolved without a deadline passing
    rated: int = 0
    reopened: int = 0
    ratings: list[int] = field(default_factory=list)
    suppressed: bool = False

    def add(self, days: float | None, late: bool, rating: int | None, reopened: bool) -> None:
        self.received += 1
        if days is not None:
            self.resolve_days.append(days)
            self.on_time += not late
        if rating is not None:
            self.rated += 1
            self.ratings.append(rating)
            self.reopened += reopened

    def row(self, key: Key, k: int) -> dict[str, object]:
        month, district, category = key
        if self.suppressed:
            blank = dict.fromkeys(COLUMNS[3:-1])
            return {"month": month, "district": district, "category": category, **blank,
                    "suppressed": True}  # fmt: skip
        resolved = len(self.resolve_days)
        return {
            "month": month,
            "district": district,
            "category": category,
            "received": self.received,
            "resolved": resolved,
            "median_days_to_resolve": _over(k, self.resolve_days, statistics.median),
            "share_within_deadline": _share(k, self.on_time, resolved),
            "share_reopened_by_poor_rating": _share(k, self.reopened, self.rated),
            "average_rating": _over(k, self.ratings, statistics.fmean),
            "suppressed": False,
        }


def _over(k: int, values: list, measure) -> float | None:
    return round(measure(values), 1) if len(values) >= k else None


def _share(k: int, part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole >= k else None


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


def cells(*, session: Session, since: datetime | None = None) -> dict[Key, Cell]:
    """Every cell with at least one grievance, totals included, before suppression."""
    since = since or clock.now() - timedelta(days=31 * MONTHS)
    zone = ZoneInfo(get_settings().timezone)
    districts = dict(session.exec(select(AdminArea.id, AdminArea.name)).all())
    categories = dict(session.exec(select(Category.id, Category.code)).all())
    late, reopened = _late_and_reopened(session, since)
    found: dict[Key, Cell] = defaultdict(Cell)
    rows = session.exec(
        select(
            Ticket.id, Ticket.district_id, Ticket.category_id, Ticket.created_at,
            Ticket.resolved_at, Ticket.rating, Ticket.status,
        ).where(Ticket.created_at >= since)
    ).all()  # fmt: skip
    for ticket_id, district_id, category_id, created, resolved, rating, status in rows:
        if status == TicketStatus.DUPLICATE:
            continue  # counted once, as its original
        month = created.astimezone(zone).strftime("%Y-%m")
        days = (resolved - created).total_seconds() / 86400 if resolved else None
        district, category = districts[district_id], categories[category_id]
        for key in _keys(month, district, category):
            found[key].add(days, ticket_id in late, rating, ticket_id in reopened)
    return dict(found)


def _keys(month: str, district: str, category: str) -> tuple[Key, ...]:
    return (
        (month, district, category),
        (month, district, ALL),
        (month, ALL, category),
        (month, ALL, ALL),
    )


def _late_and_reopened(session: Session, since: datetime) -> tuple[set[int], set[int]]:
    """Tickets that missed a deadline (escalated by the SLA sweep, or breached at the
    top), and tickets a poor rating reopened."""
    events = session.exec(
        select(TicketEvent.ticket_id, TicketEvent.type, TicketEvent.actor, TicketEvent.data)
        .where(col(TicketEvent.type).in_(("sla_breached", "status_changed", "rated")))
        .where(TicketEvent.at >= since)
    ).all()
    late, reopened = set(), set()
    for ticket_id, kind, actor, data in events:
        if kind == "sla_breached" or (
            kind == "status_changed" and actor == SLA_ACTOR and data.get("to") == "escalated"
        ):
            late.add(ticket_id)
        elif kind == "rated" and data.get("reopened"):
            reopened.add(ticket_id)
    return late, reopened


# ---------------------------------------------------------------------------
# Suppression
# ---------------------------------------------------------------------------


def suppress(found: dict[Key, Cell], k: int) -> dict[Key, Cell]:
    """Mark cells under k, then complementary cells, until every line (a district's or
    a category's month, with its total) has none or at least two suppressed cells."""
    for cell in found.values():
        cell.suppressed = cell.received < k
    changed = True
    while changed:
        changed = False
        for line in _lines(found):
            hidden = [key for key in line if found[key].suppressed]
            if len(hidden) == 1:
                shown = [key for key in line if not found[key].suppressed]
                if shown:
                    smallest = min(shown, key=lambda key: (found[key].received, key))
                    found[smallest].suppressed = changed = True
    return found


def _lines(found: dict[Key, Cell]) -> Iterable[list[Key]]:
    """Each set of cells that adds up to a published total: a district's categories
    with its total, a category's districts with its total (per month), and the
    district totals (or category totals) with the month's grand total."""
    by_district: dict[tuple[str, str], list[Key]] = defaultdict(list)
    by_category: dict[tuple[str, str], list[Key]] = defaultdict(list)
    for key in found:
        month, district, category = key
        by_district[(month, district)].append(key)
        by_category[(month, category)].append(key)
    yield from by_district.values()
    yield from by_category.values()


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------


def table(*, session: Session, month: str | None = None) -> list[dict[str, object]]:
    """The published rows, suppression applied, newest month first."""
    k = get_settings().open_data_k
    found = suppress(cells(session=session), k)
    keys = sorted(found, key=lambda key: (_desc(key[0]), key[1], key[2]))
    return [found[key].row(key, k) for key in keys if month is None or key[0] == month]


def contact_cells(*, session: Session, since: datetime | None = None) -> dict[Key, Cell]:
    """Contacts per month, district and topic (totals `*` included), before suppression;
    a cell's `received` is its number of contacts."""
    since = since or clock.now() - timedelta(days=31 * MONTHS)
    zone = ZoneInfo(get_settings().timezone)
    districts = dict(session.exec(select(AdminArea.id, AdminArea.name)).all())
    found: dict[Key, Cell] = defaultdict(Cell)
    rows = session.exec(
        select(Contact.at, Contact.district_id, Contact.topic).where(col(Contact.at) >= since)
    ).all()
    for at, district_id, topic in rows:
        month = at.astimezone(zone).strftime("%Y-%m")
        district = districts.get(district_id, NO_DISTRICT) if district_id else NO_DISTRICT
        for key in _keys(month, district, topic or NO_TOPIC):
            found[key].received += 1
    return dict(found)


def contact_table(*, session: Session, month: str | None = None) -> list[dict[str, object]]:
    """The published contact rows (`CONTACT_COLUMNS`), suppressed like grievances."""
    k = get_settings().open_data_k
    found = suppress(contact_cells(session=session), k)
    keys = sorted(found, key=lambda key: (_desc(key[0]), key[1], key[2]))
    return [
        {
            "month": key[0],
            "district": key[1],
            "topic": key[2],
            "contacts": None if found[key].suppressed else found[key].received,
            "suppressed": found[key].suppressed,
        }
        for key in keys
        if month is None or key[0] == month
    ]


def _desc(month: str) -> str:
    return "".join(chr(ord("9") - ord(ch) + ord("0")) if ch.isdigit() else ch for ch in month)


def as_csv(rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return out.getvalue()


def publish(*, session: Session, directory: str) -> list[str]:
    """Write the CSV and JSON to `directory` (the periodic job), each replaced whole
    (written aside, then renamed) so a reader never sees half a file."""
    import json
    from pathlib import Path

    rows, contacts = table(session=session), contact_table(session=session)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("grievances.csv", as_csv(rows)),
        ("grievances.json", json.dumps(rows, ensure_ascii=False, indent=1)),
        ("contacts.csv", as_csv(contacts, CONTACT_COLUMNS)),
        ("contacts.json", json.dumps(contacts, ensure_ascii=False, indent=1)),
    ):
        aside = folder / f".{name}.tmp"
        aside.write_text(text, encoding="utf-8")
        aside.replace(folder / name)
        written.append(str(folder / name))
    return written
