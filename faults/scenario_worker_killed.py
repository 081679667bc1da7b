"""worker_killed: the worker is killed (-9) while the outbox drains; another is started.

A deploy, an OOM kill or a lost VM kills a worker mid-send. 60 acknowledgements are
queued with no worker running; a worker then sends them at 4 per second (the
provider's rate, NALISH_SMS_RATE_PER_SECOND) through the suite's gateway, which
records every message it is handed. Once 10 have gone out and a claimed message has
waited 0.1 s without reaching the gateway (the worker waits for the rate limiter's
next slot), the worker is killed and a new one started. When
the outbox is quiet, the outbox sweep is run as if 15 minutes had passed (past
NALISH_OUTBOX_STALE_SENDING_MINUTES, when a message claimed by a dead worker is given
up on), and each row is compared with what the gateway received. Targets: none lost
(every row reached the gateway, or is pending a retry); none marked failed (the gateway
refused nothing, so a failed row is a false one) and none left `sending`; and no
message sent twice but one whose send was in flight when the worker died. That one is
the outbox's deliberate choice (at least once: grievance_engine/outbox.py,
`reconcile_stale_sends`): a worker killed after the provider took a message but before
it was recorded leaves no trace of the send, and a citizen who gets an acknowledgement
twice is better off than one who never gets their reference.
"""

from __future__ import annotations

import secrets
import subprocess
import time

from faults import drive
from faults.figures import Figure
from faults.stack import BIN, ROOT, Stack

NAME = "worker killed"
MESSAGES, KILL_AFTER, RATE = 60, 10, "4"
LATER_MINUTES = 15


def _queue_acks(stack: Stack) -> int:
    """File MESSAGES tickets by the API (each writes an ack SMS), no worker running."""
    headers = {"Authorization": f"Bearer {stack.token('agent')}"}
    with drive.client(stack) as http:

        def one(i: int) -> int:
            body = drive.api_ticket(
                drive.unique_phone(), district="Dinajpur",
                description=f"Streetlight {i} out {secrets.token_hex(4)}",
            )  # fmt: skip
            return drive.api_file(http, body, headers)[0]

        return sum(1 for s in drive.in_parallel(one, range(MESSAGES), 4) if s in (200, 201))


def _wait_for_a_waiting_claim(stack: Stack, first_row: int, sent_before: int) -> None:
    """Return once KILL_AFTER messages have gone out and a claimed one has waited 0.1 s
    without reaching the gateway (the worker waits for the rate limiter's next slot);
    after 15 s, return anyway: a worker that claims only what it can send now may never
    be caught so, and is then killed wherever it is."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if len(stack.gateway.received) - sent_before >= KILL_AFTER:
            seen = len(stack.gateway.received)
            if _claimed(stack, first_row):
                time.sleep(0.1)
                if _claimed(stack, first_row) and len(stack.gateway.received) == seen:
                    return
        time.sleep(0.02)


def _claimed(stack: Stack, first_row: int) -> int:
    return stack.postgres.query(
        "SELECT count(*) FROM notification WHERE id > %s AND status = 'sending'", first_row
    )[0][0]


def run(stack: Stack) -> list[Figure]:
    for worker in list(stack.workers):
        stack.stop_worker(worker)
    first_row = drive.max_id(stack, "notification")
    sent_before = len(stack.gateway.received)
    _queue_acks(stack)
    slow = stack.start_worker(env={"NALISH_SMS_RATE_PER_SECOND": RATE})
    _wait_for_a_waiting_claim(stack, first_row, sent_before)
    slow.kill()
    slow.wait()
    stack.workers.remove(slow)
    in_flight = drive.outbox_left(stack, first_row).get("sending", 0)
    stack.start_worker()
    stack.wait_outbox_settled(timeout=60, sending_too=False)
    later = subprocess.run(  # noqa: S603 (our own module)
        [str(BIN / "python"), "-m", "faults.later", str(LATER_MINUTES)],
        env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    stack.wait_outbox_settled(timeout=30)
    rows = stack.postgres.query(
        "SELECT to_phone, body, status, next_attempt_at > now() FROM notification WHERE id > %s",
        first_row,
    )
    received = stack.gateway.counts()
    twice = sum(1 for to, body, _, _ in rows if received[(to, body)] > 1)
    failed = sum(1 for _, _, status, _ in rows if status == "failed")
    sending = sum(1 for _, _, status, _ in rows if status == "sending")
    reached = sum(
        1 for to, body, status, _ in rows
        if status in ("sent", "delivered") and received[(to, body)] >= 1
    )  # fmt: skip
    retry = sum(1 for _, _, status, later_on in rows if status == "pending" and later_on)
    lost = len(rows) - reached - retry - failed - sending
    note = "" if later.returncode == 0 else f" (the later sweep failed: {later.stderr[-120:]})"
    return [
        Figure(NAME, f"{len(rows)} messages, worker killed with {in_flight} in flight: "
               "sent twice", str(twice), f"≤ {in_flight} (in flight: at least once)",
               twice <= in_flight),
        Figure(NAME, "marked failed though never refused; left sending",
               f"{failed}; {sending}{note}", "0; 0", failed == 0 and sending == 0),
        Figure(NAME, "sent; pending a retry; lost", f"{reached}; {retry}; {lost}",
               f"all {len(rows)} in the first two, 0 lost", lost == 0),
    ]  # fmt: skip
