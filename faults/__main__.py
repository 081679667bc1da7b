"""`python -m faults`: replay issue 12's failures against a stack of the suite's own.

Starts its own PostgreSQL and Redis on free ports (never the shared 5432/6379), a fake
Kannel-style SMS gateway, `nalish serve` and `nalish worker`; runs each scenario
(faults/scenario_<name>.py) against them over real HTTP; prints a Markdown table of
what was measured against each target, writes it to --output, and exits 1 if any
target was missed (a latency is shown against its target but never fails the run).
Everything started is stopped at the end, also on an error or Ctrl-C. See
faults/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from faults import stack as stacks
from faults.figures import Figure, table

# In the order they run: the ones that kill servers come after the ones that need a
# quiet stack, and each leaves the stack running for the next.
SCENARIOS = (
    "surge",
    "confirming_retries",
    "api_retries",
    "sweepers",
    "logins",
    "hostile",
    "sms_flood",
    "ssrf",
    "kannel",
    "redis_killed",
    "postgres_restarted",
    "worker_killed",
)
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "last-run.md"


def _revision() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        cwd=stacks.ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or "unknown revision"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m faults",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIOS,
        metavar="NAME",
        help="run only this scenario (repeatable); one of: " + ", ".join(SCENARIOS),
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the Markdown table as well (default: faults/last-run.md)",
    )
    parser.add_argument(
        "--surge-seconds",
        type=float,
        default=30.0,
        help="length of the surge's sustained run of 20 callers (default: 30)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory with the servers' logs, and print where",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the scenarios with what each checks, and exit"
    )
    return parser


def _run_one(module, stack: stacks.Stack) -> list[Figure]:
    name = module.__name__.removeprefix("faults.scenario_")
    try:
        return module.run(stack)
    except Exception as exc:  # a scenario that crashes is a missed target, not a stop
        traceback.print_exc()
        crash = f"{type(exc).__name__}: {exc}"[:200]
        return [Figure(name, "scenario crashed", crash, "runs", False)]


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        for name in SCENARIOS:
            doc = importlib.import_module(f"faults.scenario_{name}").__doc__ or ""
            print(doc.strip().splitlines()[0] if doc.strip() else name)
        return 0
    # a CI timeout's SIGTERM unwinds like Ctrl-C, so the servers started are stopped
    signal.signal(signal.SIGTERM, _interrupt)
    names = [n for n in SCENARIOS if not args.only or n in args.only]
    # imported before any server starts: a scenario that cannot load fails at once
    modules = {n: importlib.import_module(f"faults.scenario_{n}") for n in names}
    figures: list[Figure] = []
    began = time.monotonic()
    try:
        with stacks.running(keep=args.keep, surge_seconds=args.surge_seconds) as stack:
            print(
                f"stack up: app {stack.base_url}, PostgreSQL :{stack.postgres.port}, "
                f"Redis :{stack.redis.port}",
                file=sys.stderr,
            )
            for name in names:
                started = time.monotonic()
                print(f"-- {name}", file=sys.stderr, flush=True)
                found = _run_one(modules[name], stack)
                for figure in found:
                    print(
                        f"   {figure.what}: {figure.measured} (target {figure.target}) "
                        f"{figure.mark}",
                        file=sys.stderr,
                        flush=True,
                    )
                print(f"   {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
                figures += found
    except KeyboardInterrupt:
        print("interrupted; everything started was stopped", file=sys.stderr)
        return 130
    now = datetime.datetime.now(datetime.UTC)
    header = (
        f"Fault suite at {_revision()}, {now:%Y-%m-%d %H:%M} UTC, "
        f"{time.monotonic() - began:.0f} s in all"
    )
    text = f"{header}\n\n{table(figures)}\n"
    print("\n" + text)
    args.output.write_text(text)
    slow = [f for f in figures if f.timed and f.ok is False]
    if slow:
        print(f"{len(slow)} latency target(s) missed (shown, not failing)", file=sys.stderr)
    missed = [f for f in figures if f.missed]
    if missed:
        print(f"{len(missed)} target(s) missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
