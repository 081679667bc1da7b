"""Throughput and latency of a mid-conversation USSD hop, against a bare endpoint.

Method. Two real uvicorn servers on 127.0.0.1, started one at a time with the same
flags (no access log, log level warning) and the same number of workers (`--workers`,
1 by default), take the same load:

- bare: a FastAPI app that parses nothing and answers a fixed ``CON `` screen
  (text/plain) to any POST: the floor of HTTP + uvicorn + FastAPI on this machine;
- ours: ``uvicorn nalish.app:create_app --factory`` on a throw-away PostgreSQL database
  (``--sqlite``: a temporary SQLite file), migrated and seeded by the ``nalish`` CLI,
  with its menu sessions in real Redis (database 13, under a prefix unique to the run,
  deleted at the end).

The load generator (aiohttp, installed with the project's Twilio client) runs
``--concurrency`` sessions, each with its own sessionId, phone and keep-alive
connection, posting Africa's Talking's USSD form in a closed loop. A session dials
(``text=""``), answers ``1`` (New complaint), then pages the category list: ``1*98``,
``1*98*0``, ``1*98*0*98``… (More, Back, alternately), so every hop reads and writes
the session store and shows a different screen. After ``--hops`` paging hops the
session ends and a new one starts: real USSD sessions are short, and the cumulative
``text`` would otherwise grow without bound. Only paging hops are counted. A second
scenario on ours types a district at the division screen (``1*1*Rongpur``, then
``*0`` back, alternately), which runs the gazetteer's fuzzy match.

Each scenario runs ``--warmup`` seconds, then ``--seconds`` measured: throughput is
the counted hops that started and ended inside that window, per second; p50/p99 are
their latencies as the client saw them. Every answer must be 200 and start with
``CON ``; on ours, each counted screen must differ from the one before and show what
that step should show (page 2 of the list, the description question, …). Anything
else is counted as an error and printed.

The load generator, both servers, PostgreSQL and Redis share this machine's 2 cores
and nothing is pinned. So the table also gives the server's CPU time per hop, which
depends little on who else is busy, and the CPU each party used: a load generator
near 100% of a core set the pace, not the server. Timings are printed, never
asserted; the exit status is 0 unless the benchmark could not run.

    .venv/bin/python bench/ussd_hop.py [--workers N] [--concurrency C] [--seconds S]
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import itertools
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import common
import wrk_mix
from common import ROOT

BIN = Path(sys.executable).parent  # .venv/bin: the `nalish` CLI and uvicorn live here
REDIS_URL = "redis://127.0.0.1:6379/13"
USSD_PATH = "/channels/africastalking/ussd"
TARGET_RATIO, TARGET_P99_MS = 0.5, 50.0
# The body is encoded here rather than by aiohttp's FormData: half the client's CPU per hop.
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

BARE_APP = """
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.post("/channels/africastalking/ussd")
async def ussd() -> PlainTextResponse:
    return PlainTextResponse("CON Choose:\\n1. Water\\n2. Electricity")


@app.get("/healthz")
async def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")
"""


@dataclass(frozen=True)
class Scenario:
    """A session: dial (text ""), opening answers, then `steps` alternately (counted)."""

    name: str
    opening: tuple[str, ...]
    steps: tuple[str, str]
    # A phrase the screen after each step must show (None: any ``CON `` screen will do).
    expect: tuple[str, str] | None


# A phone we have not met chooses its language first ("2": English), then "1" (New
# complaint). "98" shows page 2 of the category list (options 10-14), "0" page 1 (with
# "98. More").
PAGING = Scenario("page the category list", ("2", "1"), ("98", "0"), ("\n10. ", "\n98. "))
BARE = Scenario("same traffic as paging", PAGING.opening, PAGING.steps, None)
# At the division screen, "Rongpur" is matched to Rangpur district (its upazilas come
# next); "0" goes back to the division list.
DISTRICT = Scenario(
    "type a district (Rongpur), then back",
    ("2", "1", "1"),
    ("Rongpur", "0"),
    ("upazila", "\n8. "),
)


def _texts(scenario: Scenario, hops: int):
    """Each hop's cumulative `text`, with its step (0 or 1), or None if not counted."""
    answers: list[str] = []
    yield "", None
    for answer in scenario.opening:
        answers.append(answer)
        yield "*".join(answers), None
    for hop in range(hops):
        answers.append(scenario.steps[hop % 2])
        yield "*".join(answers), hop % 2


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0
    client_cpu: float = 0.0  # share of one core used by this (load generator) process
    server_cpu: float = 0.0  # share of one core used by the uvicorn process(es)
    worker_cpu: list[float] = field(default_factory=list)  # the same, busiest processes first
    other_cpu: float = 0.0  # by everything else: PostgreSQL, Redis, other people's work

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def cpu_per_hop_us(self) -> float:
        """Server CPU per hop: what one worker's capacity depends on, whoever else is busy."""
        return self.server_cpu / self.rate * 1e6 if self.latencies else float("nan")

    def percentile_ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1e3


