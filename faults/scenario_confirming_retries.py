"""confirming_retries: one USSD session's confirming hop posted 10 times at once, 5 sessions.

A telco retries a slow answer.

The telco shows the citizen whichever answer it got last; if a retry answers "something
went wrong", the citizen dials again and files twice. Whether a retry lands before,
during or after the first intake's commit is a matter of milliseconds, so each of the
5 sessions spreads its 10 posts differently (all at once, then 10, 20, 30, 50 ms
apart). Target: in every session one reference, the same answer to all 10, one ticket.
"""

from __future__ import annotations

import time
import uuid

from faults import drive
from faults.figures import Figure
from faults.stack import Stack

NAME = "confirming retries"
RETRIES = 10
STAGGERS = (0.0, 0.01, 0.02, 0.03, 0.05)


def _session(stack: Stack, stagger: float) -> tuple[int, int, int, str]:
    """(references shown, distinct answers, tickets filed, an odd answer) for one session."""
    phone = drive.unique_phone()
    session_id = f"ATUid_faults_retry_{uuid.uuid4().hex[:10]}"
    texts = drive.ussd_texts("No water from the Badarganj pourashava line since Friday")
    with drive.client(stack) as http:
        for text in texts[:-1]:
            answer = drive.ussd_hop(http, session_id, phone, text)
            if drive.ussd_error(answer, final=False):
                return 0, 0, 0, answer.body[:80]

        def retry(i: int, wait) -> drive.Answer:
            wait()
            time.sleep(i * stagger)
            return drive.ussd_hop(http, session_id, phone, texts[-1])

        answers = drive.at_once(retry, RETRIES)
    bodies = {a.body for a in answers}
    refs = {a.ref for a in answers if a.ref}
    odd = next((a.body[:80] for a in answers if drive.ussd_error(a, final=True)), "")
    return len(refs), len(bodies), drive.tickets_of_phone(stack, phone), odd


def run(stack: Stack) -> list[Figure]:
    sessions = [_session(stack, stagger) for stagger in STAGGERS]
    split = [r for r, _, _, _ in sessions if r != 1]
    differing = [b for _, b, _, _ in sessions if b != 1]
    twice = [t for _, _, t, _ in sessions if t != 1]
    odd = next((o for *_, o in sessions if o), "")
    n = len(STAGGERS)
    return [
        Figure(NAME, f"{n} sessions × {RETRIES} concurrent confirming hops: sessions not "
               "showing exactly one reference", f"{len(split)} of {n}", "0", not split),
        Figure(NAME, "sessions whose 10 answers differ",
               f"{len(differing)} of {n}" + (f" (e.g. {odd!r})" if odd else ""), "0",
               not differing),
        Figure(NAME, "sessions that did not file exactly one ticket", f"{len(twice)} of {n}", "0",
               not twice),
    ]  # fmt: skip
