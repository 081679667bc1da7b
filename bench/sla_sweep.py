"""The SLA sweep over a million open tickets: escalating the ones past their deadline,
and a sweep with nothing due; against the bare indexed query that finds due tickets.

Method. One process, one throw-away PostgreSQL database ``nalish_bench_<random>`` on
127.0.0.1:5432, migrated with ``nalish.migrate.upgrade``, seeded for Bangladesh
(``routing.seed`` and ``escalation.catalogue.seed``: gazetteer, offices, SLA policies,
holidays) and dropped at the end, also on Ctrl-C or an error (``--keep`` keeps it).
No Redis and no job queue: outbox rows are written and nothing sends them.

The data is written with COPY, not the ORM (it takes a few minutes at the default size):

- ``--citizens`` citizens (``INSERT … SELECT … FROM generate_series``);
- officers with phones: two at each divisional office and at the national desk (the
  rungs tickets escalate to; one speaks Bangla and English, one Bangla), one at each
  district office;
- ``--tickets`` open tickets (status ``new``, unassigned), spread over the 64 district
  offices, the active categories, Bangla and English; each with a valid reference
  (``grievance_engine.refs``), a ``created`` event whose hash is computed by
  ``grievance_engine.events.compute_hash`` (what ``hash_of`` computes), and that hash
  as the ticket's chain head (``event_count`` 1). ``--due`` of them, evenly spread,
  have ``sla_due_at`` in the ten minutes before the sweep's clock; every other
  deadline (and reminder) lies between one hour and 30 days after it. Deadlines are
  drawn, not computed from the policies.
- then ``VACUUM ANALYZE``, as a database in service would have been.

The clock is Tuesday 1 December 2026, 10:00 in Dhaka: a working day, outside quiet
hours, so each due ticket climbs one rung (district → division; the division's new
deadline is a working day later). Measured, in this order:

1. baseline: the bare indexed query a sweep batch starts from, ``SELECT id FROM ticket
   WHERE sla_due_at <= :now ORDER BY sla_due_at LIMIT 200``, on its own connection,
   ``--runs`` times while the tickets are due (it returns 200 rows);
2. one ``escalation.sweep.run(now=…)`` escalating all of them (after one warm-up sweep
   an hour earlier, with nothing due, as the worker's previous minute would be); then
   checked: exactly the due tickets moved, each one rung with its citizen's SMS, their
   audit chains verify, and no other ticket changed;
3. ``--runs`` sweeps with nothing due, alternating with the bare query (now returning
   no rows).

Ratios: a sweep batch (200 escalations) against the bare query that selects it; a sweep
with nothing due (three such queries, in three transactions: escalations, reminders,
unrated resolutions) against one bare query.

Timings are printed, never asserted; the exit status is 0 unless the benchmark could
not run. Lines starting ``TARGET MISSED`` say which target was missed.

    .venv/bin/python bench/sla_sweep.py [--tickets N] [--due D] [--keep]
"""

from __future__ import annotations

import datetime
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import common
from common import ROOT

sys.path.insert(0, str(ROOT))  # run as a script from anywhere
TARGET_SECONDS = 5.0  # escalate all 10,000 due of 1,000,000 (issue 19; was 30 s)
TARGET_EMPTY_MS = 10.0  # a sweep with nothing due (issue 19; 50 ms in issue 6)
TARGET_TICKETS, TARGET_DUE = 1_000_000, 10_000
# The sweep's clock: Tuesday 1 December 2026, 10:00 in Dhaka (a working day).
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Dhaka"))
CHUNK = 50_000  # tickets per COPY round trip (and progress line)
BARE_QUERY = "SELECT id FROM ticket WHERE sla_due_at <= %(now)s ORDER BY sla_due_at LIMIT 200"

