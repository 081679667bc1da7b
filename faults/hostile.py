"""A battery of hostile requests: every webhook and API path, every field, bad bytes.

Each known form field of each webhook is sent, one at a time, with a NUL byte, other
control bytes, an overlong value, invalid UTF-8 (raw bytes in the form body), and
markup; the JSON API gets the same in its fields; random paths under /channels/ and
elsewhere are posted too. Authenticated as the telco or integrator would be (the
suite's webhook token and gateway secret, an agent's API token), so the bytes reach
the parsing and the database rather than stopping at a 403.

`battery(base_url, ...) -> dict` answers what was sent and how it was answered. Issue
12's item 5 adds `tests/hostile.py` with a battery of its own; see
`scenario_hostile.BATTERY` for where to switch to it.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx

NUL = "a\x00b"
CONTROL = "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f"
OVERLONG = "9" * 5000
MARKUP = "<script>alert(1)</script>' OR 1=1 --"
# Values sent raw (already percent-encoded bytes): invalid UTF-8 sequences.
INVALID_UTF8 = "%C3%28%FF%FE%80"
TEXT_VALUES = (NUL, CONTROL, OVERLONG, MARKUP)
KIND = {NUL: "NUL", CONTROL: "control bytes", OVERLONG: "5000 chars", MARKUP: "markup"}

# The one USSD session both Africa's Talking USSD webhooks speak of: its hops and, once
# it ends, its end-of-session event.
AT_USSD_SESSION = {"sessionId": "ATUid_hostile", "phoneNumber": "{phone}", "networkCode": "47001"}

# Each webhook with a well-formed form; `{phone}` is filled in per request.
WEBHOOKS: dict[str, dict[str, str]] = {
    "/channels/africastalking/ussd": {**AT_USSD_SESSION, "serviceCode": "*333#", "text": "2*1"},
    "/channels/africastalking/ussd/events": {
        **AT_USSD_SESSION, "status": "Success", "durationInMillis": "1000",
    },
    "/channels/africastalking/sms": {
        "from": "{phone}", "to": "333", "text": "no water in rangpur", "date": "2026-12-06",
        "id": "ATXid_hostile", "linkId": "x", "networkCode": "47001",
    },
    "/channels/africastalking/delivery": {
        "id": "ATXid_hostile", "status": "Success", "phoneNumber": "{phone}",
        "networkCode": "47001", "failureReason": "", "retryCount": "0",
    },
    "/channels/africastalking/voice": {
        "sessionId": "ATVId_hostile", "callerNumber": "{phone}", "isActive": "1",
        "dtmfDigits": "1", "direction": "Inbound",
    },
    "/channels/twilio/sms": {
        "From": "{phone}", "To": "+15005550006", "Body": "no water in rangpur",
        "MessageSid": "SMhostile", "AccountSid": "AChostile",
    },
    "/channels/twilio/status": {
        "MessageSid": "SMhostile", "MessageStatus": "delivered", "To": "{phone}",
        "ErrorCode": "",
    },
    "/channels/twilio/voice": {
        "CallSid": "CAhostile", "From": "{phone}", "To": "+15005550006", "Digits": "1",
        "CallStatus": "in-progress",
    },
    "/channels/http/sms": {
        "from": "{phone}", "to": "333", "text": "no water in rangpur", "id": "hostile",
    },
    "/channels/http/delivery": {"id": "hostile", "status": "1"},
}  # fmt: skip

API_TICKET = {
    "phone": "{phone}",
    "district": "Rangpur",
    "category": "water",
    "description": "No water in ward 5",
    "language": "en",
}


def _phone() -> str:
    return f"+88017{secrets.randbelow(10**8):08d}"


def _form_body(form: dict[str, str], raw_field: str | None = None, raw: str = "") -> bytes:
    """The form urlencoded; `raw_field`'s value is put in as already-encoded bytes."""
    parts = []
    for key, value in form.items():
        encoded = raw if key == raw_field else quote(value.replace("{phone}", _phone()), safe="")
        parts.append(f"{quote(key, safe='')}={encoded}")
    return "&".join(parts).encode("ascii")


