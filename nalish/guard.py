"""The front door's guards: two pure-ASGI middlewares that run before any route.

`BodyLimit` refuses a body larger than the limit with 413 *while it streams*: a declared
Content-Length over the limit is refused before a byte is read, and a chunked body is
counted as it arrives and refused the moment it passes the limit, so a 300 MB upload
costs the server at most one limit's worth of memory and no work.

`CleanInput` removes NUL and the other C0 control characters (tab, LF, CR kept; see
`infra.cleaning`) from everything a stranger's text enters by: the query
string, and url-encoded, plain-text and JSON bodies (a path holding one is refused with
400). It is one place, in front of every route (webhooks, the JSON API, the dashboards'
forms), rather than a check in each parser, because a parser that forgets is a 500
(PostgreSQL refuses NUL) and there are many parsers, some of them FastAPI's and
Starlette's own. Multipart and binary bodies pass untouched (a recording is bytes;
`channels.webhooks.read_form` cleans a multipart form's text fields). The bytes as sent
are kept in the scope (`RAW_BODY`, `RAW_QUERY`) for the one reader that must see them:
a signature check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from channels.webhooks import MAX_BODY_BYTES as WEBHOOK_MAX_BODY_BYTES
from channels.webhooks import RAW_BODY, RAW_QUERY
from dashboards.security import HttpMiddleware
from infra.cleaning import strip_controls

WEBHOOK_PREFIX = "/channels/"

# A percent-escaped C0 control (%00–%08, %0B, %0C, %0E–%1F) or a raw one.
_FORM_CONTROLS = re.compile(rb"%(?:0[0-8bcef]|1[0-9a-f])|[\x00-\x08\x0b\x0c\x0e-\x1f]", re.I)
# In JSON, scanned left to right so that an escaped backslash (`\\`) is consumed first and
# `\\u0000` (a backslash, then the text "u0000") is left alone: a surrogate pair (kept),
# a lone surrogate (→ U+FFFD), or a control escape, `\u0001` or `\b` (dropped unless
# \t \n \r).
_JSON_ESCAPES = re.compile(
    rb"(\\\\)"
    rb"|(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})"
    rb"|\\u00([01][0-9a-fA-F])"
    rb"|\\[bf]"
    rb"|[\x00-\x08\x0b\x0c\x0e-\x1f]"
)
_KEPT_ESCAPES = {b"09", b"0a", b"0d"}


def clean_form(data: bytes) -> bytes:
    """A url-encoded form or query string without control characters, escaped or raw.
    Repeated until nothing changes: removing `%00` from `%%0000` leaves a new `%00`."""
    while True:
        cleaned = _FORM_CONTROLS.sub(b"", data)
        if cleaned == data:
            return cleaned
        data = cleaned


def clean_json(data: bytes) -> bytes:
    """A JSON document whose strings hold no control character or lone surrogate."""
    return _JSON_ESCAPES.sub(_json_escape, data)


def _json_escape(match: re.Match[bytes]) -> bytes:
    if match.group(1) or match.group(2):
        return match.group(0)
    if match.group(3):
        return rb"\ufffd"
    if match.group(4) is not None and match.group(4).lower() in _KEPT_ESCAPES:
        return match.group(0)
    return b""


def _cleaner(content_type: str) -> Callable[[bytes], bytes] | None:
    """How to clean a body of this type; None leaves it as sent (multipart, binary)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind.startswith("multipart/") or kind in {"application/octet-stream"}:
        return None
    if kind == "application/json" or kind.endswith("+json"):
        return clean_json
    if kind.startswith(("audio/", "image/", "video/")):
        return None
    # url-encoded forms, text/plain and bodies with no type (read_form parses those as a
    # form, like the telcos that forget the header).
    return clean_form


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class CleanInput(HttpMiddleware):
    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        if strip_controls(scope["path"]) != scope["path"]:
            # Refused, not cleaned: `/channels/x/sms%00` is no path of ours, and routing
            # it as `/channels/x/sms` would act on a request the observer saw elsewhere.
            await _refuse(send, 400, "control characters in the path")
            return
        scope = dict(scope)
        query = scope.get("query_string", b"")
        scope[RAW_QUERY] = query
        scope["query_string"] = clean_form(query)
        cleaner = _cleaner(_header(scope, b"content-type") or "")
        if cleaner is None or scope.get("method") in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        body, disconnected = await _read_all(receive)
        scope[RAW_BODY] = body
        cleaned = cleaner(body)
        if len(cleaned) != len(body):
            scope["headers"] = [
                (key, str(len(cleaned)).encode() if key.lower() == b"content-length" else value)
                for key, value in scope.get("headers", ())
            ]
        await self.app(scope, _replay(cleaned, disconnected, receive), send)


async def _read_all(receive: Any) -> tuple[bytes, bool]:
    """The whole body (bounded: `BodyLimit` sits outside), and whether the client left."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Any) -> Callable[[], Any]:
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if disconnected:
            return {"type": "http.disconnect"}
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as ASGI does

    return replay


class BodyLimit(HttpMiddleware):
    """413 for a body over `max_bytes` (over 64 KiB on a webhook), as soon as it is known."""

    def __init__(self, app: Any, *, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    def limit(self, path: str) -> int:
        if path.startswith(WEBHOOK_PREFIX):  # a USSD hop or an SMS is a few hundred bytes
            return min(self.max_bytes, WEBHOOK_MAX_BODY_BYTES)
        return self.max_bytes

    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        limit = self.limit(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _refuse(send, 413, f"body larger than {limit} bytes")
            return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now, from inside the read: the app sees a client that left
                    # (Starlette's ClientDisconnect) and whatever it tries to send after
                    # is dropped, so no route can turn this into a 400 or a 500.
                    refused = True
                    if not started:
                        await _refuse(send, 413, f"body larger than {limit} bytes")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise  # the app's own error: ServerErrorMiddleware's business


async def _refuse(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
