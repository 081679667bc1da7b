"""The optional equity questions (gender, age band, disability), asked at the end: a
complaint filed by USSD in Africa's Talking's format ends on its reference as always
(`END`), then one SMS asks, clearly optional; the citizen answers with three digits (0
for a question they skip) or SKIP, by Africa's Talking's SMS webhook. Answers are kept
apart from the ticket, feed the equity groups and are erased with the phone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from channels.inbound import REDACTED
from escalation import equity
from grievance_engine import erasure, refs
from grievance_engine.models import Citizen, EquityAnswer, InboundMessage, Ticket
from infra.db import session_scope
from nalish.app import create_app
from tests.channels.test_africastalking_webhooks import (
    SMS,
    complain,
    outbox_for,
    sms_form,
    tickets_of,
)
from tests.menus.test_conversations import COMPLAINT_EN, new_phone, run
from tests.nalish.test_spine import REF


@pytest.fixture(scope="module")
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def _file_by_ussd(client: TestClient, phone: str) -> str:
    final = run(client, phone, COMPLAINT_EN)
    assert final.startswith("END ") and "Your complaint number is" in final
    return REF.search(final).group(1)


def _answer_of(ref: str) -> EquityAnswer | None:
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        return session.exec(select(EquityAnswer).where(EquityAnswer.ticket_id == ticket.id)).first()


def _reply(client: TestClient, phone: str, text: str) -> None:
    assert client.post(SMS, data=sms_form(phone, text)).status_code == 200


def test_a_ussd_complaint_then_the_optional_questions_answered(backend, client):
    phone = new_phone()
    ref = _file_by_ussd(client, phone)
    asked = [m for m in outbox_for(backend, phone) if m["kind"] == "equity_question"]
    assert len(asked) == 1
    assert ref in asked[0]["body"] and "optional" in asked[0]["body"]
    assert "0 = rather not say" in asked[0]["body"] and "SKIP" in asked[0]["body"]
    assert _answer_of(ref).answered_at is None  # asked, not answered: nothing said
    _reply(client, phone, "231")
    answer = _answer_of(ref)
    assert (answer.gender, answer.age_band, answer.disability) == ("man", "36_60", "yes")
    thanks = [m for m in outbox_for(backend, phone) if m["kind"] == "reply"]
    assert "thank you" in thanks[-1]["body"]
    with session_scope() as session:  # the answers feed the groups (blank under k)
        groups = {(f.dimension, f.value) for f in equity.monitor(session=session)}
    assert {("gender", "man"), ("age_band", "36_60"), ("disability", "yes")} <= groups


def test_a_ussd_complaint_whose_questions_are_skipped(backend, client):
    phone = new_phone()
    ref = _file_by_ussd(client, phone)
    _reply(client, phone, "SKIP")
    answer = _answer_of(ref)
    assert (answer.gender, answer.age_band, answer.disability) == (None, None, None)
    replies = [m for m in outbox_for(backend, phone) if m["kind"] == "reply"]
    assert "we will not ask again" in replies[-1]["body"]
    _reply(client, phone, "231")  # asked once, answered once: later digits are not answers
    assert _answer_of(ref).gender is None


def test_a_single_question_skipped_with_0_in_bangla_digits(backend, client):
    phone = new_phone()
    ref = _file_by_ussd(client, phone)
    _reply(client, phone, "১০২")  # woman, age skipped, no disability
    answer = _answer_of(ref)
    assert (answer.gender, answer.age_band, answer.disability) == ("woman", None, "no")


def test_three_digits_from_a_phone_never_asked_are_not_taken_as_answers(backend, client):
    phone = new_phone()
    complain(client, phone, "no water in ward 5 rangpur sadar for 3 days")
    (ticket,) = tickets_of(backend, phone)  # filed by SMS: not asked (see the README)
    assert not [m for m in outbox_for(backend, phone) if m["kind"] == "equity_question"]
    _reply(client, phone, "231")
    assert _answer_of(ticket["ref"]) is None


def test_an_anonymous_report_is_not_asked(backend, client):
    phone = new_phone()
    final = run(client, phone, [
        ("#English", None), ("#New complaint", None), ("#Corruption", "Stay anonymous?"),
        ("#Yes", "division"), ("Cumilla", "upazila"), ("#Don't know", None),
        ("The land office clerk asked for a bribe", None), ("#I agree", None),
        ("#Send", "complaint number"),
    ])  # fmt: skip
    assert final.startswith("END ")
    assert not [m for m in outbox_for(backend, phone) if m["kind"] == "equity_question"]


def test_erasing_the_phone_deletes_its_answers(backend, client):
    phone = new_phone()
    ref = _file_by_ussd(client, phone)
    _reply(client, phone, "112")
    other = new_phone()
    kept = _file_by_ussd(client, other)
    _reply(client, other, "211")
    assert _answer_of(ref) is not None
    with session_scope() as session:
        citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).one()
        erased = erasure.erase(session=session, citizen_id=citizen.id)
    assert erased.rows["equity_answer"] == 1
    assert _answer_of(ref) is None  # the ticket stays, for statistics; the answers go
    assert _answer_of(kept).gender == "man"  # someone else's are untouched


def test_the_answer_is_kept_apart_from_the_ticket_and_its_words_are_not_kept(backend, client):
    phone = new_phone()
    _file_by_ussd(client, phone)
    _reply(client, phone, "112")
    with session_scope() as session:
        answered = session.exec(
            select(InboundMessage).where(
                InboundMessage.from_phone == phone, InboundMessage.outcome == "equity_answer"
            )
        ).one()
    # the ticket page lists the inbound SMS linked to the ticket: this one is not, and
    # what the row keeps is a marker, not "112"
    assert answered.ticket_id is None
    assert answered.text == REDACTED


def test_a_phone_that_sent_stop_is_not_asked(backend, client):
    phone = new_phone()
    _reply(client, phone, "STOP")
    ref = _file_by_ussd(client, phone)
    assert not [m for m in outbox_for(backend, phone) if m["kind"] == "equity_question"]
    assert _answer_of(ref) is None  # not counted as asked: later digits stay what they are
