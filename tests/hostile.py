"""A hostile battery: hundreds of malformed requests against a running Nalish.

`battery(base_url, …)` sends, across every webhook of the HTTP table in
docs/architecture.md (Africa's Talking USSD, USSD events, SMS, delivery reports and
voice; Twilio SMS, status and voice, signed with Twilio's own RequestValidator when an
auth token is given; the HTTP gateway's SMS and delivery reports by GET and POST), the
JSON API's POSTs, /login and a few public pages: NUL and other control bytes in every
field (url-encoded, raw, in the query), overlong ids, huge fields and bodies, invalid
UTF-8, lone surrogates in JSON, multipart and JSON where a form is expected, and random
paths. It returns figures; it asserts nothing, so a test (tests/nalish/test_hostile.py)
or the fault suite decides.

Every request that reaches a known webhook path is counted in `channel_requests`: the
server's channel log should hold exactly that many inbound rows afterwards.
"""

from __future__ import annotations

import json
import random
import re
import string
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
from twilio.request_validator import RequestValidator

PHONE = "+8801712345678"
FORM = "application/x-www-form-urlencoded"
NUL = "\x00"
CONTROLS = "\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"

# Every webhook: (path, form fields a real provider sends).
AT_WEBHOOKS = {
    "/channels/africastalking/ussd": {
        "sessionId": "ATUid_hostile",
        "serviceCode": "*384*333#",
        "phoneNumber": PHONE,
        "networkCode": "47001",
        "text": "1",
    },
    "/channels/africastalking/ussd/events": {
        "sessionId": "ATUid_hostile",
        "status": "Success",
        "hopsCount": "3",
        "errorMessage": "",
    },
    "/channels/africastalking/sms": {
        "from": PHONE,
        "to": "333",
        "text": "STATUS",
        "date": "2026-12-06 01:00:00",
        "id": "ATXid_hostile",
        "linkId": "link",
        "networkCode": "47001",
    },
    "/channels/africastalking/delivery": {
        "id": "ATXid_unknown",
        "status": "Success",
        "phoneNumber": PHONE,
        "networkCode": "47001",
        "failureReason": "",
        "retryCount": "0",
    },
    "/channels/africastalking/voice": {
        "sessionId": "ATVid_hostile",
        "isActive": "1",
        "direction": "Inbound",
        "callerNumber": PHONE,
        "destinationNumber": "+8809612333333",
        "dtmfDigits": "1",
    },
}
TWILIO_WEBHOOKS = {
    "/channels/twilio/sms": {
        "MessageSid": "SMhostile",
        "AccountSid": "AChostile",
        "From": PHONE,
        "To": "+15005550006",
        "Body": "HELP",
    },
    "/channels/twilio/status": {
        "MessageSid": "SMunknown",
        "MessageStatus": "delivered",
        "ErrorCode": "",
        "To": PHONE,
    },
    "/channels/twilio/voice": {
        "CallSid": "CAhostile",
        "From": PHONE,
        "To": "+15005550006",
        "CallStatus": "ringing",
    },
    "/channels/twilio/voice/gather?step=1": {"CallSid": "CAhostile", "Digits": "1"},
    "/channels/twilio/voice/recorded?step=2": {"CallSid": "CAhostile", "RecordingUrl": ""},
}
GATEWAY_WEBHOOKS = {
    "/channels/http/sms": {"from": PHONE, "to": "333", "text": "HELP", "id": "gw-hostile"},
    "/channels/http/delivery": {"id": "999999", "status": "1"},
}
KNOWN_CHANNEL_PATHS = frozenset(
    path.split("?")[0] for path in (*AT_WEBHOOKS, *TWILIO_WEBHOOKS, *GATEWAY_WEBHOOKS)
)
TICKET = {
    "phone": PHONE,
    "district": "Rangpur",
    "category": "water",
    "description": "No water from the tubewell",
    "language": "en",
}


@dataclass
class Attempt:
    """One request of the battery, and what came back."""

    case: str
    method: str
    path: str  # with its query
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    error: str | None = None


