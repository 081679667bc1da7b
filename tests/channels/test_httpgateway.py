"""The Kannel-style HTTP gateway: the sendsms request we build and how each answer is
classified, and the get-url / dlr-url webhooks end to end.

Only the gateway's HTTP edge is faked (`httpx.MockTransport`); the webhooks run in the
real app against a migrated, seeded SQLite database and the real `nalish` CLI.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, quote_from_bytes, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from channels import delivery
from channels.httpgateway import parsing
from channels.httpgateway.transport import HttpGatewayTransport
from channels.transports import make_transport
from grievance_engine import outbox
from grievance_engine.models import (
    CallbackTask,
    DeliveryReport,
    InboundMessage,
    Notification,
    NotificationStatus,
)
from grievance_engine.outbox import TransportError
from infra import clock
from infra.db import session_scope
from infra.log_redaction import redact_url
from infra.settings import Settings, get_settings
from nalish import periodic
from nalish.app import create_app
from tests.nalish.conftest import Backend, _activate, _prepare, _restore

CITIZEN = "+8801712345678"
GATEWAY_PASSWORD = "kannel-pw-must-never-be-logged"
WEBHOOK_SECRET = "webhook-secret-must-never-be-logged"
KANNEL = "http://kannel:13013/cgi-bin/sendsms"
TEMPLATE = (
    f"{KANNEL}?username=nalish&password={GATEWAY_PASSWORD}&from={{from}}&to={{to}}"
    "&text={text}&coding={coding}&charset={charset}&dlr-mask=31&dlr-url={dlr_url}"
)
PUBLIC = "https://nalish.example"


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "secret_key": "test-secret-key-not-for-production",
        # Explicit, so a developer's own NALISH_* variables cannot change a test.
        "sms_transport": "http",
        "http_gateway_send_url": TEMPLATE,
        "http_gateway_method": "GET",
        "http_gateway_sender": "333",
        "http_gateway_secret": WEBHOOK_SECRET,
        "public_base_url": None,
        "http_timeout_seconds": 10.0,
    }
    values.update(overrides)
    return Settings(**values)


class FakeKannel:
    """Records each request and answers with a canned response (or raises)."""

    def __init__(self, response: httpx.Response | Exception) -> None:
        self.response = response
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response

    def transport(self, **overrides: object) -> HttpGatewayTransport:
        client = httpx.Client(transport=httpx.MockTransport(self.handler))
        return HttpGatewayTransport(make_settings(**overrides), client=client)


def accepted() -> httpx.Response:
    return httpx.Response(202, text="0: Accepted for delivery")


# --- The sendsms request ------------------------------------------------------------


def test_a_get_template_becomes_the_exact_url_with_every_value_encoded():
    kannel = FakeKannel(accepted())

    result = kannel.transport().send(to=CITIZEN, body="Ticket AB12-CD34: received & routed")

    (request,) = kannel.requests
    assert request.method == "GET"
    assert str(request.url) == (
        f"{KANNEL}?username=nalish&password={GATEWAY_PASSWORD}&from=333&to=8801712345678"
        "&text=Ticket%20AB12-CD34%3A%20received%20%26%20routed&coding=0&charset=UTF-8"
        "&dlr-mask=31&dlr-url="
    )
    assert result.provider == "http"
    assert len(result.provider_message_id) == 32


def test_id_and_to_e164_placeholders_carry_our_id_and_the_plus():
    template = f"{KANNEL}?to={{to_e164}}&text={{text}}&smsc-id=bd&id={{id}}"
    kannel = FakeKannel(accepted())

    result = kannel.transport(http_gateway_send_url=template).send(to=CITIZEN, body="Hi")

    assert str(kannel.requests[0].url) == (
        f"{KANNEL}?to=%2B8801712345678&text=Hi&smsc-id=bd&id={result.provider_message_id}"
    )


def test_the_dlr_url_names_our_id_kannels_type_and_the_secret_when_a_public_url_is_set():
    kannel = FakeKannel(accepted())

    result = kannel.transport(public_base_url=PUBLIC + "/").send(to=CITIZEN, body="Hi")

    dlr_url = (
        f"{PUBLIC}/channels/http/delivery?id={result.provider_message_id}"
        f"&status=%d&secret={WEBHOOK_SECRET}"
    )
    url = str(kannel.requests[0].url)
    assert url.endswith("&dlr-url=" + quote(dlr_url, safe=""))
    # Kannel decodes the parameter once and then replaces %d with the report type.
    assert parse_qs(urlsplit(url).query)["dlr-url"] == [dlr_url]


def test_a_post_gateway_gets_kannels_sendsms_post_the_text_as_body_the_rest_as_headers():
    kannel = FakeKannel(accepted())

    kannel.transport(http_gateway_method="POST", public_base_url=PUBLIC).send(
        to=CITIZEN, body="আপনার অভিযোগ গ্রহণ করা হয়েছে"
    )

    (request,) = kannel.requests
    assert request.method == "POST"
    assert str(request.url) == KANNEL
    # Kannel's POST takes text/plain (or XML); a form body is "400 Invalid content-type"
    assert request.headers["content-type"] == "text/plain; charset=UTF-8"
    assert request.content.decode("utf-8") == "আপনার অভিযোগ গ্রহণ করা হয়েছে"
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-kannel")}
    dlr_url = headers.pop("x-kannel-dlr-url")
    assert headers == {
        "x-kannel-username": "nalish",
        "x-kannel-password": GATEWAY_PASSWORD,
        "x-kannel-from": "333",
        "x-kannel-to": "8801712345678",
        "x-kannel-coding": "2",
        "x-kannel-dlr-mask": "31",
    }
    assert dlr_url.startswith(f"{PUBLIC}/channels/http/delivery?id=")
    assert dlr_url.endswith(f"&status=%d&secret={WEBHOOK_SECRET}")  # not URL-encoded twice


@pytest.mark.parametrize(
    ("body", "coding"),
    [
        ("Your complaint AB12-CD34 was received.", "0"),
        ("আপনার অভিযোগ AB12-CD34 গ্রহণ করা হয়েছে", "2"),  # any Bangla makes it UCS-2
    ],
)
def test_gsm_text_is_coding_0_and_bangla_is_coding_2_both_sent_as_utf8(body, coding):
    kannel = FakeKannel(accepted())

    kannel.transport().send(to=CITIZEN, body=body)

    query = parse_qs(urlsplit(str(kannel.requests[0].url)).query)
    assert query["coding"] == [coding]
    assert query["charset"] == ["UTF-8"]
    assert query["text"] == [body]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(202, text="0: Accepted for delivery"),
        httpx.Response(202, text="3: Queued for later delivery"),
        httpx.Response(200, text="Sent."),
    ],
)
def test_a_2xx_answer_is_sent_with_the_id_we_gave_the_gateway(answer):
    template = TEMPLATE + "&id={id}"
    kannel = FakeKannel(answer)

    result = kannel.transport(http_gateway_send_url=template).send(to=CITIZEN, body="Hi")

    assert result.provider == "http"
    sent_id = parse_qs(urlsplit(str(kannel.requests[0].url)).query)["id"]
    assert sent_id == [result.provider_message_id]


def test_each_message_gets_its_own_id():
    kannel = FakeKannel(accepted())
    transport = kannel.transport()

    first = transport.send(to=CITIZEN, body="one")
    second = transport.send(to=CITIZEN, body="two")

    assert first.provider_message_id != second.provider_message_id


@pytest.mark.parametrize(
    ("status", "text"),
    [(403, "Authorization failed"), (400, "Missing receiver"), (404, "Not found")],
)
def test_a_4xx_refusal_fails_for_good(status, text):
    kannel = FakeKannel(httpx.Response(status, text=text))

    with pytest.raises(TransportError) as caught:
        kannel.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is True
    assert text in str(caught.value)
    assert str(status) in str(caught.value)


def test_a_refused_password_is_logged_as_an_error_and_redacted_everywhere(caplog):
    kannel = FakeKannel(httpx.Response(403, text="Authorization failed"))

    with caplog.at_level(logging.DEBUG), pytest.raises(TransportError) as caught:
        kannel.transport(public_base_url=PUBLIC).send(to=CITIZEN, body="Hi")

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "NALISH_HTTP_GATEWAY_SEND_URL" in errors[0].getMessage()
    assert "password=***" in str(caught.value)
    for secret in (GATEWAY_PASSWORD, WEBHOOK_SECRET):
        assert secret not in str(caught.value)
        assert secret not in caplog.text


def test_httpx_own_request_log_line_is_redacted(caplog):
    kannel = FakeKannel(accepted())

    with caplog.at_level(logging.DEBUG):
        kannel.transport(public_base_url=PUBLIC).send(to=CITIZEN, body="Hi")

    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines and "password=***" in httpx_lines[0]
    assert GATEWAY_PASSWORD not in caplog.text
    assert WEBHOOK_SECRET not in caplog.text


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_errors_and_rate_limits_are_retried(status):
    kannel = FakeKannel(httpx.Response(status, text="Temporarily unavailable"))

    with pytest.raises(TransportError) as caught:
        kannel.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    assert GATEWAY_PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("The read operation timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("[Errno -2] Name or service not known"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_timeouts_and_connection_errors_are_retried_without_the_password(error):
    kannel = FakeKannel(error)

    with pytest.raises(TransportError) as caught:
        kannel.transport(http_gateway_method="POST").send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    assert "password=***" in str(caught.value)
    assert GATEWAY_PASSWORD not in str(caught.value)


def test_requests_carry_the_configured_timeout():
    kannel = FakeKannel(accepted())

    kannel.transport(http_timeout_seconds=4.5).send(to=CITIZEN, body="Hi")

    assert kannel.requests[0].extensions["timeout"] == {
        "connect": 4.5,
        "read": 4.5,
        "write": 4.5,
        "pool": 4.5,
    }


def test_an_unknown_placeholder_stops_start_up_and_is_named():
    with pytest.raises(ValueError, match=r"\{msisdn\}"):
        HttpGatewayTransport(make_settings(http_gateway_send_url=TEMPLATE + "&x={msisdn}"))


def test_a_template_without_a_recipient_stops_start_up():
    with pytest.raises(ValueError, match=r"\{to\}"):
        HttpGatewayTransport(make_settings(http_gateway_send_url=f"{KANNEL}?text={{text}}"))


def test_a_template_that_is_not_an_http_url_stops_start_up_without_showing_the_password():
    with pytest.raises(ValueError, match="http://") as caught:
        HttpGatewayTransport(
            make_settings(http_gateway_send_url=f"kannel:13013?password={GATEWAY_PASSWORD}")
        )

    assert GATEWAY_PASSWORD not in str(caught.value)


def test_redact_url_hides_secret_parameters_also_inside_a_nested_url():
    nested = quote(f"{PUBLIC}/d?id=1&status=%d&secret={WEBHOOK_SECRET}", safe="")
    url = f"{KANNEL}?user=n&PWD=x1&api_key=k2&Token=t3&text=hi&dlr-url={nested}"

    redacted = redact_url(url)

    assert redacted.startswith(f"{KANNEL}?user=n&PWD=***&api_key=***&Token=***&text=hi")
    assert WEBHOOK_SECRET not in redacted
    assert "status%3D%25d" in redacted  # the rest of the nested URL is left as it was


def test_make_transport_picks_the_http_gateway_for_http():
    transport = make_transport(make_settings(sms_transport="http"))

    assert isinstance(transport, HttpGatewayTransport)
    assert transport.name == "http"


# --- Parsing ------------------------------------------------------------------------


def test_other_gateways_field_names_are_understood_too():
    fields = {"sender": "x", "receiver": "333", "message": "Hello", "message_id": "m-1"}

    sms = parsing.incoming_sms(fields, from_phone=CITIZEN)

    assert (sms.provider, sms.to, sms.text, sms.provider_message_id) == (
        "http",
        "333",
        "Hello",
        "m-1",
    )
    assert parsing.missing(fields, parsing.SMS_REQUIRED) == []


@pytest.mark.parametrize(
    ("dlr_type", "status"),
    [
        ("1", NotificationStatus.DELIVERED),
        ("2", NotificationStatus.FAILED),
        ("4", NotificationStatus.SENT),
        ("8", NotificationStatus.SENT),
        ("16", NotificationStatus.FAILED),
        ("32", NotificationStatus.PENDING),  # unknown: kept raw, moves nothing
        ("delivered", NotificationStatus.PENDING),
    ],
)
def test_kannel_dlr_types_map_to_notification_statuses(dlr_type, status):
    report = parsing.delivery_report({"id": "abc", "status": dlr_type})

    assert report.status == status
    assert report.provider == "http"
    assert report.provider_message_id == "abc"
    assert report.provider_status == dlr_type
    assert (report.failure_reason is not None) == (status == NotificationStatus.FAILED)


# --- Webhooks, end to end -----------------------------------------------------------

SMS = "/channels/http/sms"
DELIVERY = "/channels/http/delivery"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    path = tmp_path_factory.mktemp("httpgateway") / "nalish.db"
    env = {"NALISH_DATABASE_URL": f"sqlite:///{path}"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NALISH_HTTP_GATEWAY_SECRET", WEBHOOK_SECRET)
        saved = _activate(env)
        try:
            _prepare(env)
            yield Backend("embedded", env)
        finally:
            _restore(saved)


@pytest.fixture
def client(backend: Backend) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def tickets_of(backend: Backend, phone: str) -> list[dict]:
    listed = json.loads(backend.nalish("tickets", "list", "--json").stdout)
    return [ticket for ticket in listed if ticket["phone"] == phone]


def test_an_sms_naming_a_district_files_one_ticket_and_its_retry_files_none(backend, client):
    form = {
        "secret": WEBHOOK_SECRET,
        "from": "8801712345601",  # Kannel's %p: international, without the plus
        "to": "333",
        "text": "No water from the tubewell in Rangpur ward 5 for three days",
        "id": uuid.uuid4().hex,
    }

    first = client.post(SMS, data=form)
    retry = client.post(SMS, data=form)
    assert (first.status_code, first.text) == (200, "OK")
    assert (retry.status_code, retry.text) == (200, "OK")
    confirm = {**form, "text": "1", "id": uuid.uuid4().hex}  # "Reply 1 to send it"
    assert client.post(SMS, data=confirm).status_code == 200
    assert client.post(SMS, data=confirm).status_code == 200  # the gateway retries

    (ticket,) = tickets_of(backend, "+8801712345601")
    assert ticket["channel"] == "sms"
    assert ticket["district"] == "Rangpur"
    assert ticket["category"] == "water"


def test_kannels_get_url_with_the_fields_in_the_query_files_a_ticket(backend, client):
    response = client.get(
        SMS,
        params={
            "secret": WEBHOOK_SECRET,
            "from": "01712345602",
            "to": "333",
            "text": "Bribe demanded at the land office in Dinajpur",
            "id": uuid.uuid4().hex,
        },
    )

    assert (response.status_code, response.text) == (200, "OK")
    params = {"secret": WEBHOOK_SECRET, "from": "01712345602", "to": "333", "text": "1",
              "id": uuid.uuid4().hex}  # fmt: skip
    assert client.get(SMS, params=params).status_code == 200  # "Reply 1 to send it"
    (ticket,) = tickets_of(backend, "+8801712345602")
    assert ticket["district"] == "Dinajpur"
    assert ticket["category"] == "corruption"


@pytest.mark.parametrize("path", [SMS, DELIVERY])
@pytest.mark.parametrize("secret", [None, "not-the-secret"])
def test_a_wrong_or_missing_secret_is_refused_and_not_logged(backend, client, caplog, path, secret):
    fields = {"from": "+8801712345603", "text": "Rangpur water", "id": "x", "status": "1"}
    if secret is not None:
        fields["secret"] = secret

    with caplog.at_level(logging.INFO):
        by_post = client.post(path, data=fields)
        by_get = client.get(path, params=fields)

    assert by_post.status_code == by_get.status_code == 403
    assert ("wrong secret" if secret else "missing secret") in caplog.text
    assert "not-the-secret" not in caplog.text
    assert tickets_of(backend, "+8801712345603") == []


def test_a_secret_in_the_query_of_a_posted_form_is_accepted(backend, client):
    response = client.post(
        f"{DELIVERY}?secret={WEBHOOK_SECRET}", data={"id": uuid.uuid4().hex, "status": "8"}
    )

    assert response.status_code == 200


def test_without_a_configured_secret_every_callback_is_refused_and_the_log_says_why(
    backend, client, caplog
):
    client.app.dependency_overrides[get_settings] = lambda: make_settings(http_gateway_secret=None)

    with caplog.at_level(logging.INFO):
        response = client.get(
            SMS, params={"secret": "", "from": "+8801712345604", "text": "Rangpur water"}
        )

    assert response.status_code == 403
    assert "NALISH_HTTP_GATEWAY_SECRET must be set" in caplog.text
    assert tickets_of(backend, "+8801712345604") == []


@pytest.mark.parametrize(("method", "carried_in"), [("GET", "params"), ("POST", "data")])
def test_an_sms_without_text_is_a_400_that_names_it(client, method, carried_in):
    fields = {"secret": WEBHOOK_SECRET, "from": "+8801712345605", "to": "333"}

    response = client.request(method, SMS, **{carried_in: fields})

    assert response.status_code == 400
    assert response.json()["detail"] == "missing field: text"


def test_an_sms_from_an_invalid_number_is_a_400(client):
    response = client.post(SMS, data={"secret": WEBHOOK_SECRET, "from": "12", "text": "Rangpur"})

    assert response.status_code == 400
    assert "invalid from" in response.json()["detail"]


def sent_notification(provider_message_id: str) -> int:
    """A notification as the outbox leaves it after the HTTP gateway accepted it.

    Written directly: the test app sends through the console transport (the gateway
    is not reachable from a test), so no outbox row would carry provider "http".
    """
    with session_scope() as session:
        notification = Notification(
            to_phone=CITIZEN,
            body="Your complaint was received.",
            language="en",
            kind="ack",
            status=NotificationStatus.SENT,
            provider="http",
            provider_message_id=provider_message_id,
        )
        session.add(notification)
        session.flush()
        return notification.id


def notification(notification_id: int) -> Notification:
    with session_scope() as session:
        return session.get(Notification, notification_id)


def test_a_delivery_report_at_the_dlr_url_we_gave_kannel_marks_the_message_delivered(
    backend, client
):
    kannel = FakeKannel(accepted())
    sent = kannel.transport(public_base_url=PUBLIC).send(to=CITIZEN, body="Hi")
    notification_id = sent_notification(sent.provider_message_id)
    query = parse_qs(urlsplit(str(kannel.requests[0].url)).query)
    dlr_url = urlsplit(query["dlr-url"][0].replace("%d", "1"))  # what Kannel calls

    response = client.get(f"{dlr_url.path}?{dlr_url.query}")

    assert (response.status_code, response.text) == (200, "OK")
    delivered = notification(notification_id)
    assert delivered.status == NotificationStatus.DELIVERED
    assert delivered.provider_status == "1"
    assert delivered.delivered_at is not None


def test_a_failed_delivery_report_flags_the_message_for_a_call_back(backend, client):
    provider_message_id = uuid.uuid4().hex
    notification_id = sent_notification(provider_message_id)

    response = client.post(
        DELIVERY, data={"secret": WEBHOOK_SECRET, "id": provider_message_id, "status": "16"}
    )

    assert response.status_code == 200
    failed = notification(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.needs_callback is True
    assert "rejected by the SMSC" in failed.last_error


def test_a_delivery_report_for_an_unknown_id_answers_200_and_is_kept_without_the_secret(
    backend, client
):
    unknown = uuid.uuid4().hex

    response = client.get(DELIVERY, params={"secret": WEBHOOK_SECRET, "id": unknown, "status": "1"})

    assert (response.status_code, response.text) == (200, "OK")
    with session_scope() as session:
        (row,) = session.exec(
            select(DeliveryReport).where(DeliveryReport.provider_message_id == unknown)
        ).all()
    assert row.notification_id is None
    assert row.applied is False
    assert row.raw == {"id": unknown, "status": "1"}


# --- Reports that outrun the send, and Kannel's codings -------------------------------


@pytest.fixture
def quiet_client(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app without its embedded periodic sweeps: the outbox sweep an embedded app
    runs at start-up could otherwise, on a loaded machine, send the row below first."""
    monkeypatch.setattr(periodic, "SCHEDULE", ())
    with TestClient(create_app()) as test_client:
        yield test_client


