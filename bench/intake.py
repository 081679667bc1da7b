"""Rate of ticket intake, against a raw single-row insert transaction; and the time of a
routing decision with the rules cached.

Method. One process, one throw-away PostgreSQL database ``nalish_bench_<random>`` on
127.0.0.1:5432 (``--sqlite``: a temporary SQLite file), migrated with
``nalish.migrate.upgrade`` and seeded for Bangladesh with ``routing.seed``, then
dropped at the end, also on Ctrl-C or an error. No Redis and no job queue: the
acknowledgement SMS is written to the outbox and nothing sends it. Two loops share the
same SQLAlchemy engine (and so the same connection pool and server):

- raw: ``with engine.begin() as conn: conn.execute(INSERT ...)``, one row of
  (phone, body, created_at) into a table ``bench_raw`` made for the purpose: BEGIN,
  one INSERT, COMMIT. The floor of "one durable row" through this stack;
- ours: ``with session_scope() as session: routing.intake.file_grievance(...)``, as
  the USSD menu files a grievance: a ticket, its ``created`` event and the outbox row,
  committed together, plus everything else intake does (routing, the citizen row,
  flagging a likely duplicate, grouping into a mass event, assignment: nothing is
  stubbed).

The input is varied as a real day's would be: the district rotates over all the
seeded districts, the category over all active ones, the description is one of a set
of Bangla and English grievances (Bangla ones filed in Bangla), and the phone is a
new ``+88017…`` number most times and a citizen who filed before some times. The raw
loop inserts the same phones and descriptions.

The loops alternate, ``--rounds`` times ``--seconds`` each (raw, ours, raw, ours, …),
so noise on this shared machine lands on both; one unmeasured second of each comes
first. The table gives rows per second over all rounds, the median and p99 latency of
one transaction, and this process's CPU time per row (PostgreSQL's is not in it).

Second, ``routing.service.route()`` with its rules cached: after one warm call,
``--decisions`` decisions over varied districts, upazilas and categories in one
session, each timed; next to it, the same number of ``session.get(AdminArea, id)``
for objects already in the session's identity map, the cheapest thing a service can
ask a session for (no SQL): a floor that shows how much of a decision is the session.

Timings are printed, never asserted; the exit status is 0 unless the benchmark could
not run. Lines starting ``TARGET MISSED`` say which target was missed.

    .venv/bin/python bench/intake.py [--seconds S] [--rounds R] [--sqlite]
"""

from __future__ import annotations

import datetime
import itertools
import os
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import common
from common import ROOT

TARGET_RATIO = 0.3  # ours/raw rows per second (issue 4)
TARGET_ROUTE_US = 1000.0  # one routing decision with the rules cached

# Grievances as citizens phrase them; {place} is the district's name in that language.
BANGLA = (
    "{place} সদর হাসপাতালে রাতে কোনো ডাক্তার থাকে না, রোগী ফেরত পাঠানো হচ্ছে।",
    "আমাদের গ্রামের একমাত্র নলকূপ দুই সপ্তাহ ধরে নষ্ট, পুকুরের পানি খেতে হচ্ছে।",
    "{place} বাজারে তিন দিন ধরে বিদ্যুৎ নেই, ট্রান্সফরমার পুড়ে গেছে।",
    "বয়স্ক ভাতার কার্ড পেয়েছি কিন্তু ছয় মাস ধরে কোনো টাকা পাইনি।",
    "স্কুলের সামনের রাস্তায় বড় গর্ত, প্রতিদিন রিকশা উল্টে যাচ্ছে।",
    "ইউনিয়ন পরিষদের সচিব জন্মনিবন্ধনের জন্য পাঁচশো টাকা চাইছেন।",
    "আগামী শুক্রবার পাশের বাড়ির ১৪ বছরের মেয়ের বিয়ে দেওয়া হচ্ছে।",
    "ইটভাটা রাতে পুরনো টায়ার পোড়ায়, বাচ্চাদের শ্বাসকষ্ট হচ্ছে।",
    "{place} বাজারে মাছে ফরমালিন দেওয়া হচ্ছে, প্রতিদিন সকালে।",
    "জমির নামজারির আবেদন এক বছর ধরে ভূমি অফিসে পড়ে আছে।",
)
ENGLISH = (
    "No doctor at the {place} upazila health complex at night; patients are turned away.",
    "The tube well in our village has been broken for two weeks, we drink pond water.",
    "No electricity in {place} bazar for three days since the storm, the transformer burnt.",
    "I got the old age allowance card but no money for six months.",
    "Big potholes on the road by the primary school, a CNG overturned yesterday.",
    "The union parishad secretary asks 500 taka for a birth registration certificate.",
    "A 14 year old girl next door is being married off this Friday.",
    "The brick kiln near {place} burns old tyres at night and children are coughing.",
    "Teachers at the government primary school come two days a week.",
    "The land office has sat on my mutation application for a year.",
)


