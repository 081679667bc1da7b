"""The supervisor's dashboard, `/dashboard/supervisor`, and the CSV of each of its tables,
`/dashboard/supervisor/export/{table}.csv`. Supervisors and admins only (anyone else:
404, as for a page that does not exist: `dashboards.pages`); they see every ticket
(`routing.access`).

What the figures mean:

- **Volumes**: tickets filed in the last 30 days (by `created_at`), per local day
  (NALISH_TIMEZONE), per district and per category.
- **SLA compliance** (per office, per district): of the tickets resolved in the last 90
  days (`resolved_at` set: resolved, or closed after resolving; a reopened ticket
  counts once it is resolved again), the share resolved *without escalation*
  (`escalation_level == 0`). The SLA sweep escalates a ticket whenever it misses its
  acknowledge or resolve deadline, so a ticket resolved at level 0 met every deadline
  it had. (A poor rating also escalates; such a ticket counts as not compliant, which
  is what the citizen said. A ticket at the top of the ladder cannot be escalated, so
  a national office's misses are not seen here; the overdue table shows them.) The
  office is the one holding the ticket when it was resolved.
- **Median time to resolve**: over the same tickets, the median of
  `resolved_at - created_at` in hours (wall-clock time, not working time), computed in
  Python over those bounded 90 days; the counts are aggregated in SQL.
- **Worst rows** carry the text "▲ worst" (the lowest compliance, the longest median,
  the most overdue, the lowest satisfaction), only where rows differ.
- **Overdue (heat table)**: open tickets whose running deadline (`sla_due_at`) has
  passed, per district, grouped by division.
- **Satisfaction**: `escalation.ratings.satisfaction_by_office`.
- **Backlog age**: open tickets by age since filing: 0–1 d, 1–7 d, 7–30 d, > 30 d.
- **Equity** (`_equity.html.j2`): `escalation.equity.monitor` over 90 days, groups by
  channel, language and, where citizens chose to say, gender, age band and disability;
  a group worse than the rest by the set margin with enough cases is flagged; a group
  under k (NALISH_OPEN_DATA_K) is not listed at all.
- **Contacts** (`_contacts.html.j2`): information requests (USSD, SMS, voice, an agent
  sending an article) and calls that filed nothing, in the last 30 days, by topic, and
  by channel beside the grievances filed on it (`grievance_engine.knowledge`).

Counts use GROUP BY or SUM(CASE …), which read the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from fastapi import HTTPException
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from dashboards import charts, headline, i18n
from dashboards.deps import (
    CurrentUser,
    SessionDep,
    Visit,
    dashboard_router,
    page_for,
    ui_language,
)
from escalation import equity
from escalation.ratings import satisfaction_by_office
from grievance_engine import knowledge, lifecycle
from grievance_engine.models import AdminArea, AdminLevel, Category, Contact, Office, Ticket
from grievance_engine.place_names import local_name
from infra import clock
from infra.settings import get_settings

PATH = "/dashboard/supervisor"
VOLUME_DAYS = 30
SLA_DAYS = 90
WORST = "▲"

router = dashboard_router()


@dataclass
class Table:
    """One table of the dashboard: its columns (catalogue keys), its rows (plain values,
    as the CSV has them) and, per row, the columns marked worst."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    marks: list[set[int]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # per row, for the heat table


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------


def _areas(session: Session) -> dict[int, AdminArea]:
    return {area.id: area for area in session.exec(select(AdminArea))}  # type: ignore[misc]


def _area_name(area: AdminArea | None, lang: str) -> str:
    if area is None:
        return "—"
    return local_name(area, lang)


def _mark_worst(rows: list[list[Any]], column: int, *, highest: bool) -> list[set[int]]:
    """Per row, {column} if its value is the worst (highest or lowest) and the values
    differ; ties are all marked."""
    values = [row[column] for row in rows if row[column] is not None]
    marks: list[set[int]] = [set() for _ in rows]
    if len(set(values)) < 2:
        return marks
    worst = max(values) if highest else min(values)
    for index, row in enumerate(rows):
        if row[column] == worst:
            marks[index].add(column)
    return marks


