"""Hostile input against the real server: `nalish serve` (uvicorn) on PostgreSQL + Redis.

The battery (tests/hostile.py) sends hundreds of malformed requests to every webhook, the
JSON API and /login; none may cost a 5xx, and every request that reached a webhook is in
the channel log. Then: random paths mint no metric series, a chunked body over the limit
is refused while it is still being sent, secrets never reach the server's log, every
answer carries the security headers, and production refuses to start (or to answer)
with a webhook open.
"""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from tests import services
from tests.hostile import battery
from tests.private_servers import free_port

AT_TOKEN = "at-token-hostile-0123456789"
TWILIO_TOKEN = "twilio-token-hostile-0123456789"
GATEWAY_SECRET = "gateway-secret-hostile-0123456789"
METRICS_TOKEN = "metrics-token-hostile-0123456789"
SECRETS = (AT_TOKEN, TWILIO_TOKEN, GATEWAY_SECRET)
AGENT = "agent.hostile@nalish.test"
PASSWORD = "hostile-agent-password-1"


@dataclass
class Server:
    url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]

    def nalish(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "nalish", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
    env.update(
        NALISH_ENV="test",
        NALISH_SECRET_KEY="hostile-test-secret-key-0123456789",
        NALISH_COUNTRY="BD",
        NALISH_QUIET_HOURS="",
        NALISH_SMS_TRANSPORT="console",
    )
    return env


def _start(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nalish", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`nalish serve` exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"`nalish serve` did not answer within 60 s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    services.require_services()
    url = services.create_database()
    prefix = services.redis_prefix()
    env = _base_env()
    env.update(
        NALISH_DATABASE_URL=url,
        NALISH_REDIS_URL=services.REDIS_URL,
        NALISH_REDIS_PREFIX=prefix,
        NALISH_AT_WEBHOOK_TOKEN=AT_TOKEN,
        NALISH_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        NALISH_HTTP_GATEWAY_SECRET=GATEWAY_SECRET,
        NALISH_METRICS_TOKEN=METRICS_TOKEN,
    )
    log = tmp_path_factory.mktemp("hostile") / "serve.log"
    process = None
    try:
        for command in (("db", "upgrade"), ("seed",)):
            subprocess.run(
                [sys.executable, "-m", "nalish", *command], env=env, check=True, capture_output=True
            )
        base_url, process = _start(env, log)
        yield Server(base_url, env, log, process)
    finally:
        if process is not None:
            _stop(process)
        services.drop_database(url)
        services.delete_redis_keys(prefix)


@pytest.fixture(scope="module")
def figures(server: Server) -> dict:
    """The battery, run once for the module's tests."""
    token = json.loads(
        server.nalish("tokens", "create", "--name", "hostile", "--role", "admin", "--json")
    )
    server.nalish(
        "users", "create", "--email", AGENT, "--role", "agent", "--password", PASSWORD,
        "--office", "national-triage", "--languages", "bn,en",
    )  # fmt: skip
    return battery(
        server.url,
        at_token=AT_TOKEN,
        twilio_auth_token=TWILIO_TOKEN,
        gateway_secret=GATEWAY_SECRET,
        api_token=token["token"],
        staff=(AGENT, PASSWORD),
    )


def _inbound_rows(server: Server) -> int:
    libpq = server.env["NALISH_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq) as connection:
        row = connection.execute(
            "SELECT count(*) FROM channel_exchange WHERE direction = 'in'"
        ).fetchone()
    return row[0] if row else 0


def test_a_hostile_battery_costs_no_5xx_and_no_unanswered_request(figures: dict) -> None:
    assert figures["requests"] >= 200
    assert figures["failures"] == []
    assert figures["5xx"] == 0 and figures["errors"] == 0


def test_hostile_bytes_are_cleaned_so_the_citizen_is_still_heard(figures: dict) -> None:
    by_case = figures["by_case"]
    # A NUL in a grievance's text, an SMS or a USSD answer is removed, not a failure.
    assert by_case["api nul in description"] == [201]
    assert by_case["api controls in description"] == [201]
    assert by_case["api lone-surrogate in description"] == [201]
    assert set(by_case["africastalking nul in text"]) == {200}  # USSD and SMS
    assert set(by_case["africastalking overlong in id"]) == {200}  # cut to the column
    assert by_case["twilio nul in Body"] == [200]  # the signature covers what was sent
    assert by_case["http GET nul in text"] == [200]
    # An agent's call-taking form and queue filters: cleaned too (303: filed, on to the ticket).
    assert by_case["staff intake nul in description"] == [303]
    assert by_case["staff intake controls in district"] == [303]
    assert by_case["staff queue filter nul"] == [200]
    # What cannot be read is refused, and named: never a 5xx.
    assert set(by_case["africastalking over-limit"]) == {413}
    assert set(by_case["africastalking nul in path"]) == {400}
    assert set(by_case["africastalking nul in wrong secret"]) == {403}
    assert set(by_case["http nul in wrong secret"]) == {403}


def test_every_request_that_reached_a_webhook_is_in_the_channel_log(
    server: Server, figures: dict
) -> None:
    assert figures["channel_requests"] >= 150
    deadline = time.monotonic() + 30  # the log is written by a thread, once a second
    while _inbound_rows(server) < figures["channel_requests"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _inbound_rows(server) == figures["channel_requests"]


def _channel_series(server: Server) -> list[str]:
    metrics = httpx.get(
        f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert metrics.status_code == 200
    return [
        line
        for line in metrics.text.splitlines()
        if line.startswith("nalish_channel_requests_total{")
    ]


def test_random_paths_mint_no_metric_series_and_no_log_rows(server: Server, figures: dict) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.post("/channels/warmup/x", data={"a": "1"})  # the "unmatched" series exists
        before, rows_before = _channel_series(server), _inbound_rows(server)
        for number in range(60):
            answer = client.post(f"/channels/random{number}x/y{number}", data={"a": "1"})
            assert answer.status_code == 404
    after = _channel_series(server)
    assert len(after) == len(before)
    assert not any("random" in line for line in after)
    providers = {_provider(line) for line in after}
    assert providers <= {"africastalking", "twilio", "http", "unmatched"}
    time.sleep(1.5)  # a second of the log writer: nothing from the random paths
    assert _inbound_rows(server) == rows_before


def _provider(line: str) -> str:
    found = re.search(r'provider="([^"]+)"', line)
    return found.group(1) if found else ""


def test_metrics_need_the_bearer_token_when_one_is_set(server: Server) -> None:
    assert httpx.get(f"{server.url}/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert httpx.get(f"{server.url}/metrics", headers=wrong).status_code == 401


def _chunked_post(url: str, path: str, *, chunk: bytes, total: int) -> tuple[int | None, int]:
    """POST `total` bytes in chunks, stopping as soon as the server answers; returns the
    status (None if it never answered) and how many body bytes were sent."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
        )
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        try:
            while sent < total:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable:
                    break
                conn.sendall(frame)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            answer = conn.recv(4096)
        except ConnectionResetError:
            return None, sent
    found = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return (int(found.group(1)) if found else None), sent


@pytest.mark.parametrize(
    "path", [f"/channels/africastalking/sms?token={AT_TOKEN}", "/api/v1/tickets"]
)
def test_a_chunked_body_over_the_limit_is_refused_before_it_is_all_sent(
    server: Server, path: str
) -> None:
    total = 300 * 1024 * 1024
    status, sent = _chunked_post(server.url, path, chunk=b"a" * 65536, total=total)
    assert status == 413
    assert sent < total // 10  # refused after the limit, not after 300 MB
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_a_declared_length_over_the_limit_is_refused_unread(server: Server) -> None:
    answer = httpx.post(
        f"{server.url}/channels/twilio/sms",
        content=b"x" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413


def test_no_secret_reaches_the_servers_log(server: Server, figures: dict) -> None:
    text = server.log.read_text(errors="replace")
    assert "/channels/africastalking/sms?token=***" in text  # uvicorn's access log
    assert "secret=***" in text
    for secret in SECRETS:
        assert secret not in text


def test_every_answer_carries_the_security_headers(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        for path in ("/login", "/healthz", "/track/ABCD-1234", "/nowhere", "/api/v1/tickets"):
            headers = client.get(path).headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"], path
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
            assert headers["referrer-policy"] == "same-origin"
        login = client.get("/login")
    nonce = re.search(r"'nonce-([^']+)'", login.headers["content-security-policy"])
    assert nonce is not None
    assert f'<style nonce="{nonce.group(1)}">' in login.text  # the page's own style runs
    assert "unsafe-inline" not in login.headers["content-security-policy"]


# --- production -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        (
            {"NALISH_SMS_TRANSPORT": "africastalking", "NALISH_AT_API_KEY": "key"},
            "NALISH_AT_WEBHOOK_TOKEN",
        ),
        (
            {"NALISH_SMS_TRANSPORT": "http", "NALISH_HTTP_GATEWAY_SEND_URL": "http://k/send"},
            "NALISH_HTTP_GATEWAY_SECRET",
        ),
        ({"NALISH_TWILIO_ACCOUNT_SID": "AC123"}, "NALISH_TWILIO_AUTH_TOKEN"),
    ],
)
def test_production_refuses_to_start_with_an_enabled_provider_unverified(
    tmp_path: Path, settings: dict[str, str], missing: str
) -> None:
    env = {**_base_env(), **settings}
    env.update(NALISH_ENV="production", NALISH_DATABASE_URL=f"sqlite:///{tmp_path / 'n.db'}")
    done = subprocess.run(
        [sys.executable, "-m", "nalish", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert missing in done.stderr


def test_in_production_an_unconfigured_webhook_and_metrics_refuse_everything(
    tmp_path: Path,
) -> None:
    env = _base_env()
    env.update(NALISH_ENV="production", NALISH_DATABASE_URL=f"sqlite:///{tmp_path / 'n.db'}")
    url, process = _start(env, tmp_path / "serve.log")
    try:
        form = {"from": "+8801712345678", "to": "333", "text": "HELP", "id": "x1"}
        assert httpx.post(f"{url}/channels/africastalking/sms", data=form).status_code == 403
        twilio = {"MessageSid": "SM1", "From": "+8801712345678", "Body": "HELP"}
        assert httpx.post(f"{url}/channels/twilio/sms", data=twilio).status_code == 403
        assert httpx.get(f"{url}/channels/http/sms", params=form).status_code == 403
        assert httpx.get(f"{url}/metrics").status_code == 403
    finally:
        _stop(process)
