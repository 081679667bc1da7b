"""A national surge on two cores: two uvicorn workers, 32 USSD sessions at once, one
in ten filing a complaint like its neighbours'.

Method. ``uvicorn nalish.app:create_app --factory --workers 2`` on a throw-away
PostgreSQL database (migrated and seeded by the ``nalish`` CLI) with its menu sessions
in real Redis (database 13, under a prefix unique to the run, deleted at the end);
mass-event grouping and duplicate flagging are on, as they are by default. wrk (a C
load generator, one connection per thread so each thread is one phone whose hops
arrive in order) runs ``bench/ussd_session_mix.lua``: each session a new phone; nine
in ten page the category list (dial, English, New complaint, More/Back: 10 hops), one
in ten files a water complaint in Badarganj, Rangpur, with a description like its
neighbours' (9 hops, the last one files it and must show a reference). After
``--warmup`` seconds unmeasured, ``--seconds`` are measured. Then every reference shown
in the measured window is looked up in the database.

Target (issue 19): at least 1,000 hops/s sustained for 60 s, no error, every shown
reference a ticket. Printed, never asserted; exit 0 unless the benchmark could not run.
This machine's 2 cores also run wrk, PostgreSQL, Redis and whatever else is running.

    .venv/bin/python bench/surge.py [--seconds 60] [--sessions 32] [--workers 2]
"""

from __future__ import annotations

import datetime
import os
import secrets
import sys
import tempfile
from pathlib import Path

import common
import ussd_hop
import wrk_mix

TARGET_HOPS, FILE_EVERY = 1000, 10


def main() -> int:
    parser = common.argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before")
    parser.add_argument("--sessions", type=int, default=32, help="concurrent USSD sessions")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    args = parser.parse_args()
    if not wrk_mix.available():
        raise SystemExit(wrk_mix.HOW_TO_GET_WRK)
    common.drop_database_on_sigterm()

    prefix = f"nalish-bench-{secrets.token_hex(4)}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("NALISH_")}
    with (
        tempfile.TemporaryDirectory(prefix="nalish-surge-") as tmp_name,
        common.postgres_database() as (database_url, database_name),
    ):
        ours_env = env | {
            "NALISH_ENV": "dev",
            "NALISH_COUNTRY": "BD",
            "NALISH_DATABASE_URL": database_url,
            "NALISH_REDIS_URL": ussd_hop.REDIS_URL,
            "NALISH_REDIS_PREFIX": prefix,
        }
        ussd_hop._nalish(ours_env, "db", "upgrade")
        ussd_hop._nalish(ours_env, "seed")
        target = ["nalish.app:create_app", "--factory"]
        log = Path(tmp_name) / "ours.log"
        try:
            with ussd_hop._uvicorn(target, ours_env, args.workers, log) as (url, pid):
                result = wrk_mix.run(
                    url + ussd_hop.USSD_PATH,
                    sessions=args.sessions,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    server_cpu=lambda: sum(ussd_hop._cpu_seconds(pid).values()),
                    file_every=FILE_EVERY,
                )
            tickets = _tickets_found(database_url, result.refs)
        finally:
            ussd_hop._delete_redis_keys(prefix)
    _report(args, result, tickets, database_name)
    return 0


def _tickets_found(database_url: str, refs: list[str]) -> int:
    """How many of the references shown are tickets (stored without the dash)."""
    import psycopg

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        row = connection.execute(
            "SELECT count(*) FROM ticket WHERE ref = ANY(%s)",
            ([ref.replace("-", "") for ref in refs],),
        ).fetchone()
    return row[0]


def _report(args, result: wrk_mix.WrkResult, tickets: int, database_name: str) -> None:
    now = datetime.datetime.now().astimezone()
    print(
        f"USSD surge, {now:%Y-%m-%d %H:%M %z}: {args.workers} uvicorn workers, "
        f"{args.sessions} sessions (wrk, one connection each), one in {FILE_EVERY} files a "
        f"complaint; {args.seconds:g} s measured after {args.warmup:g} s"
    )
    print(f"code: {common.ROOT} at {common.revision()}; on {database_name} and Redis")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print(f"hops/s            {result.rate:8.0f}   target >= {TARGET_HOPS}")
    print(f"p50 / p99 ms      {result.p50_ms:8.1f} / {result.p99_ms:.1f}")
    print(f"errors            {result.errors:8d}   target 0")
    if result.errors:
        print(f"  e.g. {result.example}")
    print(f"complaints filed  {result.filed:8d}   references that are tickets: {tickets}")
    print(
        f"server CPU        {result.server_cpu:8.0%} of a core, {result.cpu_per_hop_us:.0f} us/hop"
    )
    print(f"wrk CPU           {result.client_cpu:8.0%} of a core")
    if not result.rate >= TARGET_HOPS:
        print(f"TARGET MISSED: {result.rate:.0f} hops/s < {TARGET_HOPS}")
    if result.errors:
        print(f"TARGET MISSED: {result.errors} errors")
    if tickets != len(result.refs):
        print(f"TARGET MISSED: {len(result.refs) - tickets} references shown are no ticket")


if __name__ == "__main__":
    sys.exit(main())
