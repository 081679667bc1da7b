"""The suite's own servers: PostgreSQL, Redis, a fake SMS gateway, `nalish serve` and
`nalish worker`, each on a free port of 127.0.0.1, stopped at the end whatever happens.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379): the fault scenarios
kill and restart servers, which would break everyone else's tests.

- PostgreSQL: `initdb` into a temporary directory as the `postgres` OS user (initdb
  refuses root), `pg_ctl` on a free port, its socket in that directory. fsync is off:
  the suite restarts the server cleanly (`pg_ctl restart -m fast`), it never pulls the
  plug on the machine, so durability across a power cut is not what is tested.
- Redis: `redis-server` on a free port, no persistence (as in the compose file): a
  `kill -9` loses everything in it, which is the point of the Redis scenario.
- The SMS gateway: the worker sends through the `http` transport (Kannel's `sendsms`
  interface) to a small server in this process that records every message it is
  handed. So "sent exactly once" is counted where the message leaves, not taken from
  the outbox's own word.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # .venv/bin: the `nalish` CLI lives next to this python
AT_TOKEN = "faults-at-token"
GATEWAY_SECRET = "faults-gateway-secret"
WORKER_GRACE_SECONDS = 20  # what `docker stop` and systemd give a process by default


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the `postgres` user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Postgres:
    """A PostgreSQL cluster of the suite's own, in a temporary directory."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "pg"
        self.port = free_port()
        self.bin = _pg_bin()
        self.log = workdir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/nalish"

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), *args]
        return subprocess.run(  # noqa: S603 (PostgreSQL's own tools)
            _as_postgres(command), capture_output=True, text=True, check=check, timeout=120
        )

    def start(self) -> None:
        self.dir.mkdir(parents=True)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.log, "postgres")
            shutil.chown(self.dir.parent, "postgres")
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust"]
            ),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c deadlock_timeout=1s"
        )
        self._ctl("-w", "-o", options, "start")
        self.options = options
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
            admin.execute("CREATE DATABASE nalish")

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=nalish"

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop the server (fast: open connections are cut), wait, start it again."""
        self._ctl("-w", "-m", "fast", "stop")
        time.sleep(down_seconds)
        self._ctl("-w", "-o", self.options, "start")

    def stop(self) -> None:
        if (self.dir / "postmaster.pid").exists():
            self._ctl("-w", "-m", "immediate", "stop", check=False)

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Redis:
    """A redis-server of the suite's own, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.log = workdir / "redis.log"
        self.dir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.dir), "--logfile", str(self.log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def kill9(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


@dataclass
class Gateway:
    """A Kannel-like `sendsms` endpoint that records every message handed to it."""

    port: int = field(default_factory=free_port)
    received: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def template(self) -> str:
        return (
            f"http://127.0.0.1:{self.port}/cgi-bin/sendsms?to={{to_e164}}&text={{text}}"
            "&id={id}&from={from}"
        )

    def counts(self) -> Counter[tuple[str, str]]:
        return Counter(self.received)

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self, query: str) -> None:
                fields = parse_qs(query)
                gateway.received.append((fields.get("to", [""])[0], fields.get("text", [""])[0]))
                body = b"0: Accepted for delivery"
                self.send_response(202)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._record(urlsplit(self.path).query)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._record(self.rfile.read(length).decode("utf-8", "replace"))

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class Stack:
    """Everything a scenario drives: URLs, the CLI, and the processes it may kill."""

    def __init__(self, workdir: Path, *, surge_seconds: float) -> None:
        self.workdir = workdir
        self.surge_seconds = surge_seconds
        self.postgres = Postgres(workdir)
        self.redis = Redis(workdir)
        self.gateway = Gateway()
        self.app_port = free_port()
        self.app: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}

    # ------------------------------------------------------------ the processes

    def start(self) -> None:
        self.postgres.start()
        self.redis.start()
        self.gateway.start()
        base = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
        self.env = base | {
            "NALISH_ENV": "test",
            "NALISH_SECRET_KEY": secrets.token_urlsafe(32),
            "NALISH_COUNTRY": "BD",
            "NALISH_DATABASE_URL": self.postgres.url,
            "NALISH_REDIS_URL": self.redis.url,
            "NALISH_REDIS_PREFIX": "faults",
            "NALISH_AT_WEBHOOK_TOKEN": AT_TOKEN,
            "NALISH_SMS_TRANSPORT": "http",
            "NALISH_HTTP_GATEWAY_SEND_URL": self.gateway.template,
            "NALISH_HTTP_GATEWAY_SENDER": "333",
            "NALISH_HTTP_GATEWAY_SECRET": GATEWAY_SECRET,
            "NALISH_PUBLIC_BASE_URL": self.base_url,
            # every SMS goes out when written: quiet hours would hold news at night
            "NALISH_QUIET_HOURS": "",
            "NALISH_MEDIA_DIR": str(self.workdir / "media"),
            "PYTHONUNBUFFERED": "1",
        }
        self.nalish("db", "upgrade")
        self.nalish("seed")
        # people to assign to: intake assigns a ticket to a member of its office, and a
        # retried intake that re-ran assignment was one of main's failures
        for role, district in (("officer", "Rangpur"), ("officer", "Rangpur"), ("agent", None)):
            where = ["--district", district] if district else []
            email = f"{role}-{secrets.token_hex(3)}@faults.example"
            self.nalish("users", "create", "--email", email, "--role", role, *where,
                        "--password", secrets.token_urlsafe(12))  # fmt: skip
        self.start_app()
        self.start_worker()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def start_app(self) -> None:
        log = (self.workdir / "app.log").open("a")
        port = str(self.app_port)
        command = [str(BIN / "nalish"), "serve", "--host", "127.0.0.1", "--port", port]
        self.app = subprocess.Popen(  # noqa: S603 (our own CLI)
            command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.app.poll() is not None:
                raise SystemExit(f"nalish serve exited:\n{self.tail('app.log')}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise SystemExit(f"nalish serve not ready after 60 s:\n{self.tail('app.log')}")

    def start_worker(self, env: dict[str, str] | None = None) -> subprocess.Popen:
        """`nalish worker` with the stack's environment, plus `env`."""
        log = (self.workdir / "worker.log").open("a")
        worker = subprocess.Popen(  # noqa: S603
            [str(BIN / "nalish"), "worker"],
            env=self.env | (env or {}),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def kill9_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
        self.workers = []

    def stop_worker(self, worker: subprocess.Popen, grace: float = WORKER_GRACE_SECONDS) -> float:
        """SIGTERM, then seconds until it exited (inf: still running at the grace
        period's end, and killed; nan: it had already exited)."""
        if worker.poll() is not None:
            if worker in self.workers:
                self.workers.remove(worker)
            return float("nan")
        began = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            return float("inf")
        finally:
            if worker in self.workers:
                self.workers.remove(worker)
        return time.monotonic() - began

    def stop(self) -> None:
        """Stop everything started, each step whatever the one before did."""
        for worker in list(self.workers):
            with contextlib.suppress(Exception):
                self.stop_worker(worker, grace=5)
        if self.app and self.app.poll() is None:
            self.app.terminate()
            try:
                self.app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.app.kill()
                self.app.wait()
        for step in (self.gateway.stop, self.redis.stop, self.postgres.stop):
            with contextlib.suppress(Exception):
                step()

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / name
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------ the CLI

    def nalish(self, *args: str, check: bool = True, timeout: float = 120):
        done = subprocess.run(  # noqa: S603 (our own CLI)
            [str(BIN / "nalish"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"nalish {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done

    def nalish_json(self, *args: str):
        return json.loads(self.nalish(*args).stdout)

    def token(self, role: str, district: str | None = None) -> str:
        args = ["tokens", "create", "--name", f"faults-{secrets.token_hex(3)}", "--role", role]
        if district:
            args += ["--district", district]
        out = self.nalish(*args, "--json").stdout
        data = json.loads(out)
        return data["token"] if isinstance(data, dict) else str(data)

    # ------------------------------------------------------------ waiting

    def wait_outbox_settled(self, timeout: float = 60.0, *, sending_too: bool = True) -> None:
        """Wait until no outbox row is pending and due (nor, with `sending_too`, being
        sent), or `timeout` seconds; a row left `sending` by a dead worker waits for ever."""
        busy = "status = 'pending' AND next_attempt_at <= now()"
        if sending_too:
            busy += " OR status = 'sending'"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                query = f"SELECT count(*) FROM notification WHERE {busy}"  # noqa: S608
                if not self.postgres.query(query)[0][0]:
                    return
            except Exception:  # noqa: S110 (the database may be coming back: ask again)
                pass
            time.sleep(0.5)


@contextlib.contextmanager
def running(*, keep: bool = False, surge_seconds: float = 30.0):
    """A started stack, stopped (and its directory removed unless `keep`) on the way out."""
    workdir = Path(tempfile.mkdtemp(prefix="nalish-faults-"))
    os.chmod(workdir, 0o755)  # noqa: S103 (the postgres user must reach its data directory)
    stack = Stack(workdir, surge_seconds=surge_seconds)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
