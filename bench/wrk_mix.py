"""The realistic USSD session mix, driven by wrk (a C load generator).

`ussd_session_mix.lua` beside this file is the session: dial as a phone we have not
met, choose the language, New complaint, then page the category list with More and
Back, 10 hops, all counted. wrk runs one connection per thread (``-t N -c N``), so
each thread is one phone and its hops arrive in order. This module installs nothing:
without wrk it says how to get it.
"""

from __future__ import annotations

import re
import resource
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "ussd_session_mix.lua"
HOW_TO_GET_WRK = (
    "wrk (a C HTTP load generator) is not on PATH: install it with "
    "`sudo apt-get install wrk` (Debian/Ubuntu) or build it from "
    "https://github.com/wg/wrk, then run this again"
)


@dataclass
class WrkResult:
    hops: int = 0
    seconds: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    wrong: int = 0  # answers that were not 200 + the expected CON screen
    socket_errors: int = 0
    example: str = ""
    filed: int = 0  # filing sessions that ended with a reference (bench/surge.py)
    refs: list[str] = field(default_factory=list)  # the references those screens showed
    client_cpu: float = 0.0  # share of one core used by wrk
    server_cpu: float = 0.0  # share of one core used by the server process(es)

    @property
    def rate(self) -> float:
        return self.hops / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.wrong + self.socket_errors

    @property
    def cpu_per_hop_us(self) -> float:
        return self.server_cpu / self.rate * 1e6 if self.hops else float("nan")


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    url: str,
    *,
    sessions: int,
    seconds: float,
    warmup: float,
    server_cpu,
    check: bool = True,
    file_every: int = 0,
) -> WrkResult:
    """`sessions` phones on `url` for `warmup` s unmeasured, then `seconds` measured.
    `server_cpu()` gives the server's CPU seconds so far (to get its share); `check`:
    each paging hop must show the page it should (False for the bare endpoint);
    `file_every`: one session in that many files a complaint (0: none)."""
    if not available():
        raise SystemExit(HOW_TO_GET_WRK)
    if warmup > 0:
        _wrk(url, sessions, warmup, check, file_every)
    cpu0, wall0 = server_cpu(), time.perf_counter()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = _wrk(url, sessions, seconds, check, file_every)
    wall = time.perf_counter() - wall0
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = _parse(output)
    result.server_cpu = (server_cpu() - cpu0) / wall
    client = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    result.client_cpu = client / wall
    return result


def _wrk(url: str, sessions: int, seconds: float, check: bool, file_every: int) -> str:
    tag = str(secrets.randbelow(1000))
    command = [
        "wrk",
        f"-t{sessions}",
        f"-c{sessions}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(SCRIPT),
        url,
        "--",
        tag,
        "check" if check else "any",
        str(file_every),
    ]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")  # noqa: S603
    if done.returncode != 0 or "RESULT " not in done.stdout:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _parse(output: str) -> WrkResult:
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    values = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    example = next((ln[8:] for ln in output.splitlines() if ln.startswith("EXAMPLE ")), "")
    refs = next((ln[5:] for ln in output.splitlines() if ln.startswith("REFS ")), "")
    return WrkResult(
        hops=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1e3,
        p99_ms=values["p99_us"] / 1e3,
        wrong=values["wrong"],
        socket_errors=sum(values[k] for k in ("connect", "read", "write", "timeout")),
        example=example,
        filed=values.get("filed", 0),
        refs=[ref for ref in refs.split(",") if ref],
    )
