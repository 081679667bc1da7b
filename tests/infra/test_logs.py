"""Operators' logs (infra.logs): JSON lines with the request id, no phone numbers, no
secrets; and the real `nalish serve` logging so at NALISH_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import httpx

from infra import logs
from tests.private_servers import serving


def test_a_json_line_carries_the_request_id_and_masks_phones_and_secrets(capsys):
    logs.configure("INFO", "json")
    token = logs.REQUEST_ID.set("req-0123456789")
    try:
        logging.getLogger("nalish.test").info(
            "SMS to %s via https://gw/send?password=hunter2&to=%%2B8801712345678", "+8801712345678"
        )
    finally:
        logs.REQUEST_ID.reset(token)
        logs.configure("WARNING", "text")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["request_id"] == "req-0123456789"
    assert line["level"] == "INFO" and line["logger"] == "nalish.test"
    assert "1712345" not in line["message"] and "hunter2" not in line["message"]
    assert "+8801*******78" in line["message"]


def test_the_served_app_logs_json_with_the_id_it_answers_with(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
    env.update(
        NALISH_DATABASE_URL=f"sqlite:///{tmp_path / 'nalish.db'}",
        NALISH_LOG_FORMAT="json",
        NALISH_LOG_LEVEL="INFO",
    )
    with serving(env, tmp_path) as url:
        answer = httpx.post(
            f"{url}/channels/africastalking/ussd",
            data={"sessionId": "s-log", "serviceCode": "*333#", "phoneNumber": "+8801712345678",
                  "networkCode": "47001", "text": ""},
            headers={"X-Request-ID": "lb-request-000042"},
        )  # fmt: skip
        given = httpx.get(f"{url}/healthz").headers["x-request-id"]
    assert answer.headers["x-request-id"] == "lb-request-000042"
    assert len(given) == 16
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines()
             if line.startswith("{")]  # fmt: skip
    ours = [line for line in lines if line["request_id"] == "lb-request-000042"]
    assert ours, lines[-5:]
    assert all("1712345" not in line["message"] for line in lines)