def battery(
    base_url: str,
    *,
    at_token: str | None = None,
    twilio_auth_token: str | None = None,
    gateway_secret: str | None = None,
    api_token: str | None = None,
    staff: tuple[str, str] | None = None,
    rounds: int = 1,
    concurrency: int = 8,
    seed: int = 12,
) -> dict[str, Any]:
    """Send the battery (`rounds` times, shuffled, `concurrency` at a time) to
    `base_url` (`staff`: an agent's email and password, to also post the dashboards'
    forms signed in); returns figures: `requests`, `status` (count by HTTP status), `5xx`,
    `errors` (no answer at all), `channel_requests` (requests to known webhook paths),
    `failures` (the 5xx and unanswered, described) and `by_case` (case → statuses)."""
    rng = random.Random(seed)
    attempts = [
        attempt
        for _ in range(rounds)
        for attempt in _attempts(
            rng,
            base_url=base_url.rstrip("/"),
            at_token=at_token,
            twilio_auth_token=twilio_auth_token,
            gateway_secret=gateway_secret,
            api_token=api_token,
        )
    ]
    rng.shuffle(attempts)
    login = _login_attempts(base_url.rstrip("/"), rng)
    if staff is not None:
        login += _staff_attempts(base_url.rstrip("/"), rng, *staff)
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, timeout=60)
        return local.client

    def run(attempt: Attempt) -> Attempt:
        try:
            response = client().request(
                attempt.method, attempt.path, content=attempt.body or None, headers=attempt.headers
            )
            attempt.status = response.status_code
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        return attempt

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        done = list(pool.map(run, attempts)) + login
    return _figures(done)


def _figures(done: list[Attempt]) -> dict[str, Any]:
    statuses = Counter(a.status for a in done if a.status is not None)
    failures = [
        f"{a.case}: {a.method} {a.path[:120]} -> {a.status or a.error}"
        for a in done
        if a.error or (a.status or 0) >= 500
    ]
    by_case: dict[str, list[int | None]] = {}
    for a in done:
        by_case.setdefault(a.case, []).append(a.status)
    return {
        "requests": len(done),
        "status": dict(sorted(statuses.items())),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "errors": sum(1 for a in done if a.error),
        "channel_requests": sum(1 for a in done if a.path.split("?")[0] in KNOWN_CHANNEL_PATHS),
        "failures": failures,
        "by_case": by_case,
    }


def _attempts(rng: random.Random, **config: Any) -> Iterator[Attempt]:
    yield from _at_attempts(rng, config["at_token"])
    yield from _twilio_attempts(rng, config["base_url"], config["twilio_auth_token"])
    yield from _gateway_attempts(rng, config["gateway_secret"])
    yield from _api_attempts(rng, config["api_token"])
    yield from _stray_attempts(rng)


# --- what goes wrong in a field ----------------------------------------------------------


def _mutations(rng: random.Random, value: str) -> Iterator[tuple[str, str | bytes]]:
    """(name, hostile value) for one field: str values are url-encoded by the sender,
    bytes are put in the body as they are (so `%FF` is invalid UTF-8)."""
    yield "nul", value[:3] + NUL + value[3:]
    yield "controls", CONTROLS + value + NUL
    yield "overlong", value + "".join(rng.choices(string.ascii_letters, k=300))
    yield "invalid-utf8", b"%FF%FE" + quote_plus(value).encode()


def _form(fields: dict[str, str | bytes]) -> bytes:
    parts = []
    for name, value in fields.items():
        encoded = value if isinstance(value, bytes) else quote_plus(value).encode()
        parts.append(quote_plus(name).encode() + b"=" + encoded)
    return b"&".join(parts)


def _with_query(path: str, query: dict[str, str]) -> str:
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{urlencode(query)}"


def _whole_body_cases(fields: dict[str, str]) -> Iterator[tuple[str, bytes, str]]:
    """(name, body, content type) for what is wrong with a body as a whole."""
    form = _form(dict(fields))
    yield "raw-nul-bytes", form.replace(b"=", b"=\x00", 2), FORM
    yield "raw-invalid-utf8", form + b"&x=\xff\xfe\xc0\x80", FORM
    yield "huge-field", _form({**fields, "text": "x" * 60_000}), FORM
    yield "over-limit", _form({**fields, "text": "x" * 100_000}), FORM
    yield "json-not-form", json.dumps({**fields, "text": "\u0000"}).encode(), "application/json"
    boundary = "hostileboundary"
    multipart = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\x00\r\n'
        for name, value in fields.items()
    )
    yield (
        "multipart-nul",
        f"{multipart}--{boundary}--\r\n".encode(),
        (f"multipart/form-data; boundary={boundary}"),
    )
    yield "empty", b"", FORM


