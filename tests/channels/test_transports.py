"""Outbound SMS transports: each provider's request, and how each answer is classified.

Only the provider's HTTP edge is faked: `httpx.MockTransport` for Africa's Talking, a
`twilio.http.HttpClient` subclass for Twilio. Bodies are in the providers' own JSON.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

import httpx
import pytest
import requests
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client as TwilioClient

from channels.africastalking.transport import AfricasTalkingTransport
from channels.console.transport import ConsoleTransport
from channels.transports import make_transport
from channels.twilio.transport import TwilioTransport
from grievance_engine.outbox import TransportError
from infra.settings import Settings

CITIZEN = "+8801712345678"
AT_API_KEY = "atsk_0123456789abcdef-must-never-be-logged"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token-must-never-be-logged"


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "secret_key": "test-secret-key-not-for-production",
        # Explicit, so a developer's own NALISH_* variables cannot change a test.
        "sms_transport": "console",
        "at_username": "sandbox",
        "at_api_key": AT_API_KEY,
        "at_sender_id": None,
        "at_api_base_url": None,
        "http_timeout_seconds": 10.0,
    }
    values.update(overrides)
    return Settings(**values)


# --- Africa's Talking ---------------------------------------------------------------


def at_answer(status_code: int, status: str, message_id: str = "None") -> dict:
    """A bulk SMS answer for one recipient, as Africa's Talking sends it."""
    sent = status_code in (100, 101, 102)
    return {
        "SMSMessageData": {
            "Message": "Sent to 1/1 Total Cost: BDT 0.3500"
            if sent
            else "Sent to 0/1 Total Cost: 0",
            "Recipients": [
                {
                    "statusCode": status_code,
                    "number": CITIZEN,
                    "status": status,
                    "cost": "BDT 0.3500" if sent else "0",
                    "messageId": message_id,
                }
            ],
        }
    }


class FakeAfricasTalking:
    """Records each request and answers with a canned response (or raises)."""

    def __init__(self, response: httpx.Response | Exception) -> None:
        self.response = response
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response

    def transport(self, **settings: object) -> AfricasTalkingTransport:
        client = httpx.Client(transport=httpx.MockTransport(self.handler))
        return AfricasTalkingTransport(make_settings(**settings), client=client)

    @property
    def form(self) -> dict[str, str]:
        fields = parse_qs(self.requests[-1].content.decode(), keep_blank_values=True)
        return {key: values[0] for key, values in fields.items()}


def test_africastalking_posts_the_form_with_the_api_key_header_to_the_sandbox():
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(101, "Success", "ATXid_1")))

    result = fake.transport().send(to=CITIZEN, body="Your complaint K3F7-9QX2 was received.")

    request = fake.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "https://api.sandbox.africastalking.com/version1/messaging"
    assert request.headers["apiKey"] == AT_API_KEY
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert fake.form == {
        "username": "sandbox",
        "to": CITIZEN,
        "message": "Your complaint K3F7-9QX2 was received.",
    }
    assert result.provider == "africastalking"
    assert result.provider_message_id == "ATXid_1"


def test_africastalking_uses_the_live_host_and_the_sender_id_for_a_real_username():
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(101, "Success", "ATXid_2")))

    fake.transport(at_username="nalish-bd", at_sender_id="333").send(to=CITIZEN, body="Hi")

    assert str(fake.requests[0].url) == "https://api.africastalking.com/version1/messaging"
    assert fake.form["username"] == "nalish-bd"
    assert fake.form["from"] == "333"


def test_africastalking_base_url_setting_overrides_both_hosts():
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(100, "Processed", "ATXid_3")))

    fake.transport(at_username="nalish-bd", at_api_base_url="https://at-proxy.example/").send(
        to=CITIZEN, body="Hi"
    )

    assert str(fake.requests[0].url) == "https://at-proxy.example/version1/messaging"


def test_africastalking_sends_bangla_text_intact_in_the_form():
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(101, "Success", "ATXid_4")))
    body = "আপনার অভিযোগ K3F7-9QX2 গ্রহণ করা হয়েছে।"

    fake.transport().send(to=CITIZEN, body=body)

    assert fake.form["message"] == body


@pytest.mark.parametrize(
    ("status_code", "status"),
    [(100, "Processed"), (101, "Success"), (102, "Queued")],
)
def test_africastalking_recipient_codes_100_to_102_are_sent_with_the_message_id(
    status_code, status
):
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(status_code, status, "ATXid_5")))

    result = fake.transport().send(to=CITIZEN, body="Hi")

    assert result.provider_message_id == "ATXid_5"


@pytest.mark.parametrize(
    ("status_code", "status"),
    [
        (401, "RiskHold"),
        (405, "InsufficientBalance"),
        (407, "CouldNotRoute"),
        (500, "InternalServerError"),
        (501, "GatewayError"),
        (502, "RejectedByGateway"),
    ],
)
def test_africastalking_recipient_codes_about_our_account_or_gateways_are_retried(
    status_code, status
):
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(status_code, status)))

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    assert status in str(caught.value)


