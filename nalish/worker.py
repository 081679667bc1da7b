"""`nalish worker`: an rq worker that sends SMS and runs the periodic jobs.

Uses rq's SimpleWorker (jobs run in this process, no fork per job): our jobs are short
database-and-HTTP calls, and a fork per job would open a new database connection each
time. Run as many workers as the load needs; periodic jobs are enqueued once per
interval whichever worker ticks first (see `nalish.periodic`).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

import redis
from rq import SimpleWorker
from rq.exceptions import StopRequested

from channels.channel_log import CHANNEL_LOG
from grievance_engine import outbox
from infra import background_jobs
from infra.settings import Settings
from nalish import periodic, wiring

log = logging.getLogger("nalish.worker")

# How long shutdown waits for each of rq's helpers (its pub/sub thread, its scheduler
# process) before leaving it behind. Both together stay well inside the 30 s grace
# period a container gets between SIGTERM and SIGKILL (docker/compose.yaml).
HELPER_STOP_SECONDS = 3.0
# Between rq loops when one quits on a Redis error (see _work_until_stopped).
RESTART_PAUSE_SECONDS = 2.0


class Worker(SimpleWorker):
    """rq's SimpleWorker whose shutdown never waits without bound on a helper.

    After Redis restarts, rq's pub/sub thread (commands such as "stop this job") can be
    left waiting 60 s at a time for a re-subscription that never comes, and rq's
    teardown joins it with no bound: the worker ignored SIGTERM until the container was
    killed mid-teardown. The thread is a daemon and holds no work of ours, so we give
    it a few seconds and exit without it. The scheduler process is not a daemon (Python
    would wait for it at exit), so one that ignores its SIGTERM is killed.
    """

    def request_stop(self, signum, frame) -> None:
        _stop.set()  # first: rq's own handling may fail while Redis is down
        super().request_stop(signum, frame)

    def register_death(self) -> None:
        # Part of teardown: with Redis down at SIGTERM it raised and the worker exited
        # with a traceback, skipping the rest of its teardown.
        try:
            super().register_death()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("could not record this worker's exit in Redis (%s)", exc)

    def unsubscribe(self) -> None:
        _bounded(super().unsubscribe, "rq's pub/sub thread")

    def stop_scheduler(self) -> None:
        if not _bounded(super().stop_scheduler, "rq's scheduler process"):
            process = self.scheduler._process  # rq's own handle on it; rq reads it too
            if process is not None and process.is_alive():
                process.kill()


def _bounded(stop: Callable[[], None], what: str) -> bool:
    """Run `stop` for at most HELPER_STOP_SECONDS; whether it finished."""
    helper = threading.Thread(target=stop, name=f"nalish-stop {what}", daemon=True)
    helper.start()
    helper.join(HELPER_STOP_SECONDS)
    if helper.is_alive():
        log.warning("%s did not stop within %.0f s; exiting without it", what, HELPER_STOP_SECONDS)
        return False
    return True


def run(settings: Settings, *, burst: bool) -> None:
    if settings.embedded:
        raise SystemExit(
            "nalish worker needs NALISH_REDIS_URL; in embedded mode `nalish serve` runs jobs itself"
        )
    job_queue = wiring.configure_process(settings).job_queue
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
        _work_until_stopped(queue, connection, burst=burst)
    finally:
        if ticker is not None:
            ticker.stop()
        CHANNEL_LOG.stop()
        background_jobs.set_job_queue(None)


def _work_until_stopped(queue, connection: redis.Redis, *, burst: bool) -> None:
    """rq's loop, started again when it quits on its own, until a signal ends it.

    rq quits its loop on a Redis error met outside its reconnecting dequeue (the
    heartbeat, the suspension check, a job's bookkeeping), and its constructor needs
    Redis: a Redis crash would end the worker for good. We start it again after a
    pause; only SIGTERM/SIGINT ends the worker. A burst runs once.
    """
    if burst:
        Worker([queue], connection=connection).work(burst=True, logging_level="INFO")
        return
    _stop.clear()
    while not _stop.is_set():
        for signum in (signal.SIGTERM, signal.SIGINT):  # rq installs its own in work()
            signal.signal(signum, _note_stop)
        try:
            Worker([queue], connection=connection).work(with_scheduler=True, logging_level="INFO")
        except StopRequested:
            _stop.set()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("rq's loop could not run: %s", exc)
        if not _stop.wait(RESTART_PAUSE_SECONDS):
            log.warning("starting rq's loop again (it quit, Redis unreachable?)")
    log.info("nalish worker stopped on request")


_stop = threading.Event()


def _note_stop(signum, frame) -> None:
    _stop.set()