def pending_notification(body: str = "Your complaint was received.") -> int:
    """An outbox row waiting to be sent, written directly so no background sender in
    the test app takes it before `outbox.deliver` below (use `quiet_client`)."""
    with session_scope() as session:
        row = Notification(
            to_phone=CITIZEN, body=body, language="en", kind="ack", next_attempt_at=clock.now()
        )
        session.add(row)
        session.flush()
        return row.id


class KannelThatReportsFirst(FakeKannel):
    """A gateway whose delivery report reaches our webhook before its answer to the
    send reaches the worker, as a real Kannel's often does."""

    def __init__(self, client: TestClient, dlr_type: str) -> None:
        super().__init__(accepted())
        self.client, self.dlr_type = client, dlr_type
        self.report_answers: list[int] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        dlr_url = parse_qs(urlsplit(str(request.url)).query)["dlr-url"][0]
        called = urlsplit(dlr_url.replace("%d", self.dlr_type))
        self.report_answers.append(self.client.get(f"{called.path}?{called.query}").status_code)
        return super().handler(request)


def test_a_delivery_report_that_outruns_the_send_is_applied_when_the_id_is_saved(
    backend, quiet_client
):
    kannel = KannelThatReportsFirst(quiet_client, "1")
    notification_id = pending_notification()

    outcome = outbox.deliver(
        notification_id=notification_id, transport=kannel.transport(public_base_url=PUBLIC)
    )

    assert outcome == "sent"
    assert kannel.report_answers == [200]
    delivered = notification(notification_id)
    assert delivered.status == NotificationStatus.DELIVERED
    with session_scope() as session:
        (report,) = session.exec(
            select(DeliveryReport).where(DeliveryReport.notification_id == notification_id)
        ).all()
    assert report.applied is True


