"""`python -m faults.later MINUTES`: run the outbox sweep once, as if MINUTES had passed.

Run in a process of its own with the stack's environment. The periodic outbox sweep
gives up on a message claimed longer ago than NALISH_OUTBOX_STALE_SENDING_MINUTES (by
a worker that died mid-send); rather than wait that long, the worker-killed scenario
runs the same sweep with the clock moved on, and then sees what became of each row.
The deliveries it enqueues run in the real worker, on the real clock.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from grievance_engine import outbox
from infra import clock
from infra.settings import get_settings
from nalish import wiring


def main(minutes: float) -> int:
    job_queue = wiring.configure_process(get_settings()).job_queue
    with clock.frozen_at(clock.now() + timedelta(minutes=minutes)):
        enqueued = outbox.sweep(job_queue=job_queue)
    print(enqueued)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(float(sys.argv[1])))
