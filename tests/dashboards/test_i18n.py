"""The dashboards' catalogue, and the pages in Kiswahili over HTTP, on both backends.

The catalogue checks need no database: every phrase in every language the dashboards
offer, with the English phrase's placeholders (canned SMS replies are rows now:
tests/dashboards/test_canned_replies.py). The world for the pages: a supervisor who switches
to Kiswahili from the page header, and an agent of the national triage desk whose
screens are in Kiswahili from the start.
"""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from dashboards import i18n, labels
from grievance_engine import refs, users
from grievance_engine.models import Notification, Role, Ticket
from infra.db import session_scope
from tests.dashboards.test_dashboards import PASSWORD, _email, _user, browser, csrf_of

FILED = re.compile(r"^/dashboard/tickets/([0-9A-Z]{4}-[0-9A-Z]{4})\?done=filed$")


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------


def test_the_dashboards_speak_english_bangla_and_kiswahili():
    assert {"en", "bn", "sw"} <= set(i18n.OFFERED) <= set(i18n.LANGUAGES)
    assert i18n.OFFERED["sw"] == "Kiswahili"  # as the language switch shows it
    # every phrase in every language, with English's placeholders:
    # tests/grievance_engine/test_catalogues.py


def test_a_kiswahili_phrase_is_filled_in_like_the_english_one():
    assert i18n.translate("sw", "signed_in_as", who="Wanjiku", role="wakala") == (
        "Umeingia kama Wanjiku (wakala)"
    )
    assert i18n.translate("sw", "district") == "Kaunti"  # Kenya's districts are counties


def test_counts_on_a_bangla_page_are_in_bangla_digits():
    assert i18n.translate("bn", "count", n=12) == "দেখানো অভিযোগ: ১২"
    assert i18n.translate("en", "count", n=12) == "Tickets shown: 12"
    assert i18n.translate("en", "span_days", count=1) == "1 day"
    assert i18n.translate("en", "span_days", count=3) == "3 days"


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
    _user(email, Role.AGENT, office="national-triage", language="sw")
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
    received = re.search(r'<option value="(\d+)" data-text="Malalamiko yako [^"]*"', page)
    assert received, "the seeded Kiswahili reply is offered"
    sent = _form(agent, f"/dashboard/tickets/{ref}/reply", body="", canned=received.group(1))
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


def test_a_domain_error_keeps_its_english_for_the_cli_and_is_translated_on_a_page():
    problem = users.UserError("district_required")
    assert str(problem) == "an officer needs --district"  # what the CLI prints, as before
    assert problem.subject == "district"  # the form field it is shown beside
    assert i18n.error("bn", problem) == "কর্মকর্তার জন্য জেলা দিতে হবে"
    short = users.UserError("password_too_short", n=users.MIN_PASSWORD_LENGTH)
    assert str(short) == "password must be at least 10 characters"
    assert i18n.error("bn", short) == "পাসওয়ার্ড অন্তত ১০ অক্ষরের হতে হবে"


def test_an_office_error_is_said_in_the_readers_language():
    from routing.offices import OfficeInputError

    still = OfficeInputError("offices_still_routed", n=2)
    assert str(still).startswith("2 active routing rule(s) still send tickets here")
    assert still.field == "offices"
    assert i18n.error("sw", still).startswith("kanuni 2 za uelekezaji")


def test_a_bangla_admin_reads_a_domain_error_in_bangla_beside_its_field(app, backend):
    email = _email("proshashok")
    _user(email, Role.ADMIN, language="bn")
    admin = browser(app, email)
    form = admin.get("/dashboard/admin/users")
    refused = admin.post(
        "/dashboard/admin/users",
        data={
            "csrf_token": csrf_of(form.text),
            "email": _email("jelaheen"),
            "role": "officer",
            "password": PASSWORD,
        },
    )
    assert refused.status_code == 422
    assert 'id="f-district-error"' in refused.text
    assert "কর্মকর্তার জন্য জেলা দিতে হবে" in refused.text
    assert "--district" not in refused.text


def test_the_digits_filter_writes_a_date_as_a_bangla_reader_expects_it():
    from dashboards.render import environment

    shown = environment().from_string("{{ when|digits }} · {{ level|digits }}")
    assert shown.render(lang="bn", when="2026-05-04 14:30 +06", level=2) == (
        "২০২৬-০৫-০৪ ১৪:৩০ +০৬ · ২"
    )
    assert shown.render(lang="sw", when="2026-05-04 14:30 +06", level=2) == (
        "2026-05-04 14:30 +06 · 2"
    )


def test_a_template_may_say_a_count_with_ngettext_in_the_pages_language():
    from dashboards.render import _gettext, environment

    counted = environment().from_string('{{ ngettext("span_days", "span_days", days) }}')
    assert counted.render(**_gettext("en"), days=1) == "1 day"
    assert counted.render(**_gettext("en"), days=4) == "4 days"
    assert counted.render(**_gettext("bn"), days=4) == "৪ দিন"
    assert environment().from_string('{{ _("queue") }}').render(**_gettext("sw")) == "Foleni"