def test_a_rejection_that_outruns_the_send_still_asks_an_agent_to_call_back(backend, quiet_client):
    kannel = KannelThatReportsFirst(quiet_client, "16")
    notification_id = pending_notification()

    outbox.deliver(
        notification_id=notification_id, transport=kannel.transport(public_base_url=PUBLIC)
    )

    failed = notification(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.needs_callback is True
    assert "rejected by the SMSC" in failed.last_error
    with session_scope() as session:
        (task,) = session.exec(
            select(CallbackTask).where(CallbackTask.notification_id == notification_id)
        ).all()
    assert task.phone == CITIZEN
    assert "not delivered" in task.reason


def test_a_report_kept_for_an_unknown_id_is_applied_once_however_often_the_id_lands(
    backend, client
):
    provider_message_id = uuid.uuid4().hex
    client.get(
        DELIVERY, params={"secret": WEBHOOK_SECRET, "id": provider_message_id, "status": "2"}
    )
    notification_id = sent_notification(provider_message_id)

    with session_scope() as session:
        first = delivery.apply_waiting(
            session=session, provider="http", provider_message_id=provider_message_id
        )
    with session_scope() as session:
        again = delivery.apply_waiting(
            session=session, provider="http", provider_message_id=provider_message_id
        )

    assert (first, again) == (1, 0)
    failed = notification(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.needs_callback is True


BANGLA = "রংপুরে তিন দিন ধরে পানি নেই"


@pytest.mark.parametrize(
    ("phone", "text_bytes", "coding_and_charset"),
    [
        ("8801712345701", BANGLA.encode("utf-16-be"), {"coding": "2", "charset": "UTF-16BE"}),
        ("8801712345702", BANGLA.encode("utf-8"), {"coding": "0", "charset": "UTF-8"}),
        ("8801712345703", BANGLA.encode("utf-16-be"), {}),  # a get-url without %c and %C
    ],
    ids=["ucs2-raw", "ucs2-recoded", "ucs2-raw-no-coding"],
)
def test_bangla_from_kannel_arrives_as_bangla_whatever_its_coding(
    backend, client, phone, text_bytes, coding_and_charset
):
    query = "&".join(
        [
            f"secret={WEBHOOK_SECRET}",
            f"from={phone}",
            "to=333",
            "text=" + quote_from_bytes(text_bytes, safe=""),
            f"id={uuid.uuid4().hex}",
            *(f"{name}={value}" for name, value in coding_and_charset.items()),
        ]
    )

    response = client.get(f"{SMS}?{query}")

    assert (response.status_code, response.text) == (200, "OK")
    with session_scope() as session:
        texts = session.exec(
            select(InboundMessage.text).where(InboundMessage.from_phone == f"+{phone}")
        ).all()
    assert BANGLA in texts


def test_a_bangla_complaint_in_raw_ucs2_confirmed_with_a_bangla_one_is_filed(backend, client):
    def sms(text: str) -> None:
        query = (
            f"secret={WEBHOOK_SECRET}&from=8801712345704&to=333&coding=2&charset=UTF-16BE"
            f"&id={uuid.uuid4().hex}&text=" + quote_from_bytes(text.encode("utf-16-be"), safe="")
        )
        assert client.get(f"{SMS}?{query}").status_code == 200

    sms("রংপুর জেলার কাউনিয়ায় তিন দিন ধরে নলকূপে পানি নেই")
    sms("১")  # "reply 1 to send it", on a Bangla keypad

    (ticket,) = tickets_of(backend, "+8801712345704")
    assert (ticket["district"], ticket["category"]) == ("Rangpur", "water")


@pytest.mark.parametrize(
    ("data", "coding", "charset", "text"),
    [
        (b"No water", "0", "GSM", "No water"),
        ("café".encode("latin-1"), "0", None, "café"),
        ("HELP".encode("utf-16-be"), "2", "UTF-16BE", "HELP"),
        ("HELP".encode("utf-16-be"), None, None, "HELP"),  # NULs between: UCS-2, not text
        ("café au lait".encode("latin-1"), None, None, "café au lait"),  # not UTF-8, not UCS-2
        ("তথ্য".encode(), "2", "UTF-8", "তথ্য"),
    ],
)
def test_the_text_is_decoded_as_kannels_coding_and_charset_say(data, coding, charset, text):
    assert parsing.decode_text(data, coding=coding, charset=charset) == text