DESCRIPTIONS = {
    "en": (
        "The tube well in our village has been broken for two weeks, we drink pond water.",
        "No electricity in the bazar for three days since the storm, the transformer burnt.",
        "I got the old age allowance card but no money for six months.",
        "Big potholes on the road by the primary school, a CNG overturned yesterday.",
    ),
    "bn": (
        "আমাদের গ্রামের একমাত্র নলকূপ দুই সপ্তাহ ধরে নষ্ট, পুকুরের পানি খেতে হচ্ছে।",
        "বয়স্ক ভাতার কার্ড পেয়েছি কিন্তু ছয় মাস ধরে কোনো টাকা পাইনি।",
        "স্কুলের সামনের রাস্তায় বড় গর্ত, প্রতিদিন রিকশা উল্টে যাচ্ছে।",
        "জমির নামজারির আবেদন এক বছর ধরে ভূমি অফিসে পড়ে আছে।",
    ),
}


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------- the database


def _point_settings_at(url: str) -> None:
    """The common bench settings, on Dhaka's clock; escalation's hooks installed, as
    `nalish worker` does, so escalated tickets keep their clock."""
    common.point_settings_at(url, NALISH_TIMEZONE="Asia/Dhaka")
    from escalation import deadlines

    deadlines.install()


def _libpq(database: str) -> str:
    return f"host=127.0.0.1 port=5432 user=postgres dbname={database}"


# ---------------------------------------------------------------- seeding


@dataclass(frozen=True)
class World:
    offices: list[tuple[int, int]]  # district offices: (office id, district id)
    categories: list[tuple[int, str]]  # active categories: (id, code)
    district_names: dict[int, str]


def _seed_reference_data(url: str) -> dict[str, int]:
    from escalation import catalogue
    from infra.db import session_scope
    from nalish import migrate
    from routing import seed

    migrate.upgrade(url)
    with session_scope() as session:
        counts = seed.seed(session=session, country="BD")
        counts.update(catalogue.seed(session, "BD"))
    return counts


def _world() -> World:
    from sqlmodel import col, select

    from grievance_engine.models import AdminArea, Category, Office, OfficeLevel
    from infra.db import session_scope

    with session_scope() as session:
        offices = list(
            session.exec(
                select(Office.id, Office.area_id)
                .where(Office.level == OfficeLevel.DISTRICT, col(Office.active))
                .order_by(col(Office.id))
            )
        )
        categories = list(
            session.exec(
                select(Category.id, Category.code)
                .where(col(Category.active))
                .order_by(col(Category.sort_order))
            )
        )
        names = dict(session.exec(select(AdminArea.id, AdminArea.name)).all())
    return World([tuple(o) for o in offices], [tuple(c) for c in categories], names)


def _seed_people(connection, citizens: int) -> tuple[int, int]:
    """Citizens by generate_series; officers with phones. Returns (first citizen id,
    officers)."""
    connection.execute(
        """
        INSERT INTO citizen (phone, language, opted_out, created_at)
        SELECT '+88017' || lpad((30000000 + n)::text, 8, '0'),
               CASE WHEN n %% 2 = 0 THEN 'bn' ELSE 'en' END, false, %(at)s
        FROM generate_series(1, %(count)s) AS n
        """,
        {"count": citizens, "at": NOW - datetime.timedelta(days=60)},
    )
    first = connection.execute("SELECT min(id) FROM citizen").fetchone()[0]
    # Two officers at each rung a ticket escalates to, one at each district office.
    officers = connection.execute(
        """
        INSERT INTO app_user (email, full_name, role, password_hash, office_id, phone,
                              language, languages, queues, away, active, created_at)
        SELECT o.code || '.' || k || '@bench.example.org', o.name, 'officer', 'x', o.id,
               '+88018' || lpad((o.id * 4 + k)::text, 8, '0'),
               CASE WHEN k = 1 THEN 'en' ELSE 'bn' END,
               CASE WHEN k = 1 THEN '["bn", "en"]' ELSE '["bn"]' END::json,
               '[]'::json, false, true, %(at)s
        FROM office o
        CROSS JOIN generate_series(1, 2) AS k
        WHERE o.active AND (o.level IN ('division', 'national') OR (o.level = 'district'
              AND k = 1))
        """,
        {"at": NOW - datetime.timedelta(days=365)},
    ).rowcount
    return first, officers