@dataclass
class Loop:
    """One kind of transaction, measured over several rounds."""

    name: str
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the measured rounds
    cpu: float = 0.0  # this process's CPU time in them
    round_rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")

    def percentile_ms(self, p: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return common.percentile(self.latencies, p) * 1e3

    @property
    def cpu_per_row_us(self) -> float:
        return self.cpu / len(self.latencies) * 1e6 if self.latencies else float("nan")


# ---------------------------------------------------------------- the database


def _prepare(url: str) -> dict[str, int]:
    from infra.db import session_scope
    from nalish import migrate
    from routing import seed

    migrate.upgrade(url)
    with session_scope() as session:
        return seed.seed(session=session, country="BD")


@dataclass(frozen=True)
class World:
    """What the seeded database offers to file against."""

    districts: list[tuple[int, str, str]]  # id, English name, Bangla name
    upazilas: dict[int, list[int]]  # district id -> its upazila ids
    categories: list[tuple[int, str]]  # id, code (active ones)


def _world() -> World:
    from sqlmodel import col, select

    from grievance_engine.models import AdminArea, AdminLevel, Category
    from infra.db import session_scope

    with session_scope() as session:
        districts = [
            (row[0], row[1], row[2] or row[1])
            for row in session.exec(
                select(AdminArea.id, AdminArea.name, AdminArea.name_local)
                .where(AdminArea.country == "BD", AdminArea.level == AdminLevel.DISTRICT)
                .order_by(col(AdminArea.id))
            )
        ]
        upazilas: dict[int, list[int]] = {}
        for upazila_id, parent_id in session.exec(
            select(AdminArea.id, AdminArea.parent_id).where(
                AdminArea.country == "BD", AdminArea.level == AdminLevel.UPAZILA
            )
        ):
            upazilas.setdefault(parent_id, []).append(upazila_id)
        categories = list(
            session.exec(
                select(Category.id, Category.code)
                .where(col(Category.active))
                .order_by(col(Category.sort_order))
            )
        )
    if not districts or not categories:
        raise SystemExit("the seed made no districts or categories: nothing to file against")
    return World(districts, upazilas, [tuple(row) for row in categories])


def _grievances(world: World, run: str):
    """Endless USSD confirmations, varied as a day's would be.

    Districts step by 7 (coprime with Bangladesh's 64) and categories by 5 (coprime with
    14), so neighbouring grievances differ in both. Three in four come from a new
    phone; the fourth from a citizen who filed earlier. Half are in Bangla.
    """
    from grievance_engine.models import Channel, TicketCreate

    base = 10_000_000 + secrets.randbelow(80_000_000)  # a fresh block of numbers per run
    for n in itertools.count():
        district_id, name, name_bn = world.districts[(n * 7) % len(world.districts)]
        _, code = world.categories[(n * 5) % len(world.categories)]
        earlier = n - n // 4  # citizens met so far
        citizen = earlier if n % 4 != 3 else (n * 2654435761) % earlier
        phone = f"+88017{(base + citizen) % 100_000_000:08d}"
        if n % 2:
            language, text = "bn", BANGLA[(n // 2) % len(BANGLA)].format(place=name_bn)
        else:
            language, text = "en", ENGLISH[(n // 2) % len(ENGLISH)].format(place=name)
        yield TicketCreate(
            phone=phone,
            category_code=code,
            district_id=district_id,
            channel=Channel.USSD,
            language=language,
            description=text,
            source_key=f"ussd:bench-{run}-{n}",  # what the menu passes: its session key
        )


# ---------------------------------------------------------------- the two loops


def _raw_loop(engine, inputs):
    """Each call: BEGIN; INSERT one row into bench_raw; COMMIT."""
    from sqlalchemy import text

    from infra import clock

    statement = text("INSERT INTO bench_raw (phone, body, created_at) VALUES (:p, :b, :c)")

    def one() -> None:
        ticket_in = next(inputs)
        with engine.begin() as connection:
            connection.execute(
                statement, {"p": ticket_in.phone, "b": ticket_in.description, "c": clock.now()}
            )

    return one


def _intake_loop(inputs):
    """Each call: one intake, as a channel files it, in its own transaction."""
    from infra.db import session_scope
    from routing import intake

    def one() -> None:
        ticket_in = next(inputs)
        with session_scope() as session:
            intake.file_grievance(session=session, ticket_in=ticket_in)

    return one


def _create_raw_table(engine) -> None:
    from sqlalchemy import text

    key = (
        "id INTEGER PRIMARY KEY AUTOINCREMENT"
        if engine.dialect.name == "sqlite"
        else "id bigserial PRIMARY KEY"
    )
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE bench_raw ({key}, phone text, body text, created_at timestamptz)")
        )


def _run(loop: Loop | None, one, seconds: float) -> None:
    """Call `one` for `seconds`; record each call in `loop` (None: warm-up only)."""
    latencies = []
    cpu0, start = time.process_time(), time.perf_counter()
    end_at = start + seconds
    now = start
    while now < end_at:
        one()
        ended = time.perf_counter()
        latencies.append(ended - now)
        now = ended
    if loop is not None:
        wall = now - start
        loop.latencies.extend(latencies)
        loop.seconds += wall
        loop.cpu += time.process_time() - cpu0
        loop.round_rates.append(len(latencies) / wall)


# ---------------------------------------------------------------- routing


@dataclass
class Timing:
    name: str
    samples_ns: list[int]

    @property
    def mean_us(self) -> float:
        return statistics.fmean(self.samples_ns) / 1e3

    def percentile_us(self, p: int) -> float:
        return common.percentile(self.samples_ns, p) / 1e3


def _routing(world: World, decisions: int) -> tuple[Timing, Timing, int]:
    """route() with the rules cached, and session.get of identity-mapped areas."""
    from grievance_engine.models import AdminArea
    from infra.db import session_scope
    from routing import service as routing_service

    cases = []
    for n in range(decisions):
        district_id = world.districts[(n * 7) % len(world.districts)][0]
        category_id = world.categories[(n * 5) % len(world.categories)][0]
        upazilas = world.upazilas.get(district_id) or [None]
        upazila_id = upazilas[n % len(upazilas)] if n % 3 else None  # a third without
        cases.append((district_id, category_id if n % 7 else None, upazila_id))
    clock = time.perf_counter_ns
    with session_scope() as session:
        routing_service.route(session=session, district_id=cases[0][0], category_id=None)
        routed = []
        for district_id, category_id, upazila_id in cases:
            began = clock()
            decision = routing_service.route(
                session=session,
                district_id=district_id,
                category_id=category_id,
                upazila_id=upazila_id,
            )
            routed.append(clock() - began)
            if decision.office_id is None:  # routed nowhere: the loop would measure nothing
                raise SystemExit(f"no office for {district_id, category_id, upazila_id}")
        # Load every district into the identity map, and hold on to them: the map keeps
        # only weak references, so a dropped object would be fetched again.
        held = [session.get(AdminArea, district_id) for district_id, _, _ in world.districts]
        got = []
        for district_id, _, _ in cases:
            began = clock()
            session.get(AdminArea, district_id)
            got.append(clock() - began)
        del held
    return (
        Timing("route() with the rules cached", routed),
        Timing("session.get(AdminArea), identity map", got),
        len({case[0] for case in cases}),
    )


# ---------------------------------------------------------------- report


def _counts(engine) -> tuple[dict[str, int], dict[str, int]]:
    """Rows in the tables intake writes, and the ticket events by type: what intake did."""
    from sqlalchemy import column, func, select, table

    names = {
        "tickets": "ticket",
        "events": "ticket_event",
        "outbox": "notification",
        "citizens": "citizen",
        "raw rows": "bench_raw",
    }
    by_type = select(column("type"), func.count()).select_from(table("ticket_event"))
    with engine.connect() as connection:
        counts = {
            label: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for label, name in names.items()
        }
        kinds = connection.execute(by_type.group_by(column("type")).order_by(column("type")))
        return counts, dict(kinds.all())


def _report(args, database_name, seeded, raw: Loop, ours: Loop, counts, routing) -> None:
    now = datetime.datetime.now().astimezone()
    print(
        f"Intake benchmark, {now:%Y-%m-%d %H:%M %z}: {args.rounds} rounds of "
        f"{args.seconds:g} s per loop, alternating (raw, ours, …), after 1 s warm-up each"
    )
    print(f"code: {ROOT} at {common.revision()}; on {database_name}, one connection at a time")
    print("seeded: " + ", ".join(f"{key} {value}" for key, value in seeded.items()))
    print(f"This process and the database share this machine's {os.cpu_count()} cores.\n")
    print(
        f"{'loop':<52} {'rows/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU us':>7} {'busy':>5}  "
        "rows/s by round"
    )
    for loop in (raw, ours):
        rounds = " ".join(f"{rate:.0f}" for rate in loop.round_rates)
        print(
            f"{loop.name:<52} {loop.rate:>7.0f} {loop.percentile_ms(50):>7.2f} "
            f"{loop.percentile_ms(99):>7.2f} {loop.cpu_per_row_us:>7.0f} "
            f"{loop.cpu / loop.seconds:>5.0%}  {rounds}"
        )
    database = "SQLite's work is in it" if args.sqlite else "PostgreSQL's is not in it"
    print(
        f"CPU us = this process's CPU time per transaction ({database}); busy = that CPU\n"
        "time as a share of the wall time: near 100%, this Python process sets the pace"
    )
    print(
        "rows written (the whole database, seed and warm-up included): "
        + ", ".join(f"{key} {value}" for key, value in counts[0].items())
    )
    print("ticket events by type: " + ", ".join(f"{k} {v}" for k, v in counts[1].items()))
    ratio = ours.rate / raw.rate if raw.rate else float("nan")
    by_round = sorted(o / r for o, r in zip(ours.round_rates, raw.round_rates, strict=True))
    print(f"\nratio ours/raw (rows/s): {ratio:.2f}   target >= {TARGET_RATIO}")
    print(f"  by round: {by_round[0]:.2f} … {by_round[-1]:.2f}")

    routed, got, distinct = routing
    print(
        f"\nrouting: {len(routed.samples_ns)} decisions over {distinct} districts, with and "
        "without upazila and category, one session, after one warm call"
    )
    print(f"{'':<52} {'mean us':>8} {'p50 us':>8} {'p99 us':>8} {'max us':>8}")
    for timing in (routed, got):
        print(
            f"{timing.name:<52} {timing.mean_us:>8.1f} {timing.percentile_us(50):>8.1f} "
            f"{timing.percentile_us(99):>8.1f} {max(timing.samples_ns) / 1e3:>8.1f}"
        )
    print(
        f"ratio route()/session.get (mean): {routed.mean_us / got.mean_us:.1f}   "
        f"target: a decision under {TARGET_ROUTE_US:g} us"
    )

    if not ratio >= TARGET_RATIO:
        print(f"TARGET MISSED: ours/raw intake rate {ratio:.2f} < {TARGET_RATIO}")
    for label, value in (("mean", routed.mean_us), ("p99", routed.percentile_us(99))):
        if not value < TARGET_ROUTE_US:
            print(f"TARGET MISSED: routing decision {label} {value:.0f} us >= {TARGET_ROUTE_US:g}")


def main() -> int:
    parser = common.argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=3, help="measured seconds per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each loop, alternating")
    parser.add_argument(
        "--decisions", type=int, default=20_000, help="routing decisions timed (and gets)"
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL"
    )
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds <= 0 or args.decisions < 100:
        parser.error("need --rounds >= 1, --seconds > 0 and --decisions >= 100")
    common.drop_database_on_sigterm()

    with (
        tempfile.TemporaryDirectory(prefix="nalish-bench-") as tmp_name,
        common.database(args.sqlite, Path(tmp_name)) as (url, database_name),
    ):
        common.point_settings_at(url)
        from infra.db import get_engine

        seeded = _prepare(url)
        world = _world()
        engine = get_engine()
        _create_raw_table(engine)
        run = secrets.token_hex(3)
        raw_one = _raw_loop(engine, _grievances(world, run))
        ours_one = _intake_loop(_grievances(world, run))
        _run(None, raw_one, 1.0)
        _run(None, ours_one, 1.0)
        raw = Loop("raw: BEGIN; INSERT one row; COMMIT")
        ours = Loop("ours: file_grievance (ticket+event+outbox), commit")
        for _ in range(args.rounds):
            _run(raw, raw_one, args.seconds)
            _run(ours, ours_one, args.seconds)
        counts = _counts(engine)
        routing = _routing(world, args.decisions)

    _report(args, database_name, seeded, raw, ours, counts, routing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
