"""Job functions run by the thread queue or by `nalish worker` (rq imports them by name).

Jobs take ids, not objects, and are idempotent.
"""

from __future__ import annotations

import logging

from grievance_engine import jobs, outbox

log = logging.getLogger("nalish.jobs")


def outbox_sweep() -> int:
    """Re-enqueue due pending SMS. Safe to run concurrently: each send claims its row."""
    job_queue = jobs.get_job_queue()
    if job_queue is None:
        log.warning("outbox sweep skipped: no job queue in this process")
        return 0
    count = outbox.sweep(job_queue=job_queue)
    if count:
        log.info("outbox sweep enqueued %d message(s)", count)
    return count