def _seed_tickets(database: str, world: World, tickets: int, due: int, citizens: int) -> list[int]:
    """COPY `tickets` open tickets and their `created` events; returns the due ids."""
    import psycopg

    from grievance_engine import events

    step = tickets // due
    due_ids = [1 + i * step for i in range(due)]
    due_rank = {ticket_id: i for i, ticket_id in enumerate(due_ids)}
    rng = random.Random(6)
    seen: set[str] = set()
    ticket_columns = (
        "id, ref, status, category_id, district_id, office_id, queue, citizen_id, channel, "
        "language, description, anonymous, priority, sla_target, sla_due_at, sla_started_at, "
        "reminder_due_at, description_truncated, escalation_level, event_count, "
        "last_event_hash, created_at, updated_at"
    )
    event_columns = "id, ticket_id, type, at, actor, data, seq, prev_hash, hash"
    started = time.perf_counter()
    with psycopg.connect(_libpq(database)) as connection:
        first_citizen = connection.execute("SELECT min(id) FROM citizen").fetchone()[0]
        for chunk_start in range(1, tickets + 1, CHUNK):
            ticket_rows, event_rows = [], []
            for ticket_id in range(chunk_start, min(chunk_start + CHUNK, tickets + 1)):
                ref = _new_ref(rng, seen)
                office_id, district_id = world.offices[(ticket_id * 7) % len(world.offices)]
                category_id, code = world.categories[(ticket_id * 5) % len(world.categories)]
                language = "bn" if ticket_id % 2 else "en"
                rank = due_rank.get(ticket_id)
                if rank is not None:  # due in the ten minutes before the sweep
                    due_at = NOW - datetime.timedelta(seconds=1 + rank % 600)
                    created = due_at - datetime.timedelta(days=1)
                    reminder = None  # sent already
                else:
                    ahead = 3600 + (ticket_id * 7919) % (30 * 86400)
                    due_at = NOW + datetime.timedelta(seconds=ahead)
                    created = NOW - datetime.timedelta(seconds=(ticket_id * 104729) % 86400 * 20)
                    reminder = NOW + datetime.timedelta(seconds=ahead * 3 // 4)
                created = created.astimezone(datetime.UTC)
                data = {
                    "channel": "ussd",
                    "category": code,
                    "district": world.district_names[district_id],
                    "office_id": office_id,
                    "queue": "default",
                    "description_truncated": False,
                }
                digest = events.compute_hash(
                    ticket_id=ticket_id,
                    ref=ref,
                    seq=1,
                    type="created",
                    at=created,
                    actor="citizen:ussd",
                    data=data,
                    prev_hash=events.GENESIS,
                )
                texts = DESCRIPTIONS[language]
                ticket_rows.append(
                    (ticket_id, ref, "new", category_id, district_id, office_id, "default",
                     first_citizen + ticket_id % citizens, "ussd", language,
                     texts[ticket_id % len(texts)], False, "normal", "acknowledge", due_at,
                     created, reminder, False, 0, 1, digest, created, created)
                )  # fmt: skip
                event_rows.append(
                    (ticket_id, ticket_id, "created", created, "citizen:ussd",
                     json.dumps(data, ensure_ascii=False), 1, events.GENESIS, digest)
                )  # fmt: skip
            with connection.cursor() as cursor:
                with cursor.copy(f"COPY ticket ({ticket_columns}) FROM STDIN") as copy:
                    for row in ticket_rows:
                        copy.write_row(row)
                with cursor.copy(f"COPY ticket_event ({event_columns}) FROM STDIN") as copy:
                    for row in event_rows:
                        copy.write_row(row)
            connection.commit()
            done = min(chunk_start + CHUNK - 1, tickets)
            rate = done / (time.perf_counter() - started)
            say(f"  tickets {done:>9,} of {tickets:,} ({rate:,.0f}/s)")
        # The ids were given explicitly: move the sequences past them.
        connection.execute("SELECT setval(pg_get_serial_sequence('ticket', 'id'), %s)", [tickets])
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('ticket_event', 'id'), %s)", [tickets]
        )
        connection.commit()
    return due_ids