def _requests(*, at_token: str, gateway_secret: str, api_token: str) -> list[dict]:
    """Every request of the battery, as keyword arguments for httpx.Client.request."""
    auth = {
        "africastalking": {"token": at_token},
        "http": {"secret": gateway_secret},
        "twilio": {},
    }
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    out: list[dict] = []
    for path, form in WEBHOOKS.items():
        params = auth[path.split("/")[2]]
        for field in form:
            for value in TEXT_VALUES:
                body = _form_body({**form, field: value})
                out.append(dict(method="POST", url=path, params=params, content=body,
                                headers=form_type, label=f"{field}={KIND[value]}"))  # fmt: skip
            body = _form_body(form, raw_field=field, raw=INVALID_UTF8)
            out.append(dict(method="POST", url=path, params=params, content=body,
                            headers=form_type, label=f"{field}=invalid UTF-8"))  # fmt: skip
    api = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    for field in API_TICKET:
        for value in TEXT_VALUES:
            ticket = {k: v.replace("{phone}", _phone()) for k, v in API_TICKET.items()}
            ticket[field] = value
            out.append(dict(method="POST", url="/api/v1/tickets", headers=api,
                            content=json.dumps(ticket).encode(),
                            label=f"{field}={KIND[value]}"))  # fmt: skip
        raw = json.dumps(API_TICKET).replace("{phone}", _phone()).encode()
        out.append(dict(method="POST", url="/api/v1/tickets", headers=api,
                        content=raw.replace(b"No water", b"No \xff\xfe water")))  # fmt: skip
    for value in (*TEXT_VALUES, "%00", "ABCD-1234" * 50):
        out.append(dict(method="GET", url="/api/v1/tickets", headers=api,
                        params={"district": value, "status": value, "cursor": value}))  # fmt: skip
        out.append(dict(method="GET", url=f"/api/v1/tickets/{quote(value, safe='')}",
                        headers=api))  # fmt: skip
        out.append(dict(method="GET", url=f"/track/{quote(value, safe='')}"))
        out.append(dict(method="POST", url="/open311/v2/requests.json",
                        data={"api_key": api_token, "service_code": value,
                              "description": value, "phone": value}))  # fmt: skip
        out.append(dict(method="POST", url="/login",
                        data={"email": value, "password": value, "csrf_token": value}))  # fmt: skip
    for _ in range(15):
        junk = secrets.token_urlsafe(8)
        out.append(dict(method="POST", url=f"/channels/{junk}/x", content=b"a=%00"))
        out.append(dict(method="POST", url=f"/{junk}", content=b"\x00\xff"))
    return out


def battery(
    base_url: str, *, at_token: str, gateway_secret: str, api_token: str, workers: int = 6
) -> dict:
    """Send the battery; returns {requests, statuses, server_errors[], channel_requests}.

    `channel_requests` counts the requests to a known provider's webhook, each of which
    the channel log must hold afterwards."""
    requests = _requests(at_token=at_token, gateway_secret=gateway_secret, api_token=api_token)
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []

    with httpx.Client(base_url=base_url, timeout=30) as http:

        def send(kwargs: dict) -> tuple[int, str]:
            kwargs = dict(kwargs)
            what = f"{kwargs['method']} {kwargs['url']} {kwargs.pop('label', '')}".strip()
            try:
                try:
                    response = http.request(**kwargs)
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    # a keep-alive connection the server closed after an earlier
                    # request (after a 500, say): that one is counted; ask again
                    response = http.request(**kwargs)
            except httpx.HTTPError as exc:
                return 0, f"{what}: no answer ({type(exc).__name__})"
            return response.status_code, what

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for status, what in pool.map(send, requests):
                statuses[status] += 1
                if status >= 500 or status == 0:
                    server_errors.append(f"{status} {what}")
    known = tuple(WEBHOOKS)
    return {
        "requests": len(requests),
        "statuses": dict(statuses),
        "server_errors": server_errors,
        "channel_requests": sum(1 for r in requests if r["url"] in known),
    }
