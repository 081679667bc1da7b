"""The knowledge base as citizens and agents use it, over HTTP on both backends:
`INFO` by SMS in Africa's Talking's webhook format (English, Banglish, Bangla), the
USSD Information path, the agent's search page (send an article in one click, log a
call), and the contacts counted on the supervisor's page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from grievance_engine import knowledge
from grievance_engine.models import AdminArea, Article, Contact
from infra import sms_encoding
from infra.db import session_scope
from nalish.app import create_app
from tests.channels.test_africastalking_webhooks import SMS, outbox_for, sms_form, unique_phone
from tests.dashboards.test_dashboards import PASSWORD, browser, csrf_of
from tests.menus.test_conversations import run

BIRTH_SOURCE = "bdris.gov.bd"


@pytest.fixture(scope="module")
def people(backend) -> dict[str, str]:
    emails = {
        role: f"{role}-{uuid.uuid4().hex[:8]}@example.org" for role in ("agent", "supervisor")
    }
    for role, email in emails.items():
        backend.nalish("users", "create", "--email", email, "--role", role, "--password", PASSWORD)
    return emails


@pytest.fixture(scope="module")
def citizen(backend) -> Iterator[TestClient]:
    """The telco's side: its own app, whose lifespan (and async Redis) runs in one loop."""
    with TestClient(create_app()) as client:
        yield client


def _contacts_row(page: str, table: str, label: str) -> list[str]:
    """The cells of the row headed `label` in the supervisor's table `table`."""
    section = page.split(f'id="table-{table}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == label:
            return cells
    return []


def _count(page: str, table: str, label: str) -> int:
    row = _contacts_row(page, table, label)
    return int(row[1]) if row else 0


@pytest.mark.parametrize(
    ("text", "language"),
    [("INFO birth registration", "en"), ("INFO jonmo nibondhon", "en"), ("তথ্য জন্ম নিবন্ধন", "bn")],
)
def test_info_by_sms_answers_with_the_birth_registration_article_and_counts_the_contact(
    backend, app, citizen, people, text, language
):
    supervisor = browser(app, people["supervisor"])
    page = supervisor.get("/dashboard/supervisor").text
    topic_label = "Birth registration"
    before = (
        _count(page, "contacts_by_topic", topic_label),
        _count(page, "contacts_by_channel", "SMS"),
    )

    phone = unique_phone()
    assert citizen.post(SMS, data=sms_form(phone, text)).status_code == 200

    sent = outbox_for(backend, phone)
    assert len(sent) == 1 and sent[0]["kind"] == "info"
    body = sent[0]["body"]
    assert BIRTH_SOURCE in body
    assert ("জন্ম নিবন্ধন" in body) == (language == "bn")
    assert sms_encoding.sms_parts(body) <= (2 if sms_encoding.is_gsm7(body) else 3)
    page = supervisor.get("/dashboard/supervisor").text
    after = (
        _count(page, "contacts_by_topic", topic_label),
        _count(page, "contacts_by_channel", "SMS"),
    )
    assert after == (before[0] + 1, before[1] + 1)


def test_info_with_no_match_offers_the_three_closest_topics(backend, citizen):
    phone = unique_phone()
    citizen.post(SMS, data=sms_form(phone, "INFO weather forecast tomorrow"))
    (reply,) = outbox_for(backend, phone)
    assert "Closest topics:" in reply["body"]
    listed = reply["body"].split("Closest topics: ")[1].split(". Send")[0].split("; ")
    with session_scope() as session:
        topic_names = {label for _, label in knowledge.topics(session, "en")}
    assert len(listed) == 3 and set(listed) <= topic_names  # topics, not a district's article

    asking = unique_phone()
    citizen.post(SMS, data=sms_form(asking, "INFO"))
    (examples,) = outbox_for(backend, asking)
    assert "send INFO and what you want to know" in examples["body"]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("Birth registration", BIRTH_SOURCE),
        ("District office and e-services", "www.rangpur.gov.bd"),
    ],
)
def test_the_ussd_information_path_sends_the_topics_article_for_the_district(
    backend, citizen, topic, expected
):
    phone = f"+88018{uuid.uuid4().int % 10**8:08d}"
    final = run(
        citizen,
        phone,
        [("#English", None), ("#Information services", "Which information?"),
         (f"#{topic}", "district"), ("Rangpur", "sent you the details")],
    )  # fmt: skip
    assert final.startswith("END ")
    (sent,) = outbox_for(backend, phone)
    assert expected in sent["body"] and sent["kind"] == "info"
    with session_scope() as session:
        rangpur = session.exec(
            select(AdminArea).where(AdminArea.name == "Rangpur", AdminArea.level == "district")
        ).one()
        mine = session.exec(
            select(Contact).where(Contact.channel == "ussd", Contact.district_id == rangpur.id)
        ).all()
        assert len(mine) >= 1 and all(contact.topic for contact in mine)


