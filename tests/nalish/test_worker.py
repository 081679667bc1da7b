"""`nalish worker` as an orchestrator runs it: a real process, a real Redis of its own
that crashes and comes back, and a SIGTERM that must end the worker within the grace
period a container gets before SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nalish import migrate
from tests.private_servers import RedisServer, wait_until

# docker/compose.yaml gives the worker `stop_grace_period: 30s`.
GRACE_SECONDS = 30


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def start_worker(tmp_path: Path, redis_url: str) -> tuple[subprocess.Popen, Path]:
    database_url = f"sqlite:///{tmp_path / 'nalish.db'}"
    migrate.upgrade(database_url)
    env = {**os.environ, "NALISH_DATABASE_URL": database_url, "NALISH_REDIS_URL": redis_url}
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "nalish", "worker"], env=env, stdout=log, stderr=log
        )
    return worker, log_path


def logged(log_path: Path, text: str) -> bool:
    return text in log_path.read_text()


def stop_within_grace(worker: subprocess.Popen) -> int | None:
    """SIGTERM, then wait as long as an orchestrator would; the exit code, or None."""
    worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        return None


def crash_redis(redis_server, log_path: Path, *, restart: bool) -> None:
    redis_server.kill()
    wait_until(
        lambda: logged(log_path, "could not connect to Redis"),
        seconds=30,
        what="the worker noticing Redis gone",
    )
    time.sleep(3)  # Redis stays down across a few of the worker's retries
    if restart:
        redis_server.start()
        time.sleep(3)  # and the worker reconnects


def run_worker_through(tmp_path, redis_server, crashes) -> tuple[int | None, bool, str]:
    """Start a worker, put it through `crashes`, SIGTERM it; (exit code, whether it was
    still running at SIGTERM, its log)."""
    worker, log_path = start_worker(tmp_path, redis_server.url)
    try:
        wait_until(lambda: logged(log_path, "subscribing to channel"), seconds=60, what="worker up")
        for restart in crashes:
            crash_redis(redis_server, log_path, restart=restart)
        running = worker.poll() is None
        exit_code = stop_within_grace(worker)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    return exit_code, running, log_path.read_text()


def test_a_worker_rides_out_redis_restarts_and_then_stops_within_its_grace_period(
    tmp_path, redis_server
):
    # three crashes: what rq's pub/sub thread is doing after a restart depends on timing
    exit_code, running, log = run_worker_through(tmp_path, redis_server, [True, True, True])
    assert running, log[-3000:]
    assert exit_code == 0, log[-3000:]
    assert "nalish worker stopped on request" in log


def test_a_worker_stops_within_its_grace_period_while_redis_is_down(tmp_path, redis_server):
    exit_code, running, log = run_worker_through(tmp_path, redis_server, [False])
    assert running, log[-3000:]
    assert exit_code == 0, log[-3000:]
    assert "nalish worker stopped on request" in log
