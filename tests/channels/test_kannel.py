"""A real Kannel round trip: a citizen's SMS through Kannel's fake SMSC, bearerbox and
smsbox's get-url into Nalish; Nalish's reply through sendsms back to the phone; and
Kannel's delivery report back to /channels/http/delivery.

Nalish runs as it does in production: `nalish serve` under uvicorn and a `nalish
worker` sending the outbox, on PostgreSQL and Redis. Kannel comes from Debian
(`kannel`, `kannel-extras`); see tests/channels/kannel_harness.py. Without it the tests
skip, saying why, unless NALISH_REQUIRE_SERVICES=1 (CI), where a skip is a failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from channels.httpgateway.transport import HttpGatewayTransport
from infra.settings import Settings
from tests import services
from tests.channels import kannel_harness
from tests.channels.kannel_harness import Kannel, round_trips
from tests.private_servers import wait_until_healthy

SECRET = "kannel-webhook-secret"
REFERENCE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")  # a ticket reference as shown

_MISSING = kannel_harness.missing()
if _MISSING:
    if os.environ.get("NALISH_REQUIRE_SERVICES") == "1":
        pytest.fail(f"NALISH_REQUIRE_SERVICES=1 but {_MISSING}", pytrace=False)
    pytest.skip(f"real-Kannel tests skipped — {_MISSING}", allow_module_level=True)


@dataclass
class Nalish:
    """A Nalish server and worker wired to a real Kannel."""

    url: str
    env: dict[str, str]
    kannel: Kannel
    home: Path


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def nalish(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nalish]:
    services.require_services()
    home = tmp_path_factory.mktemp("kannel")
    database, prefix = services.create_database(), services.redis_prefix()
    [port] = kannel_harness.free_ports(1)
    url = f"http://127.0.0.1:{port}"
    kannel = Kannel(app_base_url=url, secret=SECRET, workdir=home / "kannel")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"NALISH_ENV"} and not key.startswith("NALISH_HTTP_GATEWAY")
    }
    env.update(
        NALISH_DATABASE_URL=database,
        NALISH_REDIS_URL=services.REDIS_URL,
        NALISH_REDIS_PREFIX=prefix,
        NALISH_COUNTRY="BD",
        NALISH_SECRET_KEY="kannel-test-secret-key-0123456789",
        NALISH_QUIET_HOURS="",  # replies at any hour the test runs
        **kannel.nalish_env(),
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for args in (("db", "upgrade"), ("seed",)):
            subprocess.run([sys.executable, "-m", "nalish", *args], env=env, check=True,
                           capture_output=True, timeout=300)  # fmt: skip
        serve_log = home / "serve.log"
        processes.append(
            _start(
                [
                    sys.executable,
                    "-m",
                    "nalish",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env,
                serve_log,
            )
        )
        processes.append(
            _start([sys.executable, "-m", "nalish", "worker"], env, home / "worker.log")
        )
        wait_until_healthy(url, processes[0], serve_log)
        with kannel:
            yield Nalish(url=url, env=env, kannel=kannel, home=home)
    finally:
        for process in processes:
            _stop(process)
        services.drop_database(database)
        services.delete_redis_keys(prefix)


def _figures(figures: dict) -> dict:
    """The figures without the replies' texts, as the report prints them."""
    return {key: value for key, value in figures.items() if key != "replies"}


def _explain(nalish: Nalish, figures: dict) -> str:
    logs = "\n".join(
        f"--- {log.name} (tail)\n" + "\n".join(log.read_text("utf-8", "replace").splitlines()[-15:])
        for log in sorted([*nalish.home.glob("*.log"), *nalish.kannel.workdir.glob("*.log")])
    )
    return f"figures: {_figures(figures)}\n{logs}"


def test_an_english_complaint_by_sms_through_kannel_is_confirmed_filed_and_acknowledged(nalish):
    figures = round_trips(nalish.url, runs=1, kannel=nalish.kannel, nalish_env=nalish.env)

    [replies] = figures["replies"].values()
    assert len(replies) == 2, _explain(nalish, figures)
    confirmation, acknowledgement = replies
    assert "Rangpur" in confirmation and "Reply 1" in confirmation
    assert REFERENCE.search(acknowledgement), acknowledgement
    assert figures["tickets"] == 1
    assert figures["runs_all_applied"] == 1, _explain(nalish, figures)