@pytest.mark.parametrize(
    ("status_code", "status"),
    [
        (402, "InvalidSenderId"),
        (403, "InvalidPhoneNumber"),
        (404, "UnsupportedNumberType"),
        (406, "UserInBlacklist"),
        (409, "DoNotDisturbRejection"),
    ],
)
def test_africastalking_recipient_codes_about_the_number_or_sender_fail_for_good(
    status_code, status
):
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(status_code, status)))

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is True
    assert status in str(caught.value)
    # a blacklist or do-not-disturb rejection means the citizen opted out
    assert caught.value.opted_out is (status_code in (406, 409))


def test_africastalking_http_200_with_a_failed_recipient_is_not_a_success():
    fake = FakeAfricasTalking(httpx.Response(200, json=at_answer(403, "InvalidPhoneNumber")))

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to="+8801", body="Hi")

    assert caught.value.permanent is True


def test_africastalking_answer_with_no_recipients_fails_for_good_with_its_message():
    answer = {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}
    fake = FakeAfricasTalking(httpx.Response(200, json=answer))

    with pytest.raises(TransportError) as caught:
        fake.transport(at_sender_id="NOT-OURS").send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is True
    assert "InvalidSenderId" in str(caught.value)


def test_africastalking_success_status_without_its_usual_shape_is_retried():
    fake = FakeAfricasTalking(httpx.Response(200, json={"status": "maintenance"}))

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False


def test_africastalking_unknown_recipient_code_is_retried_and_logged(caplog):
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(499, "SomethingNew")))

    with caplog.at_level(logging.WARNING), pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    assert "SomethingNew" in caplog.text


@pytest.mark.parametrize("http_status", [500, 502, 503, 504, 429])
def test_africastalking_server_errors_and_rate_limits_are_retried(http_status):
    fake = FakeAfricasTalking(httpx.Response(http_status, text="upstream trouble"))

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    assert str(http_status) in str(caught.value)


@pytest.mark.parametrize("http_status", [400, 404, 422])
def test_africastalking_other_client_errors_fail_for_good(http_status):
    fake = FakeAfricasTalking(
        httpx.Response(http_status, text="Request is missing required form field 'to'")
    )

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is True


@pytest.mark.parametrize("http_status", [401, 403])
def test_africastalking_rejected_api_key_is_retried_and_logged_as_an_error_without_the_key(
    http_status, caplog
):
    fake = FakeAfricasTalking(
        httpx.Response(http_status, text="The supplied authentication is invalid")
    )

    with caplog.at_level(logging.DEBUG), pytest.raises(TransportError) as caught:
        fake.transport(at_username="nalish-bd").send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "NALISH_AT_API_KEY" in errors[0].getMessage()
    assert AT_API_KEY not in caplog.text
    assert AT_API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("The read operation timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("[Errno -2] Name or service not known"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_africastalking_timeouts_and_connection_errors_are_retried(error):
    fake = FakeAfricasTalking(error)

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False


def test_africastalking_unreadable_success_body_is_retried():
    fake = FakeAfricasTalking(httpx.Response(200, text="<html>gateway</html>"))

    with pytest.raises(TransportError) as caught:
        fake.transport().send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False


def test_africastalking_requests_carry_the_configured_timeout():
    fake = FakeAfricasTalking(httpx.Response(201, json=at_answer(101, "Success", "ATXid_6")))

    fake.transport(http_timeout_seconds=4.5).send(to=CITIZEN, body="Hi")

    assert fake.requests[0].extensions["timeout"] == {
        "connect": 4.5,
        "read": 4.5,
        "write": 4.5,
        "pool": 4.5,
    }


def test_africastalking_api_key_never_appears_in_the_log(caplog):
    answers = iter(
        [
            httpx.Response(201, json=at_answer(101, "Success", "ATXid_7")),
            httpx.Response(201, json=at_answer(405, "InsufficientBalance")),
            httpx.Response(500, text="oops"),
        ]
    )
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    transport = AfricasTalkingTransport(make_settings(), client=client)

    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            try:
                transport.send(to=CITIZEN, body="Hi")
            except TransportError as exc:
                logging.getLogger("test").warning("send failed: %s", exc)

    assert caplog.records, "expected some log output to check"
    assert AT_API_KEY not in caplog.text


def test_africastalking_refuses_to_start_without_an_api_key():
    with pytest.raises(ValueError, match="NALISH_AT_API_KEY"):
        AfricasTalkingTransport(make_settings(at_api_key=None))


# --- Twilio -------------------------------------------------------------------------


def twilio_message(sid: str, to: str, body: str) -> str:
    """A Message resource as Twilio answers a create."""
    base = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}"
    return json.dumps(
        {
            "account_sid": TWILIO_SID,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
            "date_sent": None,
            "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": "+15005550006",
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": to,
            "uri": f"{base}.json",
        }
    )


def twilio_error(code: int, message: str, status: int) -> str:
    """An error as Twilio's REST API answers it."""
    return json.dumps(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    )


