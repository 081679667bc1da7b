"""surge: 40 alike complaints from one upazila by USSD, 20 at once; then 20 callers for 30 s.


April 2020: thousands report the same thing from the same places. Each caller is a
new phone walking the whole menu (language, New complaint, Water, Rangpur, Badarganj,
a description, I agree, Send). In the burst, 20 callers meet at a barrier before the
confirming hop, so 20 intakes of alike tickets (duplicate flagging, mass-event
grouping) run at the same moment, twice. Then 20 callers file one complaint after
another for the sustained run. Targets (issue 12, "Done when"): no error answer, every
reference shown is a ticket, the confirming hop's p99 under 2 s, and one open incident
for the place whose ticket_count equals the tickets in it.
"""

from __future__ import annotations

import threading
import time

from faults import drive
from faults.figures import Figure
from faults.stack import Stack

NAME = "surge"
CALLERS, WAVES = 20, 2
P99_TARGET = 2.0
DESCRIPTIONS = (
    "No water in Badarganj ward {n} for three days, the pump is off",
    "no water supply in our ward {n} of Badarganj since three days",
    "Water supply stopped in Badarganj ward {n}, three days no water",
)


def _describe(n: int) -> str:
    return DESCRIPTIONS[n % len(DESCRIPTIONS)].format(n=n % 9 + 1)


def _burst(base: str) -> list[drive.Filing]:
    filings: list[drive.Filing] = []
    for wave in range(WAVES):
        with drive.httpx.Client(base_url=base, timeout=drive.TIMEOUT) as http:

            def one(i: int, wait, http=http, wave=wave) -> drive.Filing:
                return drive.file_by_ussd(http, _describe(wave * CALLERS + i), before_final=wait)

            filings += drive.at_once(one, CALLERS)
    return filings


def _sustained(base: str, seconds: float) -> list[drive.Filing]:
    filings: list[drive.Filing] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def caller(i: int) -> None:
        with drive.httpx.Client(base_url=base, timeout=drive.TIMEOUT) as http:
            n = i
            while time.monotonic() < end:
                filing = drive.file_by_ussd(http, _describe(n))
                with lock:
                    filings.append(filing)
                n += CALLERS

    drive.in_parallel(caller, range(CALLERS), CALLERS)
    return filings


def _figures(stack: Stack, label: str, filings: list[drive.Filing]) -> list[Figure]:
    errors = [f for f in filings if f.error]
    refs = [f.ref for f in filings if f.ref]
    found = drive.existing_refs(stack, refs)
    finals = [f.final.seconds for f in filings if f.final]
    sample = f" (e.g. {errors[0].error})" if errors else ""
    return [
        Figure(NAME, f"{label}: error answers", f"{len(errors)} of {len(filings)}{sample}",
               "0", not errors and bool(filings)),
        Figure(NAME, f"{label}: references shown that are tickets",
               f"{len(found)} of {len(refs)}", "all", len(found) == len(refs)),
        Figure(NAME, f"{label}: confirming hop p99", f"{drive.p99(finals):.2f} s",
               f"< {P99_TARGET:g} s", drive.p99(finals) < P99_TARGET, timed=True),
    ]  # fmt: skip


def _incidents(stack: Stack) -> list[Figure]:
    incidents = [
        i
        for i in stack.nalish_json("incidents", "list", "--json")
        if i["category"] == "water" and i["district"] == drive.DISTRICT
        and (i.get("upazila") in (drive.UPAZILA, None))
    ]  # fmt: skip
    counts = []
    for incident in incidents:
        members = stack.postgres.query(
            "SELECT count(*) FROM ticket WHERE incident_id = %s", incident["id"]
        )[0][0]
        counts.append((incident["ticket_count"], members))
    shown = ", ".join(f"count {c} for {m} tickets" for c, m in counts) or "none"
    exact = bool(counts) and all(c == m for c, m in counts)
    return [
        Figure(NAME, "open incidents for water in Badarganj", str(len(incidents)), "1",
               len(incidents) == 1),
        Figure(NAME, "incident ticket_count vs its tickets", shown, "equal", exact),
    ]  # fmt: skip


def run(stack: Stack) -> list[Figure]:
    figures = _figures(stack, f"{WAVES}×{CALLERS} at once", _burst(stack.base_url))
    sustained = _sustained(stack.base_url, stack.surge_seconds)
    figures += _figures(stack, f"{CALLERS} callers for {stack.surge_seconds:g} s", sustained)
    return figures + _incidents(stack)
