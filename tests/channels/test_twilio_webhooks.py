"""Twilio's webhooks end to end, as Twilio would call them: signed form posts to the app.

Every request carries a real `X-Twilio-Signature`, computed with Twilio's own
`RequestValidator` over the URL and the form, with NALISH_TWILIO_AUTH_TOKEN set. The
SMS tests run twice, like tests/nalish/test_spine.py: on the embedded default (SQLite,
in-memory sessions, a job thread) and on PostgreSQL + Redis with a real
`nalish worker --burst` sending the replies. What the app did is read back through the
real CLI (`tickets list`, `outbox list`) or, for what the CLI does not show (delivery
reports, opt-outs), from the database.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select
from twilio.request_validator import RequestValidator

from channels.twilio.parsing import decode_body, status_report
from grievance_engine import outbox
from grievance_engine.models import (
    Citizen,
    DeliveryReport,
    InboundMessage,
    Notification,
    NotificationStatus,
)
from infra.db import session_scope
from infra.settings import reset_settings
from menus.i18n import t
from nalish.app import create_app
from tests import services
from tests.nalish.conftest import Backend, _activate, _prepare, _restore

AUTH_TOKEN = "twilio-test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "a" * 32
OUR_NUMBER = "+15005550006"
SERVER = "http://testserver"  # TestClient's base URL: what the app sees as request.url
SMS = "/channels/twilio/sms"
STATUS = "/channels/twilio/status"
VOICE = "/channels/twilio/voice"
REF = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b")
COMPLAINT = "No water in ward 5, Rangpur sadar, for three days"
# Ours to set for this module, and to put back as they were.
TWILIO_ENV = ("NALISH_TWILIO_AUTH_TOKEN", "NALISH_PUBLIC_BASE_URL")


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["embedded", "postgres_redis"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """tests/nalish/conftest.py's `backend`, with the Twilio auth token configured."""
    database_url = None
    if request.param == "embedded":
        path = tmp_path_factory.mktemp("twilio-embedded") / "nalish.db"
        env = {"NALISH_DATABASE_URL": f"sqlite:///{path}"}
    else:
        services.require_services()
        database_url = services.create_database()
        prefix = services.redis_prefix()
        env = {
            "NALISH_DATABASE_URL": database_url,
            "NALISH_REDIS_URL": services.REDIS_URL,
            "NALISH_REDIS_PREFIX": prefix,
        }
    saved = _activate(env)
    saved_twilio = {key: os.environ.pop(key, None) for key in TWILIO_ENV}
    os.environ["NALISH_TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
    reset_settings()
    try:
        _prepare(env)
        yield Backend(request.param, env)
    finally:
        for key, value in saved_twilio.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _restore(saved)
        if database_url is not None:
            services.drop_database(database_url)
            services.delete_redis_keys(env["NALISH_REDIS_PREFIX"])


@pytest.fixture
def client(backend: Backend) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def public_base_url() -> Iterator[str]:
    """The app sits behind a TLS-terminating proxy at this public address."""
    os.environ["NALISH_PUBLIC_BASE_URL"] = "https://helpline.example.org/"
    reset_settings()
    try:
        yield "https://helpline.example.org"
    finally:
        os.environ.pop("NALISH_PUBLIC_BASE_URL", None)
        reset_settings()


# --- Twilio, as seen by the app -----------------------------------------------------


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post(
    client: TestClient,
    path: str,
    form: dict[str, str],
    *,
    signed_url: str | None = None,
    token: str | None = AUTH_TOKEN,
):
    """POST `form` as Twilio does; signed over `signed_url` (default: the URL called)."""
    headers = {}
    if token is not None:
        headers["X-Twilio-Signature"] = sign(signed_url or f"{SERVER}{path}", form, token)
    return client.post(path, data=form, headers=headers)


def new_sid(prefix: str = "SM") -> str:
    return prefix + uuid.uuid4().hex


def sms_form(phone: str, body: str, sid: str | None = None) -> dict[str, str]:
    """An incoming message webhook, with the fields Twilio sends for an SMS."""
    sid = sid or new_sid()
    return {
        "ToCountry": "US",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "BD",
        "To": OUR_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "ApiVersion": "2010-04-01",
    }


def status_form(sid: str, status: str, phone: str, **extra: str) -> dict[str, str]:
    """A message status callback, as Twilio posts it."""
    return {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": phone,
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": OUR_NUMBER,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def twiml(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (our own app's answer, not untrusted input)


def assert_empty_twiml(response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = twiml(response.text)
    assert root.tag == "Response" and len(root) == 0


# --- reading back what happened -----------------------------------------------------


def send_pending_sms(backend: Backend, client: TestClient) -> None:
    if backend.with_redis:
        backend.nalish("worker", "--burst")
    else:
        client.app.state.job_queue.join()


def tickets_of(backend: Backend, phone: str) -> list[dict]:
    listed = json.loads(backend.nalish("tickets", "list", "--json").stdout)
    return [row for row in listed if row["phone"] == phone]


def outbox_of(backend: Backend, phone: str) -> list[dict]:
    return json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)


def inbound_with(sid: str) -> list[InboundMessage]:
    with session_scope() as session:
        return list(
            session.exec(
                select(InboundMessage).where(InboundMessage.provider_message_id == sid)
            ).all()
        )


def reports_for(sid: str) -> list[DeliveryReport]:
    with session_scope() as session:
        return list(
            session.exec(
                select(DeliveryReport)
                .where(DeliveryReport.provider_message_id == sid)
                .order_by(col(DeliveryReport.id))
            ).all()
        )


def notification(notification_id: int) -> Notification:
    with session_scope() as session:
        return session.get(Notification, notification_id)


def citizen(phone: str) -> Citizen | None:
    with session_scope() as session:
        return session.exec(select(Citizen).where(Citizen.phone == phone)).first()


def complain(client: TestClient, phone: str, text: str = COMPLAINT) -> None:
    """Send a complaint by SMS and confirm the draft with "1", as a citizen does."""
    assert_empty_twiml(post(client, SMS, sms_form(phone, text)))
    assert_empty_twiml(post(client, SMS, sms_form(phone, "1")))


def acks_of(backend: Backend, phone: str) -> list[dict]:
    return [m for m in outbox_of(backend, phone) if m["kind"] == "ack"]


def an_ack_sent_through_twilio(backend: Backend, client: TestClient, phone: str) -> tuple:
    """File a complaint by SMS, send its acknowledgement, and make it Twilio's message.

    The tests send through the console transport (no Twilio account, no network), which
    records provider "console" and its own id. Setting provider "twilio" and an `SM…`
    sid on the row by hand records exactly what `TwilioTransport.send` would have, so
    the status callbacks below find the message the way they would in production.
    """
    complain(client, phone)
    send_pending_sms(backend, client)
    (ack,) = [m for m in outbox_of(backend, phone) if m["ticket_ref"]]
    assert ack["status"] == "sent"
    sid = new_sid()
    with session_scope() as session:
        row = session.get(Notification, ack["id"])
        row.provider, row.provider_message_id = "twilio", sid
    return ack["id"], sid


# --- incoming SMS --------------------------------------------------------------------


def test_an_sms_complaint_files_one_ticket_and_the_ack_carries_its_reference(backend, client):
    phone = "+8801711000001"
    assert_empty_twiml(post(client, SMS, sms_form(phone, COMPLAINT)))
    assert tickets_of(backend, phone) == []  # a draft until the citizen confirms
    (question,) = outbox_of(backend, phone)
    assert "Water complaint in Rangpur" in question["body"] and "Reply 1" in question["body"]
    assert_empty_twiml(post(client, SMS, sms_form(phone, "1")))

    (ticket,) = tickets_of(backend, phone)
    assert ticket["channel"] == "sms"
    assert ticket["category"] == "water"
    assert ticket["district"] == "Rangpur"
    assert ticket["status"] == "new"

    send_pending_sms(backend, client)
    (ack,) = acks_of(backend, phone)
    assert ack["ticket_ref"] == ticket["ref"]
    assert ticket["ref"] in ack["body"]
    assert REF.search(ack["body"]).group(1) == ticket["ref"]
    assert ack["status"] == "sent"


def test_the_same_message_sid_twice_files_one_ticket_and_sends_one_reply(backend, client):
    phone = "+8801811000002"
    post(client, SMS, sms_form(phone, COMPLAINT))
    form = sms_form(phone, "1")
    first = post(client, SMS, form)
    again = post(client, SMS, form)  # Twilio retries after a timeout
    assert_empty_twiml(first)
    assert again.status_code == first.status_code and again.text == first.text

    assert len(inbound_with(form["MessageSid"])) == 1
    assert len(tickets_of(backend, phone)) == 1
    send_pending_sms(backend, client)
    assert len(acks_of(backend, phone)) == 1


def test_a_long_sms_that_twilio_sent_base64_encoded_is_filed_as_its_text(backend, client):
    phone = "+8801911000003"
    text = (
        "No water in ward 5, Rangpur sadar, for three days. The tubewell near the "
        "primary school is broken and the union office has not answered our letters."
    )
    encoded = base64.b64encode(text.encode()).decode()
    complain(client, phone, encoded)
    (ticket,) = tickets_of(backend, phone)
    shown = json.loads(backend.nalish("tickets", "show", ticket["ref"], "--json").stdout)
    assert shown["description"] == text


def test_a_wrong_signature_is_refused_and_nothing_is_recorded(backend, client, caplog):
    phone = "+8801511000004"
    form = sms_form(phone, COMPLAINT)
    with caplog.at_level(logging.WARNING, logger="nalish.channels.twilio"):
        wrong_token = post(client, SMS, form, token="not-our-auth-token")
        tampered = client.post(
            SMS,
            data={**form, "Body": "STOP"},
            headers={"X-Twilio-Signature": sign(f"{SERVER}{SMS}", form)},
        )
    assert wrong_token.status_code == 403
    assert tampered.status_code == 403
    assert inbound_with(form["MessageSid"]) == []
    assert tickets_of(backend, phone) == []
    assert citizen(phone) is None
    assert "bad signature" in caplog.text
    assert f"{SERVER}{SMS}" in caplog.text  # the URL we checked, for the operator
    assert AUTH_TOKEN not in caplog.text
    assert sign(f"{SERVER}{SMS}", form) not in caplog.text


def test_a_missing_signature_is_refused(backend, client, caplog):
    form = sms_form("+8801611000005", COMPLAINT)
    with caplog.at_level(logging.WARNING, logger="nalish.channels.twilio"):
        for path, body in ((SMS, form), (STATUS, status_form(new_sid(), "sent", "+8801611000005"))):
            response = post(client, path, body, token=None)
            assert response.status_code == 403, path
    assert "missing signature" in caplog.text
    assert inbound_with(form["MessageSid"]) == []


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(
    backend, client, public_base_url
):
    phone = "+8801311000006"
    form = sms_form(phone, COMPLAINT)
    # Twilio signed what it called; the app, behind the proxy, sees http://testserver.
    refused = post(client, SMS, form, signed_url=f"{SERVER}{SMS}")
    assert refused.status_code == 403
    accepted = post(client, SMS, form, signed_url=f"{public_base_url}{SMS}")
    assert_empty_twiml(accepted)
    confirmed = post(client, SMS, sms_form(phone, "1"), signed_url=f"{public_base_url}{SMS}")
    assert_empty_twiml(confirmed)
    assert len(tickets_of(backend, phone)) == 1

    # A query string is part of what Twilio signs.
    with_query = sms_form(phone, "STATUS")
    path = f"{SMS}?campaign=flood-2024"
    assert post(client, path, with_query, signed_url=f"{public_base_url}{path}").status_code == 200
    assert post(client, path, with_query, signed_url=f"{public_base_url}{SMS}").status_code == 403


def test_a_missing_or_invalid_from_is_a_400_that_names_it(backend, client):
    form = sms_form("+8801711000007", COMPLAINT)
    del form["From"]
    response = post(client, SMS, form)
    assert response.status_code == 400
    assert "From" in response.text

    response = post(client, SMS, sms_form("12", COMPLAINT))
    assert response.status_code == 400
    assert "invalid From" in response.text

    form = sms_form("+8801711000007", COMPLAINT)
    del form["Body"]
    response = post(client, SMS, form)
    assert response.status_code == 400
    assert "Body" in response.text


def test_stop_opts_the_citizen_out_of_everything_but_answers(backend, client):
    phone = "+8801711000008"
    assert_empty_twiml(post(client, SMS, sms_form(phone, "STOP")))
    assert citizen(phone).opted_out is True

    send_pending_sms(backend, client)
    (confirmation,) = outbox_of(backend, phone)
    assert confirmation["body"] == t("en", "sms.stopped")
    assert confirmation["status"] == "sent"  # the answer to STOP itself still goes out

    with session_scope() as session:
        survey = outbox.add(
            session=session, to_phone=phone, body="Rate us 1-5", language="en", kind="survey"
        )
    assert survey.status == NotificationStatus.SUPPRESSED


# --- status callbacks ----------------------------------------------------------------


def test_a_late_sent_after_delivered_leaves_it_delivered_and_every_report_is_kept(backend, client):
    phone = "+8801711000009"
    notification_id, sid = an_ack_sent_through_twilio(backend, client, phone)
    forms = [status_form(sid, status, phone) for status in ("sent", "delivered", "sent")]
    for form in forms:
        response = post(client, STATUS, form)
        assert response.status_code == 200 and response.text == ""

    delivered = notification(notification_id)
    assert delivered.status == NotificationStatus.DELIVERED
    assert delivered.provider_status == "delivered"
    assert delivered.delivered_at is not None
    reports = reports_for(sid)
    assert [r.status for r in reports] == ["sent", "delivered", "sent"]
    # The first "sent" told us nothing new (the send had marked it sent); the late one
    # would have moved it backwards.
    assert [r.applied for r in reports] == [False, True, False]
    assert [r.raw for r in reports] == forms
    assert {r.notification_id for r in reports} == {notification_id}


def test_a_failure_because_the_citizen_sent_stop_opts_them_out(backend, client):
    phone = "+8801711000010"
    notification_id, sid = an_ack_sent_through_twilio(backend, client, phone)
    form = status_form(sid, "failed", phone, ErrorCode="21610")
    assert post(client, STATUS, form).status_code == 200

    failed = notification(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert "21610" in failed.last_error
    assert failed.needs_callback is False  # they asked us not to write; do not call either
    assert citizen(phone).opted_out is True


def test_a_blocked_message_fails_and_asks_for_a_callback_without_opting_out(backend, client):
    phone = "+8801711000011"
    notification_id, sid = an_ack_sent_through_twilio(backend, client, phone)
    form = status_form(sid, "undelivered", phone, ErrorCode="30004", ErrorMessage="Blocked")
    assert post(client, STATUS, form).status_code == 200

    failed = notification(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.last_error == "Twilio error 30004: Blocked"
    assert failed.needs_callback is True
    assert citizen(phone).opted_out is False


def test_an_unknown_status_is_kept_raw_and_moves_nothing(backend, client):
    phone = "+8801711000012"
    notification_id, sid = an_ack_sent_through_twilio(backend, client, phone)
    form = status_form(sid, "partially_delivered", phone)
    assert post(client, STATUS, form).status_code == 200
    assert notification(notification_id).status == NotificationStatus.SENT
    (report,) = reports_for(sid)
    assert report.applied is False and report.raw == form


def test_a_status_for_a_message_we_never_sent_answers_200_and_is_logged(backend, client, caplog):
    sid = new_sid()
    with caplog.at_level(logging.INFO):
        response = post(client, STATUS, status_form(sid, "delivered", "+8801711000013"))
    assert response.status_code == 200
    (report,) = reports_for(sid)
    assert report.notification_id is None and report.applied is False
    assert sid in caplog.text


def test_a_status_callback_without_a_status_is_a_400_that_names_it(backend, client):
    form = status_form(new_sid(), "sent", "+8801711000014")
    del form["MessageStatus"]
    response = post(client, STATUS, form)
    assert response.status_code == 400
    assert "MessageStatus" in response.text


@pytest.mark.parametrize(
    ("word", "meaning"),
    [
        ("queued", NotificationStatus.SENT),
        ("accepted", NotificationStatus.SENT),
        ("scheduled", NotificationStatus.SENT),
        ("sending", NotificationStatus.SENT),
        ("sent", NotificationStatus.SENT),
        ("delivered", NotificationStatus.DELIVERED),
        ("read", NotificationStatus.DELIVERED),
        ("undelivered", NotificationStatus.FAILED),
        ("failed", NotificationStatus.FAILED),
        ("canceled", NotificationStatus.FAILED),
        ("partially_delivered", NotificationStatus.PENDING),  # kept raw, moves nothing
        ("huh", NotificationStatus.PENDING),
    ],
)
def test_each_twilio_status_means_what_twilio_documents(word, meaning):
    report = status_report({"MessageSid": "SM1", "MessageStatus": word})
    assert report.status == meaning
    assert report.provider_status == word
    assert report.opted_out is False


# --- voice ---------------------------------------------------------------------------


def voice_form(call_status: str = "ringing") -> dict[str, str]:
    return {
        "CallSid": new_sid("CA"),
        "AccountSid": ACCOUNT_SID,
        "From": "+8801711000015",
        "To": OUR_NUMBER,
        "CallStatus": call_status,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }


def test_voice_refuses_unsigned_calls_and_needs_a_call_sid(backend, client):
    assert post(client, VOICE, voice_form(), token=None).status_code == 403
    form = voice_form()
    del form["CallSid"]
    response = post(client, VOICE, form)
    assert response.status_code == 400 and "CallSid" in response.text
    ended = post(client, VOICE, voice_form("completed"))
    assert ended.status_code == 200 and len(twiml(ended.text)) == 0


# --- never a 5xx ---------------------------------------------------------------------

FIELD_NAMES = st.one_of(
    st.sampled_from(
        [
            "MessageSid",
            "From",
            "To",
            "Body",
            "MessageStatus",
            "ErrorCode",
            "ErrorMessage",
            "NumSegments",
            "NumMedia",
            "AccountSid",
        ]
    ),
    st.text(max_size=20),
)
FIELD_VALUES = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "+8801711000099",
            "01711000099",
            "delivered",
            "failed",
            "21610",
            "SM" + "0" * 32,
            "STOP",
            "x" * 200,
            base64.b64encode("Rangpur পানি নেই ".encode() * 5).decode(),
        ]
    ),
)


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from([SMS, STATUS]),
    form=st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=12),
    signed=st.sampled_from([True, True, True, False]),
)
def test_arbitrary_form_fields_never_get_a_5xx(backend, client, path, form, signed):
    response = post(client, path, form, token=AUTH_TOKEN if signed else None)
    assert response.status_code < 500, (response.status_code, response.text)


