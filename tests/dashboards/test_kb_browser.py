"""The agent's knowledge-base page in a real browser (Chromium under Playwright, the
real app under uvicorn: the fixtures of test_browser.py): a caller asks in Banglish,
the agent finds the Bangla article and sends it by SMS with one click, then logs a call
that filed nothing in two."""

from __future__ import annotations

import json

from tests.dashboards.test_browser import (  # noqa: F401  (fixtures used by name)
    AGENT,
    CALLER,
    Page,
    Server,
    _log_in,
    chromium,
    expect,
    page,
    server,
)


def test_an_agent_sends_an_article_by_sms_and_logs_a_call(
    page: Page,  # noqa: F811  (the imported fixture, asked for by name)
    server: Server,  # noqa: F811
) -> None:
    _log_in(page, server, AGENT)
    page.get_by_role("link", name="Information").click()
    expect(page.get_by_role("heading", name="Information for callers")).to_be_visible()
    page.get_by_label("Search articles").fill("jonmo nibondhon")
    page.get_by_label("Caller's phone").fill(CALLER)
    page.get_by_label("Caller's language").select_option("bn")
    # the page's Search, not the header's ticket search
    page.locator("#content").get_by_role("button", name="Search").click()
    first = page.locator("article.kb-article").first
    expect(first.get_by_role("heading")).to_have_text("জন্ম নিবন্ধন")
    first.get_by_role("button", name="Send by SMS").click()  # the one click
    expect(page.get_by_role("status")).to_have_text("The article was sent by SMS.")
    server.screenshot(page, "agent_kb", docs_height=900)
    sent = json.loads(server.nalish("outbox", "list", "--json", "--to", CALLER).stdout)
    article = [message for message in sent if message["kind"] == "info"]
    assert len(article) == 1 and "bdris.gov.bd" in article[0]["body"]
    assert article[0]["language"] == "bn"

    page.get_by_label("Topic").select_option("passport")
    page.get_by_role("button", name="Log the call").click()
    expect(page.get_by_role("status")).to_have_text("The call was logged.")
