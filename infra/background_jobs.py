"""The job queue interface: run a function by id, later, somewhere else.

Jobs take ids, not objects, and are idempotent, so running one twice is harmless
(the outbox sweep re-enqueues anything whose first enqueue was lost).

- `ThreadJobQueue`: the embedded default; a daemon thread in this process.
- `RqJobQueue`: Redis + rq; `nalish worker` processes run the jobs.
- No queue configured (a CLI command): nothing is enqueued and the sweep of the
  running app or worker picks the work up.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from infra.installed import Installed

log = logging.getLogger(__name__)

_AFTER_COMMIT_KEY = "nalish_jobs_after_commit"


class JobQueue(Protocol):
    def enqueue(self, func: Callable[..., Any], *args: Any) -> None: ...


class ThreadJobQueue:
    """Runs jobs one at a time on a daemon thread of this process."""

    def __init__(self, name: str = "nalish-jobs") -> None:
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        self._queue.put((func, args))

    def join(self) -> None:
        """Block until every job enqueued so far has run (tests, shutdown)."""
        self._queue.join()

    def stop(self) -> None:
        """Finish the job running now and drop the ones waiting.

        Dropping is safe: every job is idempotent over durable rows, and the sweeps of
        the next start pick up what was not done. Running them all could outlast the
        shutdown and touch a database the process has already let go of.
        """
        self._drop_waiting()
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _drop_waiting(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
            self._queue.task_done()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                func, args = item
                func(*args)
            except Exception:
                log.exception("job %s%r failed", getattr(item[0], "__name__", item[0]), item[1])
            finally:
                self._queue.task_done()


class RqJobQueue:
    """Enqueues jobs on an rq queue in Redis for `nalish worker` to run."""

    def __init__(self, rq_queue: Any) -> None:
        self._rq_queue = rq_queue

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        self._rq_queue.enqueue(func, *args, job_timeout=60, result_ttl=300, failure_ttl=86400)


# The job queue the composition root (`nalish.wiring`) chose at start-up; None: none
# yet, and work that would be enqueued waits for the sweeps.
_job_queue: Installed[JobQueue] = Installed("no job queue installed")
set_job_queue = _job_queue.set
get_job_queue = _job_queue.get


def enqueue_after_commit(session: OrmSession, func: Callable[..., Any], *args: Any) -> None:
    """Enqueue `func(*args)` once `session` commits (nothing if it rolls back).

    The row the job works on is durable before the job can run, and a job is never
    queued for a row that was not written. Without a queue in this process (a CLI
    command), or with Redis down, nothing is lost: the periodic sweeps find the rows.
    """
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append((func, args))


@event.listens_for(OrmSession, "after_commit")
def _enqueue_committed(session: OrmSession) -> None:
    pending = session.info.pop(_AFTER_COMMIT_KEY, None)
    job_queue = get_job_queue()
    if not pending or job_queue is None:
        return
    for func, args in pending:
        try:
            job_queue.enqueue(func, *args)
        except Exception:  # Redis down: the row is durable; its sweep retries it
            log.exception("could not enqueue %s%s; the sweep will", func.__name__, args)


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back(session: OrmSession) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)
