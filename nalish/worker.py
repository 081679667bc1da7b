"""`nalish worker`: an rq worker that sends SMS and runs the periodic jobs.

Uses rq's SimpleWorker (jobs run in this process, no fork per job): our jobs are short
database-and-HTTP calls, and a fork per job would open a new database connection each
time. Run as many workers as the load needs; periodic jobs are enqueued once per
interval whichever worker ticks first (see `nalish.periodic`).
"""

from __future__ import annotations

import logging

from rq import SimpleWorker

from grievance_engine import jobs, outbox
from grievance_engine.channel_log import CHANNEL_LOG
from grievance_engine.settings import Settings
from nalish import periodic, wiring

log = logging.getLogger("nalish.worker")


def run(settings: Settings, *, burst: bool) -> None:
    if settings.embedded:
        raise SystemExit(
            "nalish worker needs NALISH_REDIS_URL; in embedded mode `nalish serve` runs jobs itself"
        )
    job_queue = wiring.configure_process(settings)
    CHANNEL_LOG.start()
    connection = wiring.redis_client(settings, blocking=True)
    queue = wiring.rq_queue(settings, connection)
    ticker = None
    if burst:
        # One pass: pick up everything pending now, then work until the queue is empty.
        outbox.sweep(job_queue=job_queue)
    else:
        ticker = periodic.Ticker(
            periodic.across_workers(job_queue, connection, settings.redis_prefix)
        ).start()
    try:
        worker = SimpleWorker([queue], connection=connection)
        worker.work(burst=burst, with_scheduler=not burst, logging_level="INFO")
    finally:
        if ticker is not None:
            ticker.stop()
        CHANNEL_LOG.stop()
        jobs.set_job_queue(None)
