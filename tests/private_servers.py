"""Servers of a test's own on free ports: `nalish serve` started by a test
(`free_port`, `wait_until_healthy`), and Redis and PostgreSQL for fault tests that
kill and restart them (the shared servers of tests/services.py are never touched).

PostgreSQL refuses to run as root, so when the tests run as root the cluster is
created and started as the `postgres` user (`runuser`), in a directory it owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(
    url: str, process: subprocess.Popen, log: Path, *, seconds: float = 60
) -> None:
    """Return once the `nalish serve` at `url` answers /healthz; fail the test, with
    its log, if it exits or does not answer within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`nalish serve` exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    process.kill()
    pytest.fail(
        f"`nalish serve` did not answer /healthz within {seconds:.0f} s:\n{log.read_text()}"
    )


def wait_until(ready, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {seconds:.0f} s")
        time.sleep(0.1)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class RedisServer:
    """`redis-server` on a free port, with no persistence; kill -9 and start again."""

    def __init__(self) -> None:
        self._binary = shutil.which("redis-server")
        if self._binary is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="nalish-redis-")
        self._process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self._process = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self._dir],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _answers(self.port), seconds=20, what="redis-server answering")
        return self

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-conversation, as in a crash or an OOM kill."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip("PostgreSQL server binaries are not installed")
    return found[-1]


class PostgresServer:
    """A private PostgreSQL cluster (initdb into a temp dir) on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._dir = Path(tempfile.mkdtemp(prefix="nalish-pg-"))
        self._data = self._dir / "data"
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        self._as_postgres = [runuser, "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_postgres:
            shutil.chown(self._dir, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self._data), "-U", "postgres", "-A", "trust")

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self._as_postgres, *command], check=True, capture_output=True, cwd=self._dir
        )

    def start(self) -> PostgresServer:
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self._data), "-l", str(self._dir / "log"), "-w",
            "-o", f"-p {self.port} -k {self._dir} -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is the blip: every connection dropped at once, no clean shutdown."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self._data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self._dir, ignore_errors=True)


CHROMIUM = Path("/usr/bin/chromium")


def skip_unless_browser() -> None:
    """Skip the calling test module unless Debian's Chromium and playwright are here;
    `NALISH_REQUIRE_BROWSER=1` (set by .ci/run) turns the skip into a failure."""
    import importlib.util

    problems = []
    if not CHROMIUM.exists():
        problems.append(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        problems.append("the playwright package is not installed (pip install -e '.[dev]')")
    if not problems:
        return
    reason = "; ".join(problems)
    if os.environ.get("NALISH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"NALISH_REQUIRE_BROWSER=1 but a browser test cannot run: {reason}")
    pytest.skip(f"browser test skipped — {reason}", allow_module_level=True)


@contextlib.contextmanager
def serving(env: dict[str, str], home: Path):
    """`nalish serve` on a free port with `env`, its log in `home`; yields its URL."""
    port = free_port()
    with nalish_serving(env, port, home / "serve.log"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def nalish_serving(env: dict[str, str], port: int, log: Path, *, seconds: float = 60):
    """`nalish serve` on `port` with `env`, its output in `log`, healthy before the
    block runs; stopped (terminated, else killed) after it."""
    import sys

    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nalish", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process, log, seconds=seconds)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
