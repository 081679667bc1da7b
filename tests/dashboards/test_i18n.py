"""The dashboards' catalogue, and the pages in Kiswahili over HTTP, on both backends.

The catalogue checks need no database: every phrase in every language the dashboards
offer, with the English phrase's placeholders; canned SMS replies per ticket language,
GSM-7 where the outbox sends GSM-7. The world for the pages: a supervisor who switches
to Kiswahili from the page header, and an agent of the national triage desk whose
screens are in Kiswahili from the start.
"""

from __future__ import annotations

import re
import string
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from dashboards import i18n, labels
from grievance_engine import outbox, refs, users
from grievance_engine.models import Notification, Role, Ticket
from infra import sms_encoding
from infra.db import session_scope
from tests.dashboards.test_dashboards import PASSWORD, _email, _user, browser, csrf_of

FILED = re.compile(r"^/dashboard/tickets/([0-9A-Z]{4}-[0-9A-Z]{4})\?done=filed$")


def _fields(text: str) -> set[str]:
    """The names of the `{placeholders}` in `text`."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------


def test_the_dashboards_speak_english_bangla_and_kiswahili():
    assert {"en", "bn", "sw"} <= set(i18n.LANGUAGES)
    assert i18n.LANGUAGES["sw"] == "Kiswahili"  # as the language switch shows it


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_phrase_has_a_non_empty_text_in_every_language(language):
    missing = [
        key for key, phrases in i18n.CATALOGUE.items() if not phrases.get(language, "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_phrase_has_the_same_placeholders_as_its_english(language):
    differ = {
        key: (_fields(phrases["en"]), _fields(phrases[language]))
        for key, phrases in i18n.CATALOGUE.items()
        if _fields(phrases["en"]) != _fields(phrases[language])
    }
    assert differ == {}


def test_a_kiswahili_phrase_is_filled_in_like_the_english_one():
    assert i18n.translate("sw", "signed_in_as", who="Wanjiku", role="wakala") == (
        "Umeingia kama Wanjiku (wakala)"
    )
    assert i18n.translate("sw", "district") == "Kaunti"  # Kenya's districts are counties


def test_the_canned_replies_have_the_same_keys_in_every_language():
    keys = [key for key, _ in i18n.CANNED_REPLIES["en"]]
    assert {"en", "bn", "sw"} <= set(i18n.CANNED_REPLIES)
    for language, replies in i18n.CANNED_REPLIES.items():
        assert [key for key, _ in replies] == keys, language
        # each has its label on the ticket page, in every language
        assert all(f"canned_{key}" in i18n.CATALOGUE for key in keys)


@pytest.mark.parametrize("language", sorted(i18n.CANNED_REPLIES))
def test_each_canned_reply_names_the_ticket_and_nothing_else(language):
    for key, text in i18n.CANNED_REPLIES[language]:
        assert _fields(text) == {"ref"}, (language, key)


@pytest.mark.parametrize("language", sorted(outbox.GSM7_LANGUAGES))
def test_canned_replies_in_a_gsm7_language_are_gsm7_and_fit_one_sms(language):
    for key, text in i18n.CANNED_REPLIES[language]:
        body = text.format(ref="AB12-CD34")
        assert sms_encoding.is_gsm7(body), (language, key)
        assert sms_encoding.normalise_for_gsm7(body) == body, (language, key)
        assert sms_encoding.sms_parts(body) == 1, (language, key)


def test_a_kenyan_browser_gets_kiswahili():
    assert i18n.negotiate("sw-KE,sw;q=0.9,en;q=0.8") == "sw"
    assert i18n.negotiate("en-KE,en;q=0.9,sw;q=0.8") == "en"
    assert i18n.negotiate("fr,sw;q=0.5") == "sw"
    assert i18n.language_of("sw") == "sw"


# ---------------------------------------------------------------------------
# The pages in Kiswahili
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def swahili_agent(backend) -> str:
    """An agent of the national triage desk whose screens are in Kiswahili."""
    email = _email("wakala")
    with session_scope() as session:
        triage = users.office_id_by_code(session=session, code="national-triage")
        users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(
                email=email, role=Role.AGENT, office_id=triage, language="sw", password=PASSWORD
            ),
        )
    return email


def _form(client: TestClient, path: str, **fields: str):
    page = client.get("/dashboard/queue")
    return client.post(path, data={"csrf_token": csrf_of(page.text), **fields})


def _replies(ref: str) -> list[Notification]:
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        statement = (
            select(Notification)
            .where(Notification.ticket_id == ticket.id, Notification.kind == "reply")
            .order_by(col(Notification.id))
        )
        return list(session.exec(statement))


def test_the_login_page_is_in_kiswahili_when_asked(app):
    client = TestClient(app)
    page = client.get("/login?lang=sw").text
    assert '<html lang="sw">' in page
    assert "Barua pepe" in page and "Nenosiri" in page and ">Ingia<" in page
    assert ">Email<" not in page and "Password" not in page


def test_the_login_page_speaks_kiswahili_to_a_kenyan_browser(app):
    client = TestClient(app)
    page = client.get("/login", headers={"Accept-Language": "sw-KE,sw;q=0.9,en;q=0.8"}).text
    assert '<html lang="sw">' in page and "Nenosiri" in page


def test_a_wrong_password_is_refused_in_kiswahili(app, swahili_agent):
    client = TestClient(app)
    form = client.get("/login?lang=sw")
    refused = client.post(
        "/login",
        data={
            "email": swahili_agent,
            "password": "not-the-password",
            "csrf_token": csrf_of(form.text),
            "lang": "sw",
        },
        follow_redirects=False,
    )
    assert "Barua pepe au nenosiri si sahihi" in refused.text


def test_a_person_switches_their_screens_to_kiswahili_and_it_is_remembered(app, backend):
    email = _email("kiswahili")
    _user(email, Role.SUPERVISOR)
    client = browser(app, email)
    assert '<html lang="en">' in client.get("/dashboard/queue").text
    switched = client.post(
        "/dashboard/language",
        data={
            "language": "sw",
            "next": "/dashboard/queue",
            "csrf_token": csrf_of(client.get("/dashboard/queue").text),
        },
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/dashboard/queue"
    queue = client.get("/dashboard/queue").text
    assert '<html lang="sw">' in queue
    for words in ("Malalamiko", "Vichujio", "Kaunti", "Aina", "Hali", "Toka", "msimamizi"):
        assert words in queue, words
    assert "Maji" in queue  # the water category, by its Kiswahili name
    assert "Sign out" not in queue and "Filters" not in queue
    assert 'value="sw"' in queue and ">Kiswahili<" in queue  # the switch offers it
    again = browser(app, email)  # a new sign-in keeps the choice
    assert '<html lang="sw">' in again.get("/dashboard/queue").text


def test_a_swahili_agent_files_a_kiswahili_call_and_sends_a_canned_reply(app, swahili_agent):
    agent = browser(app, swahili_agent)
    filed = _form(
        agent,
        "/dashboard/intake",
        phone="01712-340009",
        district="Rangpur",
        category="water",
        description=f"Hakuna maji kisimani {uuid.uuid4().hex[:6]}",
        language="sw",
    )
    assert filed.status_code == 303, filed.text
    found = FILED.match(filed.headers["location"])
    assert found, filed.headers["location"]
    ref = found.group(1)
    page = agent.get(filed.headers["location"]).text
    assert f"Lalamiko {ref} limewasilishwa; mpigaji simu atapata SMS" in page
    assert "Jibu tayari" in page and "Limepokelewa, linashughulikiwa" in page
    sent = _form(agent, f"/dashboard/tickets/{ref}/reply", body="", canned="received")
    assert sent.status_code == 303
    [queued] = _replies(ref)
    assert queued.body == f"Malalamiko yako {ref} yako kwa timu yetu. Tutakujulisha kwa SMS."
    assert queued.parts == 1


def test_districts_keep_their_english_names_for_a_kiswahili_reader(backend):
    # Kenya's counties have no separate local name; Bangladesh's Bangla names are for
    # Bangla readers only.
    with session_scope() as session:
        assert labels.districts(session, "sw")["Rangpur"] == "Rangpur"
        assert labels.districts(session, "bn")["Rangpur"] != "Rangpur"
        assert labels.categories(session, "sw")["water"] == "Maji"