def test_a_bangla_complaint_in_ucs2_arrives_as_bangla_and_its_bangla_replies_come_back(nalish):
    figures = round_trips(
        nalish.url, runs=1, kannel=nalish.kannel, nalish_env=nalish.env, language="bn"
    )

    [replies] = figures["replies"].values()
    assert len(replies) == 2, _explain(nalish, figures)
    confirmation, acknowledgement = replies
    # the confirmation quotes the complaint back (its first words): it reached Nalish
    # as Bangla, and Nalish's Bangla reached the phone
    assert "রংপুর জেলার কাউনিয়ায়" in confirmation
    assert "পাঠাতে 1" in confirmation
    assert REFERENCE.search(acknowledgement), acknowledgement
    assert figures["tickets"] == 1, replies
    assert figures["runs_all_applied"] == 1, _explain(nalish, figures)


def test_with_kannels_mo_recode_bangla_arrives_recoded_and_is_understood_too(nalish):
    # a second Kannel, recoding UCS-2 to UTF-8, in front of the same Nalish; the reply
    # still goes out through the first (the one Nalish's worker sends to)
    recoding = Kannel(
        app_base_url=nalish.url,
        secret=SECRET,
        workdir=nalish.home / "kannel-mo-recode",
        mo_recode=True,
    )
    phone = "+8801799000003"
    with recoding:
        recoding.send_mo(phone, kannel_harness.CONVERSATIONS["bn"][0])

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _replies_to(nalish.kannel, phone):
            time.sleep(0.2)

    assert "রংপুর জেলার কাউনিয়ায়" in " ".join(_replies_to(nalish.kannel, phone))
    smsbox = (recoding.workdir / "smsbox.log").read_text("utf-8", "replace")
    assert "MO message converted from UCS-2 to UTF-8" in smsbox  # (then coding=0, UTF-8)


def _replies_to(kannel: Kannel, phone: str) -> list[str]:
    return [reply.text for reply in kannel.replies() if reply.receiver == phone.lstrip("+")]


# Many real round trips on a machine shared with other work: more than the default 120 s.
@pytest.mark.timeout(900)
def test_in_25_round_trips_every_delivery_report_is_applied(nalish):
    figures = round_trips(nalish.url, runs=25, kannel=nalish.kannel, nalish_env=nalish.env)
    print("25 round trips through Kannel:", _figures(figures))  # shown by pytest -rP

    assert figures["replies_received"] == figures["replies_expected"] == 50, _explain(
        nalish, figures
    )
    assert figures["runs_all_applied"] == 25, _explain(nalish, figures)
    assert figures["rows_stuck_sent"] == 0


@pytest.mark.timeout(900)
def test_a_burst_of_40_complaints_leaves_no_message_waiting_for_its_report(nalish):
    figures = round_trips(
        nalish.url, runs=40, kannel=nalish.kannel, nalish_env=nalish.env, burst=True
    )
    print("a burst of 40 through Kannel:", _figures(figures))  # shown by pytest -rP

    assert figures["replies_received"] == figures["replies_expected"] == 80, _explain(
        nalish, figures
    )
    assert figures["rows_stuck_sent"] == 0, _explain(nalish, figures)
    assert figures["runs_all_applied"] == 40


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_long_bangla_reply_reaches_the_phone_whole_by_sendsms_get_and_post(nalish, method):
    settings = Settings(
        env="test",
        secret_key="kannel-test-secret-key-0123456789",
        sms_transport="http",
        http_gateway_send_url=nalish.kannel.send_url(),
        http_gateway_method=method,
        http_gateway_sender="333",
        http_gateway_secret=SECRET,
        public_base_url=nalish.url,
    )
    phone = "+8801799000001" if method == "GET" else "+8801799000002"
    body = (
        "নালিশ ৩৩৩: আপনার অভিযোগ AB12-CD34 রংপুর জেলা অফিসে পাঠানো হয়েছে। "
        "তিন কার্যদিবসের মধ্যে উত্তর পাবেন।"
    )  # over 70 characters: two UCS-2 parts, joined by the phone

    HttpGatewayTransport(settings).send(to=phone, body=body)  # raises unless Kannel took it

    def arrived() -> list[str]:
        return [r.text for r in nalish.kannel.replies() if r.receiver == phone.lstrip("+")]

    deadline = time.monotonic() + 30
    while not arrived() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert arrived() == [body]
    assert {r.sender for r in nalish.kannel.replies() if r.receiver == phone.lstrip("+")} == {"333"}