# --- the base64 rule, on its own ------------------------------------------------------


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_a_base64_body_is_decoded_in_any_language():
    english = "No water in ward 5, Rangpur sadar, for three days, please send help"
    bangla = "রংপুর সদর, ৫ নম্বর ওয়ার্ডে তিন দিন ধরে পানি নেই"
    assert decode_body(b64(english)) == english
    assert decode_body(b64(bangla)) == bangla
    wrapped = b64(english)
    assert decode_body(wrapped[:40] + "\r\n" + wrapped[40:]) == english  # MIME line breaks


def test_a_body_that_only_looks_like_base64_is_kept_as_it_came():
    assert decode_body(COMPLAINT) == COMPLAINT
    assert decode_body("STOP") == "STOP"
    assert decode_body("QUJDRA==") == "QUJDRA=="  # base64, but short: a citizen's word
    # Base64 whose bytes are not UTF-8 (this one, seen from Twilio by RapidPro, ends
    # in half a character): keep the text rather than guess.
    seen = "QmFubm9uIEV4cGxhaW5zIFRoZSBXb3JsZCAuLi4K4oCcVGhlIENhbXAgb2YgdGhlIFNhaW50c+KA"
    assert decode_body(seen) == seen
    assert decode_body(b64("\x00\x01 binary, not a message " * 3)) == b64(
        "\x00\x01 binary, not a message " * 3
    )
    long_word = "Rangpur" * 12  # 84 letters: right alphabet and length, not base64 text
    assert decode_body(long_word) == long_word


@given(st.text(min_size=45).filter(lambda s: s.strip() and s.isprintable()))
def test_any_printable_text_survives_base64(text):
    assert decode_body(b64(text)) == text


@given(st.text(), st.text())
def test_text_with_a_space_inside_is_never_changed(left, right):
    text = f"{left}x y{right}"
    assert decode_body(text) == text
