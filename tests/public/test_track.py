"""The public tracking page over real HTTP, as a citizen's browser (or anyone holding
a reference) reaches it."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from grievance_engine import refs
from infra.settings import reset_settings
from nalish.app import create_app

WHAT_SHE_SAID = "My husband beats me and took my phone"
PHONE = "+8801712345690"


@pytest.fixture(scope="module")
def agent(server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token('agent')}"}


def file(server, agent, **fields) -> str:
    body = {"phone": PHONE, "district": "Rangpur", "category": "water",
            "description": "No water in ward 5", **fields}  # fmt: skip
    answer = httpx.post(f"{server.url}/api/v1/tickets", headers=agent, json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()["ref"]


def test_a_sensitive_anonymous_ticket_shows_no_description_phone_or_category(server, agent):
    ref = file(server, agent, category="vawc", anonymous=True, description=WHAT_SHE_SAID)
    page = httpx.get(f"{server.url}/track/{ref}?lang=en")
    assert page.status_code == 200
    assert "A confidential matter" in page.text and "Rangpur" in page.text
    for private in (WHAT_SHE_SAID, "husband", PHONE, PHONE[4:], "Violence", "vawc"):
        assert private not in page.text


def test_the_page_is_in_bangla_when_asked(server, agent):
    ref = file(server, agent, category="vawc", anonymous=True, description=WHAT_SHE_SAID)
    page = httpx.get(f"{server.url}/track/{ref}?lang=bn")
    assert page.status_code == 200
    assert "গোপনীয় বিষয়" in page.text and "রংপুর" in page.text and "জেলা" in page.text
    assert "নারী ও শিশু নির্যাতন" not in page.text
    body = page.text.split("</nav>", 1)[1]  # the language switch names every language
    for english in ("District", "Status", "Deadline", "confidential", "Rangpur"):
        assert english not in body
    assert not re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", body)  # dates in Bangla digits


def test_it_shows_the_office_the_history_and_whether_the_deadline_was_met(server, agent):
    ref = file(server, agent)
    server.nalish("tickets", "transition", ref, "--to", "resolved", "--reason", "Pump fixed")
    page = httpx.get(f"{server.url}/track/{ref}?lang=en").text
    assert "District office, Rangpur" in page
    assert "New" in page and "Resolved" in page
    assert "(met)" in page
    assert "No water" not in page and "Pump fixed" not in page


def test_a_typo_gets_the_one_existing_reference_it_was_meant_to_be(server, agent):
    ref = file(server, agent)
    body = refs.normalise(ref)
    assert body is not None
    typo = body[:-1] + next(c for c in refs.ALPHABET if c != body[-1])
    page = httpx.get(f"{server.url}/track/{typo}?lang=en")
    assert page.status_code == 404
    suggested = re.findall(r'href="/track/([0-9A-Z-]{9})', page.text)
    assert suggested == [ref]


def test_a_reference_that_does_not_exist_gets_no_suggestion(server):
    unknown = refs.display(refs.generate())
    page = httpx.get(f"{server.url}/track/{unknown}?lang=en")
    assert page.status_code == 404 and "Did you mean" not in page.text


def test_text_that_is_not_a_reference_is_400(server):
    assert httpx.get(f"{server.url}/track/hello").status_code == 400
    assert httpx.get(f"{server.url}/track/ABCD-123U").status_code == 400


def test_the_form_sends_a_reference_to_its_own_page(server):
    form = httpx.get(f"{server.url}/track?lang=bn")
    assert form.status_code == 200 and "অভিযোগের অবস্থা দেখুন" in form.text
    sent = httpx.get(f"{server.url}/track", params={"ref": "abcd 1234", "lang": "en"})
    assert sent.status_code == 303 and sent.headers["location"] == "/track/abcd%201234?lang=en"


def test_look_ups_beyond_the_limit_are_refused(db_url, monkeypatch):
    monkeypatch.setenv("NALISH_TRACK_LIMIT_PER_MINUTE", "3")
    reset_settings()
    with TestClient(create_app()) as client:
        answers = [client.get("/track/hello").status_code for _ in range(5)]
    assert answers == [400, 400, 400, 429, 429]
