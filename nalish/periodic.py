"""Periodic jobs: every schedule in one table, and the two ways of running it.

| name              | every | job                             | why                                |
| ----------------- | ----- | ------------------------------- | ---------------------------------- |
| sla-sweep         | 60 s  | `nalish.jobs.sla_sweep`         | escalate tickets past deadline,    |
|                   |       |                                 | remind owners, close unrated ones  |
| outbox-sweep      | 60 s  | `nalish.jobs.outbox_sweep`      | send due retries and SMS whose     |
|                   |       |                                 | enqueue was lost; flag stale sends |
| inbound-sweep     | 60 s  | `nalish.jobs.inbound_sweep`     | act on inbound SMS recorded but    |
|                   |       |                                 | never processed (a crash mid-way)  |
| attachment-sweep  | 60 s  | `nalish.jobs.attachment_sweep`  | fetch due attachments: retries,    |
|                   |       |                                 | expired leases, lost enqueues      |
| webhook-sweep     | 60 s  | `nalish.jobs.webhook_sweep`     | send due webhook retries and any   |
|                   |       |                                 | whose enqueue was lost             |
| open-data-publish | 24 h  | `nalish.jobs.open_data_publish` | write the open-data CSV and JSON   |
|                   |       |                                 | to NALISH_OPEN_DATA_DIR            |
| erasure-sweep     | 5 min | `nalish.jobs.erasure_sweep`     | erase citizens who asked, and by   |
|                   |       |                                 | NALISH_RETENTION_DAYS              |
| channel-log-purge | 1 h   | `nalish.jobs.channel_log_purge` | keep the channel log to its        |
|                   |       |                                 | retention period                   |
| expired-keys-purge| 1 h   | `nalish.jobs.expired_keys_purge`| drop API idempotency keys after    |
|                   |       |                                 | 24 h, sign-in counts after 15 min  |

- Embedded mode: a daemon thread in the web process runs each job on the thread queue
  when it is due.
- With Redis: each `nalish worker` runs a ticker; a job is enqueued only by the worker
  that wins `SET key NX EX interval`, so N workers still enqueue it once per interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import redis

from infra import background_jobs
from nalish import jobs as nalish_jobs

log = logging.getLogger("nalish.periodic")


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    job: Callable[[], object]


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("sla-sweep", 60, nalish_jobs.sla_sweep),
    Periodic("outbox-sweep", 60, nalish_jobs.outbox_sweep),
    Periodic("inbound-sweep", 60, nalish_jobs.inbound_sweep),
    Periodic("attachment-sweep", 60, nalish_jobs.attachment_sweep),
    Periodic("webhook-sweep", 60, nalish_jobs.webhook_sweep),
    Periodic("open-data-publish", 86400, nalish_jobs.open_data_publish),
    Periodic("erasure-sweep", 300, nalish_jobs.erasure_sweep),
    Periodic("channel-log-purge", 3600, nalish_jobs.channel_log_purge),
    Periodic("expired-keys-purge", 3600, nalish_jobs.expired_keys_purge),
)

TICK_SECONDS = 5


class Ticker:
    """Runs on a daemon thread; on each tick, enqueues the schedule's due jobs."""

    def __init__(self, enqueue_if_due: Callable[[Periodic], bool]) -> None:
        self._enqueue_if_due = enqueue_if_due
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nalish-periodic", daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            for periodic in SCHEDULE:
                try:
                    self._enqueue_if_due(periodic)
                except Exception:
                    log.exception("could not schedule %s", periodic.name)
            self._stop.wait(TICK_SECONDS)


def in_process(
    job_queue: background_jobs.JobQueue, clock: Callable[[], float]
) -> Callable[[Periodic], bool]:
    """Due-check for one process: remembers when each job last ran."""
    last_run: dict[str, float] = {}

    def enqueue_if_due(periodic: Periodic) -> bool:
        now = clock()
        if now - last_run.get(periodic.name, float("-inf")) < periodic.every_seconds:
            return False
        last_run[periodic.name] = now
        job_queue.enqueue(periodic.job)
        return True

    return enqueue_if_due


def across_workers(
    job_queue: background_jobs.JobQueue, connection: redis.Redis, prefix: str
) -> Callable[[Periodic], bool]:
    """Due-check shared by every worker through one Redis key per job."""

    def enqueue_if_due(periodic: Periodic) -> bool:
        key = f"{prefix}:periodic:{periodic.name}"
        if not connection.set(key, "1", nx=True, ex=periodic.every_seconds):
            return False
        job_queue.enqueue(periodic.job)
        return True

    return enqueue_if_due
