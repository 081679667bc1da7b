"""sweepers: three `nalish sla sweep --at <a week on>` at once, over tickets all past due.

Several workers (or an operator's sweep next to the periodic one) run sweeps at the
same time. Each claims due tickets; claiming in conflicting orders deadlocked two of
three at main. Targets: all three exit 0, and no ticket is escalated twice to the
same level (exactly once). A fourth sweep afterwards, at the same time, escalates
nothing: the three left nothing undone.
"""

from __future__ import annotations

import datetime
import json
import secrets
import subprocess

from faults import drive
from faults.figures import Figure
from faults.stack import BIN, ROOT, Stack

NAME = "three sweepers"
TICKETS, SWEEPERS = 120, 3
# What a sweep records on a ticket: climbing a rung, or passing the top rung's deadline.
SWEEP_EVENTS = ("escalated", "sla_breached")
DISTRICTS = ("Rangpur", "Dinajpur", "Gaibandha", "Kurigram", "Nilphamari", "Cumilla")


def _file(stack: Stack) -> int:
    token = stack.token("agent")
    headers = {"Authorization": f"Bearer {token}"}
    with drive.client(stack) as http:

        def one(i: int) -> int:
            body = drive.api_ticket(
                drive.unique_phone(),
                district=DISTRICTS[i % len(DISTRICTS)],
                description=f"Tubewell {i} broken {secrets.token_hex(4)}",
            )
            return drive.api_file(http, body, headers)[0]

        return sum(1 for s in drive.in_parallel(one, range(TICKETS), 6) if s in (200, 201))


def _sweep(stack: Stack, at: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own CLI)
        [str(BIN / "nalish"), "sla", "sweep", "--at", at, "--json"],
        env=stack.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _reason(stderr: str) -> str:
    """The line of a traceback that names the error (not SQLAlchemy's "Background" link)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line or "Detected" in line]
    return (named or lines or ["no output"])[-1]


def run(stack: Stack) -> list[Figure]:
    filed = _file(stack)
    at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7)).isoformat()
    sweeps = [_sweep(stack, at) for _ in range(SWEEPERS)]
    outcomes = [(p.wait(timeout=300), *p.communicate()) for p in sweeps]
    codes = [code for code, _, _ in outcomes]
    failures = [_reason(err) for code, _, err in outcomes if code]
    twice = stack.postgres.query(
        "SELECT count(*) FROM (SELECT ticket_id FROM ticket_event WHERE type = ANY(%s) "
        "GROUP BY ticket_id, type, data::text HAVING count(*) > 1) d",
        list(SWEEP_EVENTS),
    )[0][0]
    escalated = stack.postgres.query(
        "SELECT count(DISTINCT ticket_id) FROM ticket_event WHERE type = ANY(%s)",
        list(SWEEP_EVENTS),
    )[0][0]
    again = stack.nalish("sla", "sweep", "--at", at, "--json", check=False)
    fourth = json.loads(again.stdout).get("escalated") if again.returncode == 0 else "crashed"
    sample = f" ({failures[0][:120]})" if failures else ""
    return [
        Figure(NAME, f"{SWEEPERS} sweeps at once over {filed} due tickets: exit codes",
               f"{codes}{sample}", "all 0", all(c == 0 for c in codes)),
        Figure(NAME, "tickets escalated (or breached) twice at one level",
               f"{twice} ({escalated} tickets swept)", "0", twice == 0 and escalated > 0),
        Figure(NAME, "a fourth sweep at the same time escalates", str(fourth), "0", fourth == 0),
    ]  # fmt: skip
