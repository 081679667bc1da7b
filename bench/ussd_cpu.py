"""CPU time per USSD hop, in process, by hop: the figure that a busy machine moves least.

Method. The app (`nalish.app.create_app`, its lifespan run, every middleware) and a
bare FastAPI app answering a fixed ``CON`` screen are called as ASGI apps in this
process, with no sockets and no load generator, one hop at a time: the session mix of
`ussd_hop.py --mix realistic` (dial as a new phone, English, New complaint, 7 x
More/Back), `--sessions` sessions after 20 unmeasured. Each hop's CPU time is taken
with `time.thread_time()` (the event loop's thread: where hops queue behind each other)
and the whole process's with `time.process_time()` (worker threads too: a first hop's
database query, the channel-log writer). The database is a throw-away PostgreSQL
database (``--sqlite``: a temporary SQLite file), migrated and seeded; sessions in
Redis database 13 under a prefix unique to the run, deleted at the end.

Printed, never asserted.

    .venv/bin/python bench/ussd_cpu.py [--sessions 200] [--sqlite]
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import common
import ussd_hop

TEXTS = ["", "2", "2*1", *("*".join(["2", "1", *(["98", "0"] * 4)[:k]]) for k in range(1, 8))]
NAMES = ["dial (new phone)", "2 English", "1 New complaint", *(["98 More", "0 Back"] * 4)[:7]]


def _scope(body: bytes) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": ussd_hop.USSD_PATH,
        "raw_path": ussd_hop.USSD_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }


async def _hop(app, form: dict[str, str]) -> bytes:
    body = urlencode(form).encode()
    chunks: list[bytes] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        chunks.append(message.get("body", b""))

    await app(_scope(body), receive, send)
    return b"".join(chunks)


async def _sessions(app, first: int, count: int, run: int, loop_cpu: list[float]) -> None:
    for session in range(first, first + count):
        form = {
            "sessionId": f"ATUid_cpu_{run}_{session}",
            "serviceCode": "*333#",
            "phoneNumber": f"+88017{run:03d}{session:05d}",
            "networkCode": "47001",
        }
        for position, form["text"] in enumerate(TEXTS):
            started = time.thread_time()
            screen = await _hop(app, form)
            loop_cpu[position] += time.thread_time() - started
            if not screen.startswith(b"CON "):
                raise SystemExit(f"hop {form['text']!r} answered {screen[:120]!r}")


async def _measure(app, sessions: int) -> tuple[list[float], float, float]:
    """CPU µs per hop by position (event loop thread), and per hop overall (loop, process)."""
    run = secrets.randbelow(1000)
    await _sessions(app, 0, 20, run, [0.0] * len(TEXTS))  # warm-up
    loop_cpu = [0.0] * len(TEXTS)
    process0, thread0 = time.process_time(), time.thread_time()
    await _sessions(app, 20, sessions, run, loop_cpu)
    hops = sessions * len(TEXTS)
    process = (time.process_time() - process0) / hops * 1e6
    loop = (time.thread_time() - thread0) / hops * 1e6
    return [cpu / sessions * 1e6 for cpu in loop_cpu], loop, process


def _bare_app():
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.post(ussd_hop.USSD_PATH)
    async def ussd() -> PlainTextResponse:
        return PlainTextResponse("CON Choose:\n1. Water\n2. Electricity")

    return app


async def _ours(sessions: int, profile: str | None = None):
    from nalish.app import create_app

    app = create_app()
    async with app.router.lifespan_context(app):
        if not profile:
            return await _measure(app, sessions)
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # the loop thread's CPU, not wall time
        profiler.enable()
        try:
            return await _measure(app, sessions)
        finally:
            profiler.disable()
            profiler.dump_stats(profile)


def main() -> int:
    parser = common.argument_parser(__doc__)
    parser.add_argument("--sessions", type=int, default=200, help="measured sessions")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile our run (the event loop's thread) into FILE"
    )
    args = parser.parse_args()
    common.drop_database_on_sigterm()
    prefix = f"nalish-bench-{secrets.token_hex(4)}"
    with (
        tempfile.TemporaryDirectory(prefix="nalish-cpu-") as tmp,
        common.database(args.sqlite, Path(tmp)) as (url, name),
    ):
        env = {"NALISH_REDIS_URL": ussd_hop.REDIS_URL, "NALISH_REDIS_PREFIX": prefix}
        common.point_settings_at(url, **env)
        ussd_hop._nalish(_environ(url, env), "db", "upgrade")
        ussd_hop._nalish(_environ(url, env), "seed")
        try:
            _, bare_loop, bare_process = asyncio.run(_measure(_bare_app(), args.sessions))
            by_hop, loop, process = asyncio.run(_ours(args.sessions, args.profile))
        finally:
            ussd_hop._delete_redis_keys(prefix)
    print(f"USSD hop CPU in process, {args.sessions} sessions of 10 hops; code {common.revision()}")
    print(f"on {name}, sessions in Redis; the bare endpoint the same way\n")
    print(f"{'hop':<22} {'loop CPU us':>12}")
    for hop_name, cpu in zip(NAMES, by_hop, strict=True):
        print(f"{hop_name:<22} {cpu:>12.0f}")
    print(f"\n{'per hop, all 10':<22} {'loop us':>8} {'process us':>11}")
    print(f"{'bare FastAPI':<22} {bare_loop:>8.0f} {bare_process:>11.0f}")
    print(f"{'ours':<22} {loop:>8.0f} {process:>11.0f}")
    print(f"ratio bare/ours (loop CPU): {bare_loop / loop:.2f}")
    return 0


def _environ(url: str, env: dict[str, str]) -> dict[str, str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
    return base | {"NALISH_ENV": "dev", "NALISH_COUNTRY": "BD", "NALISH_DATABASE_URL": url} | env


if __name__ == "__main__":
    raise SystemExit(main())
