"""The live queue in a real browser: a ticket filed through the API while an agent's
queue is open appears in it without a reload.

The real app under uvicorn (the browser tests' server, `tests/dashboards/test_browser.py`).
The agent of the national desk opens the queue; an integrator files a grievance with an
API token (`POST /api/v1/tickets`); the queue's script (`/dashboard/queue/rows`) brings
the new row in, marked, and says so. The page is never reloaded: a value set on the
page's `window` before the filing is still there after.
"""

from __future__ import annotations

import json
import re
import uuid

import httpx

from tests.dashboards import test_browser
from tests.dashboards.test_browser import AGENT, Server, _log_in

# The browser tests' fixtures, used by name.
server, chromium, page = test_browser.server, test_browser.chromium, test_browser.page

Page = test_browser.Page
expect = test_browser.expect


def _file_through_the_api(server: Server) -> str:
    made = server.nalish("tokens", "create", "--name", "live-queue-test", "--role", "agent",
                         "--json")  # fmt: skip
    token = json.loads(made.stdout)["token"]
    answer = httpx.post(
        f"{server.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "phone": "01712-345111",
            "district": "Rangpur",
            "category": "water",
            "description": f"The tubewell at the market is broken {uuid.uuid4().hex[:6]}",
            "language": "bn",
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["ref"]


def test_a_ticket_filed_while_the_queue_is_open_appears_without_a_reload(
    page: Page, server: Server
) -> None:
    _log_in(page, server, AGENT)
    page.goto(f"{server.url}/dashboard/queue")
    expect(page.get_by_role("heading", name="Tickets", level=1)).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    ref = _file_through_the_api(server)
    row = page.locator("tr.fresh", has=page.get_by_role("link", name=ref))
    # the script asks every 10 s; wait for its answer, not for a time
    expect(row).to_be_visible(timeout=60_000)
    expect(page.locator("#queue-news")).to_have_text(re.compile(r"\d+ tickets? new or changed"))
    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    assert page.locator("noscript").count() == 1  # the fallback stays for no-JS browsers
