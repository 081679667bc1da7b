"""The pseudo-locale proves every word on the pages comes from the catalogue.

`en-XA` is one line of the language registry and nothing else: `make messages` writes
its catalogue from English, accented and 40 % longer. A person whose screens are in it
sees no English sentence of the catalogue and no key, on the login, queue and ticket
pages; and in Chromium, at 1280 px, the longer words still fit the nav and the queue.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import threading
import time
import uuid
from pathlib import Path

import pytest
import uvicorn
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from grievance_engine import translations, users
from grievance_engine.models import Role
from infra.db import session_scope
from tests.dashboards.test_dashboards import PASSWORD, _take_call, browser
from tests.private_servers import free_port

PSEUDO = "en-XA"
CHROMIUM = Path("/usr/bin/chromium")
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL)


def _english() -> dict[str, str]:
    """The English catalogue of the dashboards: key → phrase (plurals: their forms)."""
    path = translations.LOCALE_DIR / "en" / "LC_MESSAGES" / "dashboards.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    phrases = {}
    for message in catalog:
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            for index, form in enumerate(forms):
                phrases[f"{key}#{index}"] = form
    return phrases


def _visible(page: str) -> str:
    """The page's text as a reader sees it: no tags, scripts or styles."""
    return html.unescape(TAGS.sub(" ", page))


# What the citizen wrote or was sent, marked with its own language (the SMS on a ticket
# page): their words, not the page's.
OTHER_LANGUAGE = re.compile(rf'<(span|p) lang="(?!{PSEUDO}")[^"]*">.*?</\1>', re.S)


def _assert_nothing_leaks(page: str) -> None:
    text = _visible(OTHER_LANGUAGE.sub(" ", page))
    english = _english()
    # whole English sentences and labels of two or more words, without their placeholders
    leaked = [
        piece
        for phrase in english.values()
        for piece in re.split(r"\{[^{}]*\}", phrase)
        if len(piece.split()) >= 2 and len(piece.strip()) >= 8 and piece.strip() in text
    ]
    assert leaked == [], f"English of the catalogue on an {PSEUDO} page: {leaked}"
    keys = {key.split("#")[0] for key in english if "_" in key or "." in key}
    shown = [key for key in keys if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)]
    assert shown == [], f"catalogue keys on an {PSEUDO} page: {shown}"


@pytest.fixture(scope="module")
def pseudo_agent(backend) -> str:
    """An agent of the national triage desk whose screens are in the pseudo-locale."""
    email = f"pseudo-{uuid.uuid4().hex[:8]}@example.org"
    with session_scope() as session:
        triage = users.office_id_by_code(session=session, code="national-triage")
        users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(
                email=email, role=Role.AGENT, office_id=triage, language=PSEUDO, password=PASSWORD
            ),
        )
    return email


def test_the_login_page_in_the_pseudo_locale_is_accented_and_longer(app):
    page = TestClient(app).get(f"/login?lang={PSEUDO}").text
    assert f'<html lang="{PSEUDO}">' in page
    for pseudo in ("Sìgñ ìñ àèì", "Émàìl àè", "Pàsswòrd àèì"):
        assert pseudo in page, pseudo
    _assert_nothing_leaks(page)


def test_the_queue_and_a_ticket_in_the_pseudo_locale(app, pseudo_agent):
    ref = _take_call("01712-340077", "Rangpur")
    agent = browser(app, pseudo_agent)
    queue = agent.get("/dashboard/queue").text
    assert f'<html lang="{PSEUDO}">' in queue
    assert "Tìckéts àèì" in queue and "Fìltérs àèì" in queue and "Sìgñ òùt àèì" in queue
    assert re.search(r"Tìckéts shòwñ: \d+ àèìòùàè", queue)
    _assert_nothing_leaks(queue)
    ticket = agent.get(f"/dashboard/tickets/{ref}").text
    assert "Déscrìptìòñ àèìò" in ticket
    _assert_nothing_leaks(ticket)


def _serve(app) -> tuple[uvicorn.Server, threading.Thread, str]:
    """The module's app (its lifespan already run) under uvicorn, in a thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    return server, thread, f"http://127.0.0.1:{port}"


def test_the_nav_and_the_queue_fit_1280_px_in_the_pseudo_locale(app, backend, pseudo_agent):
    if backend.kind != "embedded":
        pytest.skip("the layout does not depend on the backend; checked once")
    missing = [
        why
        for why, absent in (
            (f"no Chromium at {CHROMIUM}", not CHROMIUM.exists()),
            ("no playwright package", importlib.util.find_spec("playwright") is None),
        )
        if absent
    ]
    if missing and os.environ.get("NALISH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"NALISH_REQUIRE_BROWSER=1 but: {'; '.join(missing)}")
    if missing:
        pytest.skip("; ".join(missing))
    from playwright.sync_api import sync_playwright

    _take_call("01712-340078", "Rangpur")
    server, thread, url = _serve(app)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
            page = chromium.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{url}/login?lang={PSEUDO}")
            page.fill("input[name=email]", pseudo_agent)
            page.fill("input[name=password]", PASSWORD)
            page.press("input[name=password]", "Enter")
            page.wait_for_url(re.compile(r"/dashboard"))
            page.goto(f"{url}/dashboard/queue")
            widths = page.evaluate(
                """() => {
                  const box = (selector) => {
                    const found = document.querySelector(selector);
                    return found && [found.scrollWidth, found.clientWidth];
                  };
                  return {
                    page: box("html"),
                    nav: box("header nav ul"),
                    queue: box("#queue-results .table-scroll"),
                  };
                }"""
            )
            chromium.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert widths["nav"] and widths["queue"], f"the queue page has its nav and table: {widths}"
    for part, (scroll, client) in widths.items():
        assert scroll <= client, f"the {part} overflows at 1280 px in {PSEUDO}: {widths}"