def _new_ref(rng: random.Random, seen: set[str]) -> str:
    """A reference as `refs.generate()` makes one (seeded, so runs repeat), never reused."""
    from grievance_engine import refs

    while True:
        body = "".join(rng.choices(refs.ALPHABET, k=refs.BODY_LENGTH))
        ref = body + refs.check_character(body)
        if ref not in seen:
            seen.add(ref)
            return ref


def _vacuum(database: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(database), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


# ---------------------------------------------------------------- measuring


def _bare(connection) -> tuple[float, int]:
    """One bare due-ticket query in its own transaction: (seconds, rows)."""
    began = time.perf_counter()
    with connection.transaction():
        rows = connection.execute(BARE_QUERY, {"now": NOW}).fetchall()
    return time.perf_counter() - began, len(rows)


@dataclass
class Snapshot:
    """What the database holds that the sweep may change."""

    tickets: int
    open_tickets: int
    events: int
    sms: dict[str, int]
    moved: set[int]  # tickets with more than their `created` event
    still_due: int


def _snapshot(connection) -> Snapshot:
    one = lambda sql, params=None: connection.execute(sql, params).fetchone()[0]  # noqa: E731
    return Snapshot(
        tickets=one("SELECT count(*) FROM ticket"),
        open_tickets=one(
            "SELECT count(*) FROM ticket WHERE status IN "
            "('new', 'assigned', 'in_progress', 'escalated', 'awaiting_citizen', 'reopened')"
        ),
        events=one("SELECT count(*) FROM ticket_event"),
        sms=dict(connection.execute("SELECT kind, count(*) FROM notification GROUP BY kind")),
        moved={row[0] for row in connection.execute("SELECT id FROM ticket WHERE event_count > 1")},
        still_due=one("SELECT count(*) FROM ticket WHERE sla_due_at <= %(now)s", {"now": NOW}),
    )


def _check_moved(connection, due_ids: list[int], before: Snapshot, after: Snapshot) -> list[str]:
    """Problems with what the sweep did; empty when exactly the due tickets moved one
    rung each, each with its citizen's SMS, and their chains verify."""
    from sqlmodel import Session, col, select

    from grievance_engine import audit
    from grievance_engine.models import Ticket, TicketEvent
    from infra.db import get_engine

    problems = []
    due = set(due_ids)
    if after.moved != due:
        problems.append(
            f"{len(after.moved - due)} tickets moved that were not due, "
            f"{len(due - after.moved)} due tickets did not move"
        )
    rows = connection.execute(
        "SELECT t.status, t.escalation_level, o.level, count(*) FROM ticket t "
        "JOIN office o ON o.id = t.office_id WHERE t.event_count > 1 "
        "GROUP BY 1, 2, 3"
    ).fetchall()
    if rows != [("escalated", 1, "division", len(due))]:
        problems.append(f"moved tickets by (status, level, office level): {rows}")
    unmoved = connection.execute(
        "SELECT count(*) FROM ticket WHERE event_count = 1 AND (status <> 'new' "
        "OR escalation_level <> 0 OR sla_due_at <= %(now)s)",
        {"now": NOW},
    ).fetchone()[0]
    if unmoved:
        problems.append(f"{unmoved} tickets that did not move changed status or deadline")
    told = after.sms.get("escalated", 0) - before.sms.get("escalated", 0)
    if told != len(due):
        problems.append(f"{told} citizens' 'escalated' SMS for {len(due)} escalations")
    if after.still_due:
        problems.append(f"{after.still_due} tickets still past their deadline")
    # The moved tickets' audit chains, checked as `nalish audit verify` checks them.
    with Session(get_engine()) as session:
        ids = sorted(due)
        for start in range(0, len(ids), 1000):
            batch = ids[start : start + 1000]
            heads = session.exec(
                select(Ticket.id, Ticket.ref, Ticket.event_count, Ticket.last_event_hash).where(
                    col(Ticket.id).in_(batch)
                )
            ).all()
            chains: dict[int, list[TicketEvent]] = {row[0]: [] for row in heads}
            for event in session.exec(
                select(TicketEvent)
                .where(col(TicketEvent.ticket_id).in_(batch))
                .order_by(col(TicketEvent.ticket_id), col(TicketEvent.seq))
            ):
                chains[event.ticket_id].append(event)
            for ticket_id, ref, count, last_hash in heads:
                check = audit._check(ref, chains[ticket_id], count, last_hash)
                problems.extend(f"audit: {p.ref} seq {p.seq}: {p.problem}" for p in check.problems)
            session.expunge_all()
    return problems[:20]


# ---------------------------------------------------------------- main


def main() -> int:
    parser = common.argument_parser(__doc__)
    parser.add_argument("--tickets", type=int, default=TARGET_TICKETS, help="open tickets")
    parser.add_argument("--due", type=int, default=TARGET_DUE, help="of them past their deadline")
    parser.add_argument("--citizens", type=int, default=200_000, help="citizens filing them")
    parser.add_argument(
        "--runs", type=int, default=50, help="timed sweeps with nothing due, and bare queries"
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="write a cProfile (CPU time) of the escalating sweep to FILE",
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if not 1 <= args.due <= args.tickets or args.citizens < 1 or args.runs < 2:
        parser.error("need 1 <= --due <= --tickets, --citizens >= 1 and --runs >= 2")
    common.drop_database_on_sigterm()

    import psycopg

    with common.postgres_database(keep=args.keep) as (url, database):
        _point_settings_at(url)
        from escalation import sweep

        say(f"SLA sweep benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
        say(f"code: {ROOT} at {common.revision()}; database {database}; {os.cpu_count()} cores")
        say(f"seeding: {args.tickets:,} open tickets, {args.due:,} due, {args.citizens:,} citizens")
        seeding = time.perf_counter()
        counts = _seed_reference_data(url)
        world = _world()
        with psycopg.connect(_libpq(database)) as connection:
            _, officers = _seed_people(connection, args.citizens)
        say(
            f"  reference data: {counts['offices']} offices, {len(world.categories)} active "
            f"categories, {counts['policies']} SLA policies, {counts['holidays']} holidays; "
            f"{officers} officers"
        )
        due_ids = _seed_tickets(database, world, args.tickets, args.due, args.citizens)
        say("  VACUUM ANALYZE …")
        _vacuum(database)
        say(f"seeded in {time.perf_counter() - seeding:.0f} s\n")

        with psycopg.connect(_libpq(database), autocommit=True) as connection:
            before = _snapshot(connection)
            due_bare = [_bare(connection) for _ in range(args.runs)]

            sweep.run(now=NOW - datetime.timedelta(hours=1))  # warm-up: nothing due then
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile(time.process_time)  # CPU: not the waits
                profiler.enable()
            cpu0, began = time.process_time(), time.perf_counter()
            result = sweep.run(now=NOW)
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu0
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            after = _snapshot(connection)
            problems = _check_moved(connection, due_ids, before, after)

            empty, empty_bare = [], []
            for _ in range(args.runs):
                began = time.perf_counter()
                nothing = sweep.run(now=NOW)
                empty.append(time.perf_counter() - began)
                if nothing.escalated or nothing.reminded or nothing.closed:
                    problems.append(f"a sweep with nothing due did something: {nothing}")
                empty_bare.append(_bare(connection)[0])

    _report(args, before, after, result, seconds, cpu, due_bare, empty, empty_bare, problems)
    return 0


def _report(args, before, after, result, seconds, cpu, due_bare, empty, empty_bare, problems):
    batches = -(-args.due // sweep_batch())
    sms = {kind: after.sms.get(kind, 0) - before.sms.get(kind, 0) for kind in after.sms}
    officer_sms = sum(count for kind, count in sms.items() if kind.startswith("officer_"))
    due_ms = statistics.median(t for t, _ in due_bare) * 1e3
    due_rows = due_bare[0][1]
    empty_ms = [t * 1e3 for t in empty]
    empty_bare_ms = statistics.median(empty_bare) * 1e3
    say(
        f"\nopen tickets: {before.open_tickets:,} before the sweep ({before.events:,} events); "
        f"{after.open_tickets:,} after"
    )
    say(
        f"escalating sweep: {result.escalated:,} of {args.due:,} due tickets escalated in "
        f"{seconds:.2f} s ({result.escalated / seconds:,.0f} tickets/s, {batches} batches); "
        f"this process's CPU {cpu:.2f} s ({cpu / seconds:.0%} of the wall time)"
    )
    say(
        f"  rungs {result.rungs:,}, past the top {result.breached_at_top}, events written "
        f"{after.events - before.events:,}, SMS written: citizens "
        f"{sms.get('escalated', 0):,}, officers {officer_sms:,} "
        f"(sweep result: officer_messages {result.officer_messages})"
    )
    say(
        f"  per ticket {seconds / max(result.escalated, 1) * 1e3:.2f} ms; "
        f"per batch of {sweep_batch()} {seconds / batches * 1e3:.0f} ms"
    )
    if problems:
        for problem in problems:
            say(f"  CHECK FAILED: {problem}")
    else:
        say(
            f"  checked: exactly the {args.due:,} due tickets moved, one rung each, to their "
            "divisional office, each citizen told once; their audit chains verify; no "
            "other ticket changed"
        )
    say(
        f"sweep with nothing due ({args.runs} runs): median {statistics.median(empty_ms):.2f} ms, "
        f"p99 {common.percentile(empty_ms, 99):.2f} ms, max {max(empty_ms):.2f} ms"
    )
    say(
        f"bare indexed query ({args.runs} runs each): {due_ms:.2f} ms returning {due_rows} rows "
        f"(tickets due), {empty_bare_ms:.2f} ms returning none"
    )
    say(
        f"ratio sweep batch / bare query selecting it: {seconds / batches * 1e3 / due_ms:.0f}; "
        f"sweep with nothing due / bare query: "
        f"{statistics.median(empty_ms) / empty_bare_ms:.1f} (medians)"
    )
    say(
        f"target (at {TARGET_TICKETS:,} tickets, {TARGET_DUE:,} due): escalate all within "
        f"{TARGET_SECONDS:g} s; nothing due under {TARGET_EMPTY_MS:g} ms"
    )
    if (args.tickets, args.due) != (TARGET_TICKETS, TARGET_DUE):
        say(f"  (this run: {args.tickets:,} tickets, {args.due:,} due: not the target's size)")
    if result.escalated != args.due:
        say(f"TARGET MISSED: {result.escalated:,} of {args.due:,} due tickets escalated")
    if not seconds < TARGET_SECONDS:
        say(f"TARGET MISSED: escalating sweep took {seconds:.1f} s >= {TARGET_SECONDS:g}")
    if not common.percentile(empty_ms, 99) < TARGET_EMPTY_MS:
        say(
            f"TARGET MISSED: sweep with nothing due p99 {common.percentile(empty_ms, 99):.1f} ms "
            f">= {TARGET_EMPTY_MS:g}"
        )


def sweep_batch() -> int:
    from escalation import sweep

    return sweep.BATCH


if __name__ == "__main__":
    raise SystemExit(main())
