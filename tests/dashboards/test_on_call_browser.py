"""An agent's on-call page in a real browser, while a Bangla caller's call rings.

The real app under uvicorn (the browser tests' server, `tests/dashboards/test_browser.py`).
The agent gets a phone with `nalish users set-phone` and goes on call from their page;
a caller who filed a complaint before (and left a voice message when nobody was on
call) calls the Twilio voice webhook, picks Bangla and presses the person key: the
TwiML dials the agent, and the agent's page shows who is calling: their earlier
complaint, the call-back owed them and the last SMS we sent them. The screenshot goes
to docs/screenshots/agent-call-ringing.png with `NALISH_UPDATE_SCREENSHOTS=1`.
"""

from __future__ import annotations

import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest

from tests.dashboards import test_browser
from tests.dashboards.test_browser import AGENT, Server, _log_in

# The browser tests' fixtures, used by name.
server, chromium, page = test_browser.server, test_browser.chromium, test_browser.page
AGENT_PHONE = "+8801811000444"

Page = test_browser.Page
expect = test_browser.expect


@pytest.fixture(scope="module", autouse=True)
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The server's rendered speech in a temporary folder, not the working tree."""
    saved = os.environ.get("NALISH_MEDIA_DIR")
    os.environ["NALISH_MEDIA_DIR"] = str(tmp_path_factory.mktemp("media"))
    yield
    if saved is None:
        os.environ.pop("NALISH_MEDIA_DIR", None)
    else:
        os.environ["NALISH_MEDIA_DIR"] = saved


def _call(server: Server, phone: str, *keys: str, message: str | None = None) -> ET.Element:
    """A Twilio call from `phone` pressing `keys` one menu after another, then leaving
    `message` if asked to; the last TwiML."""
    sid = "CA" + uuid.uuid4().hex
    form = {"CallSid": sid, "From": phone, "To": "+15005550006", "CallStatus": "ringing"}
    answer = httpx.post(f"{server.url}/channels/twilio/voice", data=form, timeout=30)
    for key in keys:
        action = ET.fromstring(answer.text).find("Gather").get("action")  # noqa: S314
        form = {**form, "CallStatus": "in-progress", "Digits": key}
        answer = httpx.post(f"{server.url}{action}", data=form, timeout=30)
        assert answer.status_code == 200, answer.text
    twiml = ET.fromstring(answer.text)  # noqa: S314 (our own app's answer)
    if message and twiml.find("Record") is not None:
        form = {**form, "RecordingUrl": message, "RecordingDuration": "9"}
        httpx.post(f"{server.url}{twiml.find('Record').get('action')}", data=form, timeout=30)
    return twiml


def test_an_agent_on_call_sees_who_is_calling_while_the_phone_rings(
    page: Page, server: Server
) -> None:
    listed = json.loads(server.nalish("tickets", "list", "--json").stdout)
    # A Bangla speaker who filed before (the demo data): no language menu for them.
    caller = next(row["phone"] for row in listed if row["phone"] and row["language"] == "bn")
    # Nobody on call yet: the caller leaves a message, a call-back is owed.
    message = "https://api.twilio.com/2010-04-01/Recordings/RE0123456789abcdef"
    voicemail = _call(server, caller, "*", message=message)
    assert voicemail.find("Record") is not None and voicemail.find("Dial") is None

    server.nalish("users", "set-phone", AGENT, "01811-000444")
    _log_in(page, server, AGENT)
    page.get_by_role("link", name="On call").click()
    page.get_by_role("button", name="Go on call").click()
    expect(page.get_by_text("You are on call.")).to_be_visible()

    dialled = _call(server, caller, "*")
    numbers = [number.text for number in dialled.iter("Number")]
    assert numbers == [AGENT_PHONE]

    page.reload()
    expect(page.get_by_role("heading", name="A call is ringing on your phone")).to_be_visible()
    ringing = page.locator("section[aria-labelledby=ringing-title]")
    expect(ringing).to_contain_text(caller)
    earlier = [row["ref"] for row in listed if row["phone"] == caller]
    expect(ringing.get_by_role("link", name=re.compile(earlier[0]))).to_be_visible()
    expect(ringing).to_contain_text("voice message")  # the call-back owed, with it
    expect(ringing.get_by_role("link", name="Voice message")).to_have_attribute("href", message)
    sms = json.loads(server.nalish("outbox", "list", "--json", "--to", caller).stdout)
    if sms:
        expect(ringing).to_contain_text(sms[0]["body"][:30])
    server.screenshot(page, "agent-call-ringing")