class FakeTwilioHttp(HttpClient):
    """Twilio's HTTP edge: records each request and answers with a canned response."""

    def __init__(self, status: int, text: str = "", error: Exception | None = None) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False, timeout=None)
        self.status, self.text, self.error = status, text, error
        self.calls: list[dict] = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        self.calls.append({"method": method, "url": url, "data": data, "auth": auth})
        if self.error is not None:
            raise self.error
        return TwilioResponse(self.status, self.text)


def twilio_transport(http: FakeTwilioHttp) -> TwilioTransport:
    settings = make_settings(
        twilio_account_sid=TWILIO_SID, twilio_auth_token=TWILIO_TOKEN, twilio_from="+15005550006"
    )
    client = TwilioClient(TWILIO_SID, TWILIO_TOKEN, http_client=http)
    return TwilioTransport(settings, client=client)


def test_twilio_creates_a_message_and_returns_its_sid():
    sid = "SM" + "a" * 32
    http = FakeTwilioHttp(201, twilio_message(sid, CITIZEN, "Your complaint was received."))

    result = twilio_transport(http).send(to=CITIZEN, body="Your complaint was received.")

    assert result.provider == "twilio"
    assert result.provider_message_id == sid
    call = http.calls[0]
    assert call["method"] == "POST"
    assert call["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert call["data"]["To"] == CITIZEN
    assert call["data"]["From"] == "+15005550006"
    assert call["data"]["Body"] == "Your complaint was received."
    assert call["auth"] == (TWILIO_SID, TWILIO_TOKEN)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (21610, "Attempt to send to unsubscribed recipient"),
        (21211, "Invalid 'To' Phone Number: +88017"),
        (21614, "'To' number is not a valid mobile number"),
        (21408, "Permission to send an SMS has not been enabled for the region indicated"),
    ],
)
def test_twilio_stop_and_bad_number_errors_fail_for_good(code, message):
    http = FakeTwilioHttp(400, twilio_error(code, message, 400))

    with pytest.raises(TransportError) as caught:
        twilio_transport(http).send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is True
    assert str(code) in str(caught.value)
    assert caught.value.opted_out is (code == 21610)


def test_twilio_stop_reply_fails_for_good_and_the_error_says_why():
    http = FakeTwilioHttp(
        400, twilio_error(21610, "Attempt to send to unsubscribed recipient", 400)
    )

    with pytest.raises(TransportError) as caught:
        twilio_transport(http).send(to=CITIZEN, body="Please rate our service")

    assert caught.value.permanent is True
    assert "replied STOP" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, 20500), (503, 20503), (429, 20429)],
)
def test_twilio_server_errors_and_rate_limits_are_retried(status, code):
    http = FakeTwilioHttp(status, twilio_error(code, "Try again later", status))

    with pytest.raises(TransportError) as caught:
        twilio_transport(http).send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False


def test_twilio_other_client_errors_fail_for_good():
    http = FakeTwilioHttp(400, twilio_error(21602, "Message body is required.", 400))

    with pytest.raises(TransportError) as caught:
        twilio_transport(http).send(to=CITIZEN, body="")

    assert caught.value.permanent is True


def test_twilio_rejected_credentials_are_retried_and_logged_without_the_token(caplog):
    http = FakeTwilioHttp(401, twilio_error(20003, "Authenticate", 401))

    with caplog.at_level(logging.DEBUG), pytest.raises(TransportError) as caught:
        twilio_transport(http).send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    assert TWILIO_TOKEN not in caplog.text


def test_twilio_network_errors_are_retried():
    http = FakeTwilioHttp(0, error=requests.ConnectTimeout("connect timed out"))

    with pytest.raises(TransportError) as caught:
        twilio_transport(http).send(to=CITIZEN, body="Hi")

    assert caught.value.permanent is False


def test_twilio_default_client_carries_the_configured_timeout():
    settings = make_settings(
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from="+15005550006",
        http_timeout_seconds=7.0,
    )

    transport = TwilioTransport(settings)

    assert transport._client.http_client.timeout == 7.0


# --- Console and the factory --------------------------------------------------------


def test_console_transport_logs_the_message_and_returns_an_id(caplog):
    with caplog.at_level(logging.INFO, logger="channels.console.transport"):
        result = ConsoleTransport().send(to=CITIZEN, body="আপনার অভিযোগ গ্রহণ করা হয়েছে")

    assert result.provider == "console"
    assert result.provider_message_id.startswith("console-")
    assert result.provider_message_id in caplog.text
    assert CITIZEN in caplog.text
    assert "আপনার অভিযোগ গ্রহণ করা হয়েছে" in caplog.text
    assert "UCS-2" in caplog.text


def test_console_transport_gives_each_message_its_own_id():
    transport = ConsoleTransport()

    first = transport.send(to=CITIZEN, body="one")
    second = transport.send(to=CITIZEN, body="two")

    assert first.provider_message_id != second.provider_message_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("console", ConsoleTransport),
        ("africastalking", AfricasTalkingTransport),
        ("twilio", TwilioTransport),
    ],
)
def test_make_transport_picks_the_class_named_by_the_setting(name, expected):
    settings = make_settings(
        sms_transport=name,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from="+15005550006",
    )

    transport = make_transport(settings)

    assert isinstance(transport, expected)
    assert transport.name == name