def _form_attempts(
    rng: random.Random,
    provider: str,
    path: str,
    fields: dict[str, str],
    query: dict[str, str],
    sign: Any = None,
) -> Iterator[Attempt]:
    """Every field mutated in turn, then the body as a whole, to one form webhook."""
    target = _with_query(path, query)

    def attempt(case: str, body: bytes, content_type: str, signed: dict | None) -> Attempt:
        headers = {"content-type": content_type}
        if sign is not None and signed is not None:
            headers.update(sign(target, signed))
        return Attempt(f"{provider} {case}", "POST", target, body, headers)

    yield attempt("valid", _form(dict(fields)), FORM, fields)
    for name, value in fields.items():
        for kind, hostile in _mutations(rng, value):
            mutated = {**fields, name: hostile}
            signed = None if isinstance(hostile, bytes) else mutated
            yield attempt(f"{kind} in {name}", _form(mutated), FORM, signed)
    for kind, body, content_type in _whole_body_cases(fields):
        yield attempt(kind, body, content_type, None)
    if query:  # a wrong secret with a NUL in it
        yield Attempt(
            f"{provider} nul in wrong secret",
            "POST",
            _with_query(path, {k: NUL + "wrong" for k in query}),
            _form(dict(fields)),
            {"content-type": FORM},
        )
    yield Attempt(
        f"{provider} nul in path", "POST", f"{path}%00", _form(dict(fields)), {"content-type": FORM}
    )


def _at_attempts(rng: random.Random, token: str | None) -> Iterator[Attempt]:
    query = {"token": token} if token else {}
    for path, fields in AT_WEBHOOKS.items():
        yield from _form_attempts(rng, "africastalking", path, fields, query)


def _twilio_attempts(rng: random.Random, base_url: str, token: str | None) -> Iterator[Attempt]:
    def sign(target: str, fields: dict[str, str]) -> dict[str, str]:
        if not token:
            return {}
        signature = RequestValidator(token).compute_signature(f"{base_url}{target}", fields)
        return {"X-Twilio-Signature": signature}

    for path, fields in TWILIO_WEBHOOKS.items():
        yield from _form_attempts(rng, "twilio", path, fields, {}, sign)


def _gateway_attempts(rng: random.Random, secret: str | None) -> Iterator[Attempt]:
    query = {"secret": secret} if secret else {}
    for path, fields in GATEWAY_WEBHOOKS.items():
        yield from _form_attempts(rng, "http", path, fields, query)
        # Kannel calls with GET and the fields in the query.
        for name, value in fields.items():
            for kind, hostile in _mutations(rng, value):
                hostile_text = (
                    hostile.decode() if isinstance(hostile, bytes) else quote_plus(hostile)
                )
                others = urlencode({**query, **{k: v for k, v in fields.items() if k != name}})
                yield Attempt(
                    f"http GET {kind} in {name}", "GET", f"{path}?{others}&{name}={hostile_text}"
                )


def _api_attempts(rng: random.Random, token: str | None) -> Iterator[Attempt]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"

    def post(case: str, path: str, body: bytes) -> Attempt:
        return Attempt(f"api {case}", "POST", path, body, dict(headers))

    for name in ("phone", "district", "category", "description", "upazila"):
        value = TICKET.get(name, "Mithapukur")
        for kind, hostile in (
            ("nul", value + NUL),
            ("controls", CONTROLS + value),
            ("lone-surrogate", value + "\ud800"),
            ("overlong", value * 400),
        ):
            body = json.dumps({**TICKET, name: hostile}).encode()
            yield post(f"{kind} in {name}", "/api/v1/tickets", body)
    yield post("escaped-backslash-u0000", "/api/v1/tickets", rb'{"phone": "\\u0000"}')
    yield post(
        "raw-nul-json", "/api/v1/tickets", json.dumps(TICKET).encode().replace(b"No", b"\x00")
    )
    yield post("invalid-utf8-json", "/api/v1/tickets", b'{"description": "\xff\xfe"}')
    yield post("not-json", "/api/v1/tickets", b"\x00\x01\x02")
    yield post(
        "huge-json", "/api/v1/tickets", json.dumps({**TICKET, "x": "y" * 2_000_000}).encode()
    )
    yield Attempt(
        "api nul idempotency key",
        "POST",
        "/api/v1/tickets",
        json.dumps(TICKET).encode(),
        {**headers, "idempotency-key": "key\x01\x1b"},
    )
    for ref in ("0000-0000", "%00", "A" * 300, "%FF%FE"):
        for suffix, body in (
            ("comments", {"text": "note\x00"}),
            ("transitions", {"to": "resolved", "reason": "done\x00"}),
            ("attachments", {"url": "https://example.org/\x00.wav"}),
            ("assignment", {"user": "x\x00"}),
            ("merge", {"into": "0000\x00"}),
        ):
            yield post(
                f"{suffix} on {ref[:12]}",
                f"/api/v1/tickets/{ref}/{suffix}",
                json.dumps(body).encode(),
            )