def test_an_agent_finds_an_article_in_banglish_and_sends_it_by_sms_in_one_click(
    backend, app, people
):
    agent = browser(app, people["agent"])
    phone = unique_phone()
    page = agent.get(
        "/dashboard/kb", params={"q": "jonmo nibondhon", "phone": phone, "language": "bn"}
    )
    assert page.status_code == 200
    first = page.text.split('class="kb-article"', 2)[1]
    assert 'id="kb-birth_registration"' in first and "জন্ম নিবন্ধন" in first
    # the article's own form carries the phone and language: one click sends it
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', first.split("<form", 1)[1]))
    assert form["phone"] == phone and form["language"] == "bn"
    sent = agent.post("/dashboard/kb/send", data=form)
    assert sent.status_code == 303 and "done=sent" in sent.headers["location"]
    (sms,) = outbox_for(backend, phone)
    assert sms["language"] == "bn" and BIRTH_SOURCE in sms["body"] and "জন্ম" in sms["body"]

    refused = agent.post("/dashboard/kb/send", data={**form, "phone": "12"})
    assert refused.status_code == 422 and "Phone: not a valid phone number" in refused.text


def test_an_agent_logs_a_call_that_filed_nothing_and_the_supervisor_sees_it(app, people):
    agent = browser(app, people["agent"])
    supervisor = browser(app, people["supervisor"])
    before = _count(supervisor.get("/dashboard/supervisor").text, "contacts_by_topic", "E-passport")
    page = agent.get("/dashboard/kb").text
    logged = agent.post(
        "/dashboard/kb/log",
        data={"csrf_token": csrf_of(page), "topic": "passport", "language": "en"},
    )
    assert logged.status_code == 303
    after = supervisor.get("/dashboard/supervisor").text
    assert _count(after, "contacts_by_topic", "E-passport") == before + 1
    assert _contacts_row(after, "contacts_by_channel", "Call to an agent")  # next to its grievances


def test_an_admin_creates_an_article_and_a_bad_one_is_refused_naming_the_field(backend, app):
    email = f"admin-{uuid.uuid4().hex[:8]}@example.org"
    backend.nalish("users", "create", "--email", email, "--role", "admin", "--password", PASSWORD)
    admin = browser(app, email)
    token = csrf_of(admin.get("/dashboard/admin/kb").text)
    article = {
        "csrf_token": token, "code": "trade_licence", "topic": "trade_licence",
        "title_en": "Trade licence", "body_en": "Apply at your Pourashava or City Corporation.",
        "keywords_en": "trade licence; business licence", "source": "https://www.dhakasouthcity.gov.bd",
        "checked": "2026-12-06", "districts": "Dhaka",
    }  # fmt: skip
    saved = admin.post("/dashboard/admin/kb", data=article)
    assert saved.status_code == 303
    listed = admin.get("/dashboard/admin/kb").text
    assert "trade_licence" in listed and "bn" in listed  # lacks Bangla: listed as missing
    bad = admin.post(
        "/dashboard/admin/kb", data={**article, "checked": "yesterday", "districts": "Atlantis"}
    )
    assert bad.status_code == 422
    assert "checked" in bad.text and "Atlantis" in bad.text


def test_a_long_article_is_cut_at_a_word_and_says_where_to_read_the_rest():
    article = Article(
        code="long", topic="long", source_url="https://land.gov.bd",
        titles={"en": "Land", "bn": "ভূমি"},
        bodies={"en": "word " * 200, "bn": "জমির তথ্য " * 80},
        checked_on=date(2026, 12, 6),
    )  # fmt: skip
    for language, parts, cut in (("en", 2, "word... More:"), ("bn", 3, "তথ্য… বিস্তারিত:")):
        message = knowledge.sms_text(article, language)
        assert sms_encoding.sms_parts(message) <= parts
        assert message.endswith("https://land.gov.bd") and cut in message
