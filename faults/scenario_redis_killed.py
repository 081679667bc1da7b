"""redis_killed: Redis is killed (-9) while USSD and SMS traffic runs, then restarted.

Redis holds menu sessions, the job queue and locks; the database holds what is
durable. docs/architecture.md ("Processes and stores"): losing Redis may lose menu
sessions in flight, never a ticket, a deadline or a message. So the targets are: every
reference a caller was shown is a ticket; every outbox row written before, during and
after is eventually sent, by the worker that was running (it must reconnect and sweep
up the jobs Redis forgot); and that worker still stops within its grace period on
SIGTERM afterwards (at main it hung, stuck joining rq's pub/sub thread). That hang
shows when Redis dies while the worker waits for work rather than in a job, so 5 s
after the outbox is quiet Redis is killed a second time, started again 3 s later, and
the worker is sent SIGTERM 5 s after that. The answers citizens got while Redis was
down (5xx on the SMS webhook make the telco retry) are shown, not judged.
"""

from __future__ import annotations

import time

from faults import drive
from faults.figures import Figure
from faults.stack import WORKER_GRACE_SECONDS, Stack

NAME = "Redis killed"
BEFORE, DOWN, AFTER = 3.0, 3.0, 6.0
IDLE_BEFORE, IDLE_AFTER = 5.0, 5.0
SETTLE_SECONDS = 75  # the worker's outbox sweep runs every 60 s


def run(stack: Stack) -> list[Figure]:
    first_row = drive.max_id(stack, "notification")
    worker = stack.workers[-1] if stack.workers else stack.start_worker()
    traffic = drive.Traffic(stack, ussd=3, sms=3).start()
    time.sleep(BEFORE)
    stack.redis.kill9()
    time.sleep(DOWN)
    stack.redis.start()
    time.sleep(AFTER)
    traffic.stop()
    alive = worker.poll() is None
    if not alive:
        worker = stack.start_worker()  # as a supervisor would; the figure below says so
    stack.wait_outbox_settled(timeout=SETTLE_SECONDS)
    left = drive.outbox_left(stack, first_row)
    unsent = sum(n for status, n in left.items() if status not in ("sent", "delivered"))
    refs = traffic.refs_shown
    found = drive.existing_refs(stack, refs)
    sms_5xx = sum(1 for s in traffic.sms_statuses if s >= 500 or s == 0)
    ussd_bad = sum(1 for f in traffic.filings if f.error)
    time.sleep(IDLE_BEFORE)  # the worker waits for work
    stack.redis.kill9()  # again, the worker idle this time
    time.sleep(DOWN)
    stack.redis.start()
    time.sleep(IDLE_AFTER)
    stopped_in = stack.stop_worker(worker)
    stack.start_worker()  # for the scenarios after this one
    return [
        Figure(NAME, "references shown that are tickets", f"{len(found)} of {len(refs)}", "all",
               len(found) == len(refs)),
        Figure(NAME, f"outbox rows not sent {SETTLE_SECONDS} s after", f"{unsent} of "
               f"{sum(left.values())} ({left})", "0", unsent == 0),
        Figure(NAME, "the worker after Redis came back", "running" if alive else "had exited",
               "running", alive),
        Figure(NAME, "after a second kill with the worker idle, it stops on SIGTERM in",
               _stopped(stopped_in),
               f"< {WORKER_GRACE_SECONDS} s", stopped_in < WORKER_GRACE_SECONDS),
        Figure(NAME, f"answers while Redis was down {DOWN:g} s: SMS webhook 5xx; USSD errors",
               f"{sms_5xx} of {len(traffic.sms_statuses)}; {ussd_bad} of {len(traffic.filings)}",
               "(shown)", None),
    ]  # fmt: skip


def _stopped(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "it had already exited"
    return "did not stop (killed)" if seconds == float("inf") else f"{seconds:.1f} s"
