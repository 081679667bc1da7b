"""kannel: a real Kannel round trip (bearerbox, smsbox, fakesmsc) with delivery reports.

The suite's own app sends through the suite's recording gateway, so this scenario stands
up a second Nalish beside it that sends through a real Debian Kannel
(tests/channels/kannel_harness.py): its own database in the suite's PostgreSQL, its own
key prefix in the suite's Redis, its own `nalish serve` and `nalish worker`. Then 25
round trips one after another (a complaint by SMS, its confirmation, "1", the
acknowledgement, each reply's delivery report back through Kannel's dlr-url) and a
burst of 40 at once.

Target: every delivery report applied in 25 of 25 runs (and in the burst), and no
outbox row left `sent` for want of its report. Without Kannel installed the scenario
says so (CI installs it: .ci/run).
"""

from __future__ import annotations

import contextlib
import subprocess
import time

import httpx
import psycopg

from faults.figures import Figure
from faults.stack import BIN, ROOT, Stack

NAME = "Kannel round trip"
RUNS = 25
BURST = 40
SECRET = "faults-kannel-secret"


def run(stack: Stack) -> list[Figure]:
    from tests.channels import kannel_harness

    why_not = kannel_harness.missing()
    if why_not:
        return [Figure(NAME, "round trips", why_not, f"{RUNS} of {RUNS}", False)]
    [port] = kannel_harness.free_ports(1)
    url = f"http://127.0.0.1:{port}"
    home = stack.workdir / "kannel"
    kannel = kannel_harness.Kannel(app_base_url=url, secret=SECRET, workdir=home)
    env = _env(stack) | kannel.nalish_env()
    processes: list[subprocess.Popen] = []
    try:
        for args in (("db", "upgrade"), ("seed",)):
            command = [str(BIN / "nalish"), *args]
            subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)  # noqa: S603
        processes.append(_start(["serve", "--host", "127.0.0.1", "--port", str(port)], env, home))
        processes.append(_start(["worker"], env, home))
        _wait_healthy(url, processes[0])
        with kannel:
            one_by_one = kannel_harness.round_trips(url, runs=RUNS, kannel=kannel, nalish_env=env)
            burst = kannel_harness.round_trips(
                url, runs=BURST, kannel=kannel, nalish_env=env, burst=True
            )
    finally:
        for process in processes:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            if process.poll() is None:
                process.kill()
    return [
        _applied("one after another", one_by_one, RUNS),
        _applied("a burst at once", burst, BURST),
        Figure(NAME, "outbox rows left `sent` (no report applied)",
               f"{one_by_one['rows_stuck_sent']} + {burst['rows_stuck_sent']}", "0",
               one_by_one["rows_stuck_sent"] == 0 and burst["rows_stuck_sent"] == 0),
    ]  # fmt: skip


def _applied(how: str, figures: dict, runs: int) -> Figure:
    done = figures["runs_all_applied"]
    return Figure(NAME, f"{how}: runs with every delivery report applied",
                  f"{done} of {figures['runs']}", f"{runs} of {runs}",
                  figures["runs"] == runs and done == runs)  # fmt: skip


def _env(stack: Stack) -> dict[str, str]:
    """The suite's environment with a database and a Redis key prefix of its own."""
    with psycopg.connect(stack.postgres.admin_dsn, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS nalish_kannel")
        admin.execute("CREATE DATABASE nalish_kannel")
    database = stack.postgres.url.rsplit("/", 1)[0] + "/nalish_kannel"
    kept = {k: v for k, v in stack.env.items() if not k.startswith("NALISH_HTTP_GATEWAY")}
    return kept | {"NALISH_DATABASE_URL": database, "NALISH_REDIS_PREFIX": "faults-kannel"}


def _start(args: list[str], env: dict[str, str], home) -> subprocess.Popen:
    log = (home / f"{args[0]}.log").open("a")
    return subprocess.Popen(  # noqa: S603 (our own CLI)
        [str(BIN / "nalish"), *args], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Kannel scenario's nalish serve exited")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("the Kannel scenario's nalish serve was not ready after 60 s")
