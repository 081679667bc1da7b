"""Information on the voice line, in Twilio's webhook format: the knowledge base's
topics are read out, and the chosen article comes by SMS (a district cannot be typed on
a keypad, so the caller gets the article for everywhere); the call counts as a contact."""

from __future__ import annotations

from sqlmodel import select

from grievance_engine.models import Contact
from infra.db import session_scope
from tests.channels.test_africastalking_webhooks import outbox_for
from tests.channels.test_voice import TwilioCall, client, configured, unique_phone  # noqa: F401


def test_a_caller_chooses_a_topic_and_gets_the_article_by_sms(backend, client):  # noqa: F811
    phone = unique_phone()
    call = TwilioCall(client, phone).start()
    call.press("2")  # English
    call.choose("Information services")
    call.choose("Birth registration")
    call.choose("Send it by SMS")
    assert call.expects() == "end"
    (sent,) = outbox_for(backend, phone)
    assert sent["kind"] == "info" and "bdris.gov.bd" in sent["body"]
    with session_scope() as session:
        calls = session.exec(select(Contact).where(Contact.channel == "voice")).all()
        assert any(contact.topic == "birth_registration" for contact in calls)