def _merge(*all_marks: list[set[int]]) -> list[set[int]]:
    return [set().union(*marks) for marks in zip(*all_marks, strict=True)]


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------


def volume_by_day(session: Session, now: datetime, lang: str) -> Table:
    tz = get_settings().tz
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=back) for back in range(VOLUME_DAYS - 1, -1, -1)]
    starts = [datetime.combine(day, time(0), tzinfo=tz) for day in days]
    ends = [*starts[1:], starts[-1] + timedelta(days=1)]
    created = col(Ticket.created_at)
    sums = [
        func.coalesce(func.sum(case((and_(created >= start, created < end), 1), else_=0)), 0)
        for start, end in zip(starts, ends, strict=True)
    ]
    counts = session.exec(select(*sums).where(created >= starts[0])).one()
    return Table(
        "volume_by_day",
        ["day", "tickets"],
        [[day.isoformat(), int(count)] for day, count in zip(days, counts, strict=True)],
    )


def volume_by_district(session: Session, now: datetime, lang: str) -> Table:
    areas = _areas(session)
    return _volume_by(
        session, now, "district", Ticket.district_id, lambda d: _area_name(areas.get(d), lang)
    )


def volume_by_category(session: Session, now: datetime, lang: str) -> Table:
    categories = {c.id: c for c in session.exec(select(Category))}
    return _volume_by(
        session,
        now,
        "category",
        Ticket.category_id,
        lambda c: categories[c].label(lang) if c in categories else str(c),
    )


def _volume_by(
    session: Session, now: datetime, noun: str, key: Any, name: Callable[[Any], str]
) -> Table:
    """Tickets filed in the last 30 days per `key` (a Ticket column), each named by
    `name`, the most first."""
    since = now - timedelta(days=VOLUME_DAYS)
    statement = select(key, func.count()).where(col(Ticket.created_at) >= since).group_by(key)
    rows = [[name(group), int(n)] for group, n in session.exec(statement)]
    rows.sort(key=lambda row: (-row[1], str(row[0])))
    return Table(f"volume_by_{noun}", [noun, "tickets"], rows)


def _sla(session: Session, now: datetime, key: Any) -> tuple[dict, dict]:
    """Per `key` (a Ticket column) over tickets resolved in the last 90 days: (resolved,
    resolved at level 0) counted in SQL, and the median hours to resolve."""
    since = now - timedelta(days=SLA_DAYS)
    resolved = col(Ticket.resolved_at)
    window = and_(resolved.is_not(None), resolved >= since)
    on_time = func.coalesce(func.sum(case((Ticket.escalation_level == 0, 1), else_=0)), 0)
    counts = {
        group: (int(total), int(met))
        for group, total, met in session.exec(
            select(key, func.count(), on_time).where(window).group_by(key)
        )
    }
    hours: dict[Any, list[float]] = {}
    for group, created, done in session.exec(
        select(key, Ticket.created_at, Ticket.resolved_at).where(window)
    ):
        hours.setdefault(group, []).append((done - created).total_seconds() / 3600)
    medians = {group: round(statistics.median(values), 1) for group, values in hours.items()}
    return counts, medians


def _sla_rows(counts: dict, medians: dict, name: Callable[[Any], str]) -> Table:
    rows = [
        [name(group), total, met, round(100 * met / total, 1), medians.get(group)]
        for group, (total, met) in counts.items()
    ]
    rows.sort(key=lambda row: (row[3], -(row[4] or 0), row[0]))  # worst first
    marks = _merge(_mark_worst(rows, 3, highest=False), _mark_worst(rows, 4, highest=True))
    return Table("", ["name", "resolved", "on_time", "compliance_pct", "median_hours"], rows, marks)


def sla_by_office(session: Session, now: datetime, lang: str) -> Table:
    counts, medians = _sla(session, now, Ticket.office_id)
    offices = {o.id: o.name for o in session.exec(select(Office))}
    table = _sla_rows(counts, medians, lambda o: offices.get(o, "—"))
    table.name, table.columns[0] = "sla_by_office", "office"
    return table


def sla_by_district(session: Session, now: datetime, lang: str) -> Table:
    counts, medians = _sla(session, now, Ticket.district_id)
    areas = _areas(session)
    table = _sla_rows(counts, medians, lambda d: _area_name(areas.get(d), lang))
    table.name, table.columns[0] = "sla_by_district", "district"
    return table