# ---------------------------------------------------------------- load generator


async def _session_loop(http, url, scenario, hops, sid, prefix, window, result) -> None:
    """One simulated phone: open a session, page `hops` times, start again, until the end."""
    start_at, end_at = window
    for generation in itertools.count():
        form = {
            "sessionId": f"{sid}-{generation}",
            "serviceCode": "*333#",
            # A new phone each session: the same phone dialling again would be offered
            # its unfinished complaint back, a different first screen.
            "phoneNumber": f"{prefix}{generation % 1000:03d}",
            "networkCode": "47001",
        }
        previous = ""
        for form["text"], step in _texts(scenario, hops):
            began = time.perf_counter()
            try:
                async with http.post(url, data=urlencode(form).encode(), headers=FORM) as response:
                    body = (await response.read()).decode()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError) as exc:
                body, status = f"{type(exc).__name__}: {exc}", 0
            ended = time.perf_counter()
            if ended >= end_at:
                return
            error = _check(status, body, previous, scenario, step)
            if error:
                result.errors[error] += 1
                break  # this session's state is unknown now: open a new one
            if step is not None and began >= start_at:
                result.latencies.append(ended - began)
            previous = body


def _check(status: int, body: str, previous: str, scenario: Scenario, step: int | None) -> str:
    """What is wrong with this answer, or "" when it is the screen we expect."""
    if status != 200:
        return f"HTTP {status}: {body[:80]!r}"
    if not body.startswith("CON "):
        return f"not a CON screen: {body[:80]!r}"
    if step is None or scenario.expect is None:
        return ""
    if body == previous:
        return f"screen did not change: {body[:80]!r}"
    if scenario.expect[step] not in body:
        return f"expected {scenario.expect[step]!r} on screen: {body[:80]!r}"
    return ""


async def _load(url, scenario, args, server_pid) -> Result:
    result = Result()
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        now = time.perf_counter()
        window = (now + args.warmup, now + args.warmup + args.seconds)
        run = secrets.token_hex(3)
        tasks = [
            _session_loop(
                http,
                url,
                scenario,
                args.hops,
                f"ATUid_bench_{run}_{i}",
                # a phone prefix of its own per run: a phone met before skips the
                # language screen, a different first screen
                f"+88017{int(run, 16) % 1000:03d}{i:02d}",
                window,
                result,
            )
            for i in range(args.concurrency)
        ]
        gather = asyncio.gather(*tasks)
        await asyncio.sleep(args.warmup)
        client0, server0, busy0 = time.process_time(), _cpu_seconds(server_pid), _busy_seconds()
        wall0 = time.perf_counter()
        await gather
        wall = time.perf_counter() - wall0
        result.client_cpu = (time.process_time() - client0) / wall
        server1 = _cpu_seconds(server_pid)
        shares = {pid: (cpu - server0.get(pid, 0.0)) / wall for pid, cpu in server1.items()}
        result.server_cpu = sum(shares.values())
        result.worker_cpu = sorted(shares.values(), reverse=True)[: args.workers]
        busy = (_busy_seconds() - busy0) / wall
        result.other_cpu = max(0.0, busy - result.client_cpu - result.server_cpu)
    result.seconds = args.seconds
    return result


def _busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, /proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split()[1:9]]  # user … steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def _cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU time of a process and of each child (uvicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    seconds = {}
    for each in [pid, *map(int, children)]:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[each] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


# ---------------------------------------------------------------- servers and stores


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _uvicorn(target: list[str], env: dict[str, str], workers: int, log: Path):
    """A uvicorn server on a free port, ready (GET /healthz is 200); yields (url, pid)."""
    port = _free_port()
    command = [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        *target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)  # noqa: S603
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base + "/healthz", process, log)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}:\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=1) as response,  # noqa: S310 (loopback)
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"server not ready after 60 s:\n{log.read_text()}")