def _stray_attempts(rng: random.Random) -> Iterator[Attempt]:
    """Random and public paths: none may cost a 5xx, a metric label or a log row."""
    for _ in range(20):
        word = "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))
        yield Attempt(
            "random channel path", "POST", f"/channels/{word}/x", b"a=1", {"content-type": FORM}
        )
    for _ in range(5):
        word = "".join(rng.choices(string.ascii_lowercase, k=8))
        yield Attempt("random path", "GET", f"/{word}/%00/{word}")
        yield Attempt(
            "random api path",
            "POST",
            f"/api/v1/{word}",
            b"{}",
            {"content-type": "application/json"},
        )
    for path in (
        "/track/%00",
        "/track/ABCD-%00EF",
        "/track/" + "A" * 5000,
        "/track?ref=%00",
        "/media/prompts/%00.mp3",
        "/media/prompts/..%2F..%2Fetc%2Fpasswd",
        "/open-data/?district=%00",
        "/dashboard/search?q=%00",
        "/login?next=%00",
        "/healthz?%00=%00",
        "/simulator?%FF=%FE",
    ):
        yield Attempt("public page", "GET", path)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login_attempts(base_url: str, rng: random.Random) -> list[Attempt]:
    """Wrong logins with hostile fields, each with a real CSRF token (else all 403)."""
    done = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for email, password in (
            ("agent\x00@nalish.test", "x"),
            ("agent@nalish.test", "pass\x00word"),
            ("a" * 300 + "@nalish.test", "x" * 2000),
            ("\x1b[31m@nalish.test", CONTROLS),
            ("agent@nalish.test\ud800", "x"),
        ):
            found = _CSRF.search(client.get("/login").text)
            body = _form(
                {"email": email.encode("utf-8", "replace").decode(), "password": password}
                | {"csrf_token": found.group(1) if found else ""}
            )
            attempt = Attempt("login", "POST", "/login", body, {"content-type": FORM})
            try:
                attempt.status = client.post(
                    "/login", content=body, headers=attempt.headers
                ).status_code
            except httpx.HTTPError as exc:
                attempt.error = str(exc)
            done.append(attempt)
    return done


INTAKE = {
    "phone": "01712345678",
    "district": "Rangpur",
    "upazila": "",
    "category": "water",
    "description": "No water from the tubewell",
    "language": "en",
}


def _staff_attempts(base_url: str, rng: random.Random, email: str, password: str) -> list[Attempt]:
    """An agent, signed in, posting the call-taking form and filtering the queue, hostile."""
    done = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        found = _CSRF.search(client.get("/login").text)
        client.post(
            "/login",
            data={
                "email": email,
                "password": password,
                "csrf_token": found.group(1) if found else "",
            },
        )
        page = client.get("/dashboard/intake")
        found = _CSRF.search(page.text)
        csrf = found.group(1) if found else ""
        cases: list[tuple[str, str, str, bytes]] = []
        for name in ("phone", "district", "category", "description"):
            for kind, hostile in _mutations(rng, INTAKE[name]):
                body = _form({**INTAKE, name: hostile, "csrf_token": csrf})
                cases.append((f"staff intake {kind} in {name}", "POST", "/dashboard/intake", body))
        queue = "/dashboard/queue?district=Rang%00pur&category=wa%01ter&status=all%00"
        cases.append(("staff queue filter nul", "GET", queue, b""))
        cases.append(
            ("staff queue filter invalid-utf8", "GET", "/dashboard/queue?district=%FF", b"")
        )
        note = _form({"text": "note\x00\x01", "csrf_token": csrf})
        cases.append(("staff note on no ticket", "POST", "/dashboard/tickets/%00/note", note))
        for case, method, path, body in cases:
            attempt = Attempt(case, method, path, body, {"content-type": FORM} if body else {})
            try:
                response = client.request(
                    method, path, content=body or None, headers=attempt.headers
                )
                attempt.status = response.status_code
            except httpx.HTTPError as exc:
                attempt.error = str(exc)
            done.append(attempt)
    return done
