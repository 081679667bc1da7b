"""postgres_restarted: PostgreSQL restarted (fast, 2 s down) while USSD and API traffic runs.

A failover, a minor-version upgrade or an OOM kill restarts the database under load.
Requests in flight fail, and that is honest; what must not happen is a reference
shown for a ticket that was never committed, an outbox row left `sending` forever (or
later marked failed though it was never tried), or an app that needs a restart to
talk to the database again. Targets: every reference shown is a ticket; no outbox row
stuck or failed; after the database is back, a new USSD complaint and a new API ticket
are filed by the same app process, and /readyz answers 200.
"""

from __future__ import annotations

import time

from faults import drive
from faults.figures import Figure
from faults.stack import Stack

NAME = "PostgreSQL restarted"
BEFORE, DOWN, AFTER = 3.0, 2.0, 8.0
SETTLE_SECONDS = 75  # the worker's outbox sweep runs every 60 s


def _probe(stack: Stack, token: str) -> tuple[bool, bool, int]:
    """(a USSD complaint filed, an API ticket filed, /readyz status) after the restart."""
    with drive.client(stack) as http:
        filing = drive.file_by_ussd(http, "No water in Badarganj after the restart")
        api = http.post(
            "/api/v1/tickets",
            json=drive.api_ticket(drive.unique_phone()),
            headers={"Authorization": f"Bearer {token}"},
        )
        ready = http.get("/readyz").status_code
    ussd_ok = filing.error is None and bool(drive.existing_refs(stack, [filing.ref]))
    return ussd_ok, api.status_code in (200, 201), ready


def run(stack: Stack) -> list[Figure]:
    token = stack.token("agent")
    first_row = drive.max_id(stack, "notification")
    pid_before = stack.app.pid if stack.app else None
    traffic = drive.Traffic(stack, ussd=3, api=3, api_token=token).start()
    time.sleep(BEFORE)
    stack.postgres.restart(down_seconds=DOWN)
    time.sleep(AFTER)
    traffic.stop()
    ussd_ok, api_ok, ready = _probe(stack, token)
    same_app = stack.app is not None and stack.app.poll() is None and stack.app.pid == pid_before
    stack.wait_outbox_settled(timeout=SETTLE_SECONDS)
    left = drive.outbox_left(stack, first_row)
    stuck = left.get("sending", 0) + left.get("failed", 0)
    due = stack.postgres.query(
        "SELECT count(*) FROM notification WHERE id > %s AND status = 'pending' "
        "AND next_attempt_at <= now()",
        first_row,
    )[0][0]
    refs = traffic.refs_shown
    found = drive.existing_refs(stack, refs)
    return [
        Figure(NAME, "references shown that are tickets", f"{len(found)} of {len(refs)}", "all",
               len(found) == len(refs)),
        Figure(NAME, f"outbox rows sending, failed or overdue {SETTLE_SECONDS} s after",
               f"{stuck + due} ({left})", "0", stuck + due == 0),
        Figure(NAME, "the same app process files again (USSD; API; /readyz)",
               f"{'yes' if ussd_ok else 'no'}; {'yes' if api_ok else 'no'}; {ready}",
               "yes; yes; 200", ussd_ok and api_ok and ready == 200 and same_app),
        Figure(NAME, "error answers during the restart", f"{traffic.errors} of "
               f"{traffic.attempts}", "(shown)", None),
    ]  # fmt: skip