def _nalish(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 (our own CLI)
        [str(BIN / "nalish"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"nalish {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def _delete_redis_keys(prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    return len(keys)


# ---------------------------------------------------------------- report


def _row(name: str, result: Result) -> str:
    return (
        f"{name:<44} {result.rate:>7.0f} {result.percentile_ms(50):>7.1f} "
        f"{result.percentile_ms(99):>7.1f} {sum(result.errors.values()):>6} "
        f"{result.cpu_per_hop_us:>7.0f} {result.server_cpu:>6.0%} {result.client_cpu:>6.0%} "
        f"{result.other_cpu:>6.0%}"
    )


def _print_errors(name: str, result: Result) -> None:
    for message, count in result.errors.most_common(5):
        print(f"  errors in {name}: {count} x {message}")


def _report(args, results, database_name: str, prefix: str, deleted: int) -> None:
    now = datetime.datetime.now().astimezone()
    print(
        f"USSD hop benchmark, {now:%Y-%m-%d %H:%M %z}: {args.workers} uvicorn worker(s) per "
        f"server, {args.concurrency} concurrent sessions, {args.seconds:g} s measured after "
        f"{args.warmup:g} s warm-up"
    )
    print(f"code: {ROOT} at {common.revision()}; ours on {database_name}")
    print(f"sessions in Redis db 13 under {prefix}: {deleted} keys deleted after the run")
    print(
        f"The load generator, both servers, PostgreSQL and Redis share this machine's "
        f"{os.cpu_count()} cores; nothing is pinned.\n"
    )
    print(
        f"{'scenario':<44} {'hops/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'CPU us':>7} {'server':>6} {'client':>6} {'other':>6}"
    )
    for name, result in results:
        print(_row(name, result))
    print(
        "CPU us = the server's CPU time per hop (PostgreSQL and Redis not included). Then\n"
        "CPU as a share of one core: server = the uvicorn process(es), client = the load\n"
        "generator, other = everything else (PostgreSQL and Redis for ours, and any other\n"
        "work on this machine)."
    )
    for name, result in results:
        _print_errors(name, result)
        if args.workers > 1:  # a keep-alive connection stays with the worker that accepted it
            split = ", ".join(f"{share:.0%}" for share in result.worker_cpu)
            print(f"  server CPU by worker in {name!r}: {split}")
        if result.client_cpu >= 0.9:
            print(f"  note: the load generator was near a full core in {name!r}: it set the pace")
        if result.other_cpu >= 0.3 and not name.startswith("ours"):
            print(f"  note: other work took {result.other_cpu:.0%} of a core during {name!r}")

    if len(results) < 2:  # --mix realistic: the wrk table follows
        return
    bare, paging = results[0][1], results[1][1]
    ratio = paging.rate / bare.rate if bare.rate else float("nan")
    cpu_ratio = bare.cpu_per_hop_us / paging.cpu_per_hop_us if paging.server_cpu else float("nan")
    p99 = paging.percentile_ms(99)
    print(f"\nratio ours/bare (paging hops/s): {ratio:.2f}   target >= {TARGET_RATIO}")
    print(
        f"ratio by server CPU per hop (bare/ours): {cpu_ratio:.2f}   (steadier on a busy machine)"
    )
    print(
        f"ours p99 (paging): {p99:.1f} ms   target < {TARGET_P99_MS:g} ms (32 sessions, 1 worker)"
    )
    if not ratio >= TARGET_RATIO:
        print(f"TARGET MISSED: ours/bare throughput {ratio:.2f} < {TARGET_RATIO}")
    if not p99 < TARGET_P99_MS:
        print(f"TARGET MISSED: ours p99 {p99:.1f} ms >= {TARGET_P99_MS:g} ms")
    if any(result.errors for _, result in results):
        print("TARGET MISSED: some hops failed (see the errors above)")


def main() -> int:
    parser = common.argument_parser(__doc__)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent USSD sessions")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before that")
    parser.add_argument("--hops", type=int, default=30, help="paging hops before a new session")
    parser.add_argument(
        "--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL"
    )
    parser.add_argument(
        "--no-district", action="store_true", help="skip the typed-district scenario"
    )
    parser.add_argument(
        "--mix",
        choices=("both", "paging", "realistic"),
        default="both",
        help="paging: the aiohttp paging scenarios; realistic: the wrk session mix",
    )
    args = parser.parse_args()
    paging_mix, realistic_mix = args.mix != "realistic", args.mix != "paging"
    if realistic_mix and not wrk_mix.available():
        if args.mix == "realistic":
            raise SystemExit(wrk_mix.HOW_TO_GET_WRK)
        print(f"skipping the realistic session mix: {wrk_mix.HOW_TO_GET_WRK}", flush=True)
        realistic_mix = False
    realistic: list[tuple[str, wrk_mix.WrkResult]] = []

    prefix = f"nalish-bench-{secrets.token_hex(4)}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("NALISH_")}
    results: list[tuple[str, Result]] = []
    with tempfile.TemporaryDirectory(prefix="nalish-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "bare_ussd.py").write_text(BARE_APP)
        bare_target = ["bare_ussd:app", "--app-dir", str(tmp)]
        with _uvicorn(bare_target, env, args.workers, tmp / "bare.log") as (url, pid):
            if paging_mix:
                bare = asyncio.run(_load(url + USSD_PATH, BARE, args, pid))
                results.append(("bare FastAPI, fixed CON screen", bare))
            if realistic_mix:
                bare_mix = _realistic(url, pid, args, check=False)
                realistic.append(("bare FastAPI, fixed CON screen", bare_mix))

        with common.database(args.sqlite, tmp) as (database_url, database_name):
            ours_env = env | {
                "NALISH_ENV": "dev",
                "NALISH_COUNTRY": "BD",
                "NALISH_DATABASE_URL": database_url,
                "NALISH_REDIS_URL": REDIS_URL,
                "NALISH_REDIS_PREFIX": prefix,
            }
            _nalish(ours_env, "db", "upgrade")
            _nalish(ours_env, "seed")
            ours_target = ["nalish.app:create_app", "--factory"]
            try:
                with _uvicorn(ours_target, ours_env, args.workers, tmp / "ours.log") as (url, pid):
                    if realistic_mix:
                        realistic.append(("ours: the session mix", _realistic(url, pid, args)))
                    scenarios = [PAGING] if args.no_district else [PAGING, DISTRICT]
                    for scenario in scenarios if paging_mix else []:
                        result = asyncio.run(_load(url + USSD_PATH, scenario, args, pid))
                        results.append((f"ours: {scenario.name}", result))
            finally:
                deleted = _delete_redis_keys(prefix)

    _report(args, results, database_name, prefix, deleted)
    if realistic:
        _report_realistic(args, realistic)
    return 0


def _realistic(url: str, pid: int, args, *, check: bool = True) -> wrk_mix.WrkResult:
    def server_cpu() -> float:
        return sum(_cpu_seconds(pid).values())

    return wrk_mix.run(
        url + USSD_PATH,
        sessions=args.concurrency,
        seconds=args.seconds,
        warmup=args.warmup,
        server_cpu=server_cpu,
        check=check,
    )


def _report_realistic(args, results: list[tuple[str, wrk_mix.WrkResult]]) -> None:
    print(
        f"\nthe realistic session mix, driven by wrk ({args.concurrency} threads, one "
        "connection each): dial as a new phone, language, New complaint, 7 x More/Back; "
        "all 10 hops counted"
    )
    print(
        f"{'scenario':<44} {'hops/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'CPU us':>7} {'server':>6} {'client':>6}"
    )
    for name, result in results:
        print(
            f"{name:<44} {result.rate:>7.0f} {result.p50_ms:>7.1f} {result.p99_ms:>7.1f} "
            f"{result.errors:>6} {result.cpu_per_hop_us:>7.0f} {result.server_cpu:>6.0%} "
            f"{result.client_cpu:>6.0%}"
        )
        if result.errors:
            print(f"  errors in {name}: {result.errors}, e.g. {result.example}")
    if len(results) < 2:
        return
    bare, ours = results[0][1], results[1][1]
    ratio = ours.rate / bare.rate if bare.rate else float("nan")
    print(f"ratio ours/bare (session mix hops/s): {ratio:.2f}   target >= {TARGET_RATIO}")
    print(f"ours p99 (session mix): {ours.p99_ms:.1f} ms   target < {TARGET_P99_MS:g} ms")
    if not ratio >= TARGET_RATIO:
        print(f"TARGET MISSED: session mix ours/bare {ratio:.2f} < {TARGET_RATIO}")
    if not ours.p99_ms < TARGET_P99_MS:
        print(f"TARGET MISSED: session mix ours p99 {ours.p99_ms:.1f} ms >= {TARGET_P99_MS:g} ms")
    if ours.errors or bare.errors:
        print("TARGET MISSED: some hops of the session mix failed (see the errors above)")


if __name__ == "__main__":
    raise SystemExit(main())