def overdue_by_district(session: Session, now: datetime, lang: str) -> Table:
    """Every district of the country under its division, with its open overdue count."""
    statement = (
        select(Ticket.district_id, func.count())
        .where(col(Ticket.status).in_(lifecycle.OPEN), col(Ticket.sla_due_at) < now)
        .group_by(Ticket.district_id)
    )
    overdue = {d: int(n) for d, n in session.exec(statement)}
    areas = _areas(session)
    country = get_settings().country
    districts = [
        a for a in areas.values() if a.level == AdminLevel.DISTRICT and a.country == country
    ]
    keyed = sorted(
        districts,
        key=lambda a: (_area_name(areas.get(a.parent_id), i18n.DEFAULT), a.name),  # type: ignore[arg-type]
    )
    rows = [
        [_area_name(areas.get(a.parent_id), lang), _area_name(a, lang), overdue.get(a.id, 0)]  # type: ignore[arg-type]
        for a in keyed
    ]
    marks = _mark_worst(rows, 2, highest=True)
    return Table("overdue_by_district", ["division", "district", "overdue_open"], rows, marks)


def satisfaction(session: Session, now: datetime, lang: str) -> Table:
    rows = [
        [r["office"], r["count"], r["average"], r["reopened"], round(100 * r["share_reopened"], 1)]
        for r in satisfaction_by_office(session=session)
    ]
    marks = _mark_worst(rows, 2, highest=False)
    return Table(
        "satisfaction_by_office",
        ["office", "ratings", "average_rating_col", "reopened", "reopened_pct"],
        rows,
        marks,
    )


BACKLOG_BUCKETS = (("0–1 d", 0, 1), ("1–7 d", 1, 7), ("7–30 d", 7, 30), ("> 30 d", 30, None))


def backlog_age(session: Session, now: datetime, lang: str) -> Table:
    created = col(Ticket.created_at)
    sums = []
    for _, young, old in BACKLOG_BUCKETS:
        within = created <= now - timedelta(days=young)
        if old is not None:
            within = and_(within, created > now - timedelta(days=old))
        sums.append(func.coalesce(func.sum(case((within, 1), else_=0)), 0))
    counts = session.exec(select(*sums).where(col(Ticket.status).in_(lifecycle.OPEN))).one()
    rows = [[label, int(n)] for (label, _, _), n in zip(BACKLOG_BUCKETS, counts, strict=True)]
    return Table("backlog_age", ["age", "open_tickets"], rows)


# ---------------------------------------------------------------------------
# Contacts: information requests and calls that filed nothing, beside grievances
# ---------------------------------------------------------------------------


def contacts_by_topic(session: Session, now: datetime, lang: str) -> Table:
    """Contacts of the last 30 days per knowledge-base topic ("—": nothing matched)."""
    since = now - timedelta(days=VOLUME_DAYS)
    labels = dict(knowledge.topics(session, lang))
    counts = knowledge.contact_counts(session, since, Contact.topic)
    rows = [[labels.get(topic, topic) if topic else None, n] for topic, n in counts]
    return Table("contacts_by_topic", ["topic", "contacts"], rows)


def contacts_by_channel(session: Session, now: datetime, lang: str) -> Table:
    """Per channel, the contacts and the grievances filed in the last 30 days: the
    helpline's whole workload."""
    since = now - timedelta(days=VOLUME_DAYS)
    contacts = dict(knowledge.contact_counts(session, since, Contact.channel))
    statement = (
        select(Ticket.channel, func.count())
        .where(col(Ticket.created_at) >= since)
        .group_by(Ticket.channel)
    )
    tickets = {channel: int(n) for channel, n in session.exec(statement)}
    rows = [
        [
            i18n.translate(lang, f"channel_{channel}"),
            contacts.get(channel, 0),
            tickets.get(channel, 0),
        ]
        for channel in sorted(set(contacts) | set(tickets), key=str)
    ]
    return Table("contacts_by_channel", ["channel", "contacts", "tickets"], rows)


