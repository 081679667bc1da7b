"""The supervisor's headline over HTTP, on both backends: today's information contacts
by channel next to today's grievances (`dashboards.headline`).

The world: a supervisor; contacts recorded as the SMS `INFO` keyword and the USSD menu
record them (`grievance_engine.knowledge.record_contact`), one of them yesterday's.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from dashboards import headline
from grievance_engine import knowledge
from grievance_engine.models import Channel, Contact, Role
from infra import clock
from infra.db import session_scope
from tests.dashboards.test_dashboards import _email, _user, browser


@pytest.fixture(scope="module")
def supervisor(app) -> TestClient:
    email = _email("super")
    _user(email, Role.SUPERVISOR)
    return browser(app, email)


def _contact(channel: str, *, days_ago: int = 0) -> None:
    with session_scope() as session:
        origin = knowledge.Origin(channel=channel, language="bn")
        contact = knowledge.record_contact(session=session, topic=None, origin=origin)
        if days_ago:
            contact.at = headline.start_of_today(clock.now()) - timedelta(days=days_ago)
            session.add(contact)


def _shown(page: str) -> int:
    found = re.search(r'<strong id="contacts-today">(\d+)</strong>', page)
    assert found, "the headline shows today's contacts"
    return int(found.group(1))


def test_the_headline_counts_todays_contacts_by_channel_and_not_yesterdays(supervisor):
    before = _shown(supervisor.get("/dashboard/supervisor").text)
    with session_scope() as session:
        counted = headline.headline(session, clock.now(), "en")
    _contact(Channel.SMS)
    _contact(Channel.SMS)
    _contact(Channel.USSD)
    _contact(Channel.USSD, days_ago=1)  # yesterday's
    with session_scope() as session:
        now = headline.headline(session, clock.now(), "en")
    assert now.contacts_total == counted.contacts_total + 3
    by_channel = dict(now.contacts_by_channel)
    assert by_channel["SMS"] == dict(counted.contacts_by_channel).get("SMS", 0) + 2
    assert by_channel["USSD"] == dict(counted.contacts_by_channel).get("USSD", 0) + 1
    page = supervisor.get("/dashboard/supervisor").text
    assert _shown(page) == before + 3
    assert "information contacts today" in page
    assert f"SMS {by_channel['SMS']}" in page.split('id="contacts-today"', 1)[1]


def test_contacts_are_not_counted_as_grievances(supervisor):
    with session_scope() as session:
        before = headline.headline(session, clock.now(), "en")
    _contact(Channel.VOICE)
    with session_scope() as session:
        after = headline.headline(session, clock.now(), "en")
        assert session.get(Contact, 1) is not None
    assert after.today_total == before.today_total
    assert after.contacts_total == before.contacts_total + 1