# ---------------------------------------------------------------------------
# Equity: groups served worse than the rest (escalation.equity)
# ---------------------------------------------------------------------------


def equity_groups(session: Session, now: datetime, lang: str) -> Table:
    """Every group of at least k, flagged ones first; a group under k is left out
    (not even named), so nothing here points at a few people."""
    from grievance_engine import languages as language_registry

    def label(dimension: str, value: str) -> str:
        if dimension == "language":
            return language_registry.get(value).native_name
        key = "channel_" if dimension == "channel" else f"equity_{dimension}_"
        return i18n.translate(lang, key + value)

    shown = [f for f in equity.monitor(session=session, since=now - timedelta(days=SLA_DAYS))
             if f.received is not None]  # fmt: skip
    shown.sort(key=lambda f: (not f.flags, equity.DIMENSIONS.index(f.dimension), f.value))
    rows = [
        [
            i18n.translate(lang, f"equity_dim_{f.dimension}"),
            label(f.dimension, f.value),
            f.received,
            f.median_days,
            None if f.reopen_rate is None else round(100 * f.reopen_rate, 1),
            "; ".join(i18n.translate(lang, f"equity_flag_{flag}") for flag in f.flags) or None,
        ]
        for f in shown
    ]
    marks = [{5} if row[5] else set() for row in rows]
    columns = ["equity_dimension", "equity_group", "tickets", "median_days", "reopened_pct",
               "equity_flag"]  # fmt: skip
    return Table("equity_groups", columns, rows, marks)


TABLES: dict[str, Callable[[Session, datetime, str], Table]] = {
    "volume_by_day": volume_by_day,
    "volume_by_district": volume_by_district,
    "volume_by_category": volume_by_category,
    "sla_by_office": sla_by_office,
    "sla_by_district": sla_by_district,
    "overdue_by_district": overdue_by_district,
    "satisfaction_by_office": satisfaction,
    "backlog_age": backlog_age,
    "contacts_by_topic": contacts_by_topic,
    "contacts_by_channel": contacts_by_channel,
    "equity_groups": equity_groups,
}
CHARTS = ("volume_by_day", "volume_by_district", "volume_by_category", "backlog_age")


# ---------------------------------------------------------------------------
# The routes
# ---------------------------------------------------------------------------


@router.get(PATH, response_class=HTMLResponse)
def supervisor_view(visit: Visit) -> HTMLResponse:
    """Every table of the dashboard, the volumes and backlog also as bar charts."""
    session, user = visit.session, visit.user
    lang = ui_language(user)
    now = clock.now()
    tables = {name: build(session, now, lang) for name, build in TABLES.items()}
    chart_svgs = {
        name: charts.bar_chart(
            [(str(row[0]), row[1]) for row in tables[name].rows],
            chart_id=f"chart-{name}",
            title=i18n.translate(lang, f"table_{name}"),
            description=i18n.translate(lang, "chart_desc"),
        )
        for name in CHARTS
    }
    return page_for(
        "supervisor.html.j2",
        visit,
        tables=tables,
        charts=chart_svgs,
        worst=WORST,
        volume_days=VOLUME_DAYS,
        sla_days=SLA_DAYS,
        equity_k=get_settings().open_data_k,
        equity_cases=equity.MIN_CASES,
        headline=headline.headline(session, now, lang),  # what needs action, first
    )


@router.get(PATH + "/export/{table}.csv")
def export_csv(session: SessionDep, user: CurrentUser, table: str) -> Response:
    """One table as CSV (UTF-8 with a header row), as an attachment."""
    build = TABLES.get(table)
    if build is None:
        raise HTTPException(status_code=404)
    lang = ui_language(user)
    now = clock.now()
    shown = build(session, now, lang)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*shown.columns, "worst"])
    for index, row in enumerate(shown.rows):
        marked = shown.marks[index] if shown.marks else set()
        worst = ";".join(shown.columns[c] for c in sorted(marked))
        writer.writerow([_cell(value) for value in row] + [worst])
    day = now.astimezone(get_settings().tz).date().isoformat()
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nalish-{table}-{day}.csv"'},
    )


def _cell(value: Any) -> Any:
    """A value for a spreadsheet: text that would start a formula is quoted with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
