"""A request id on every request: taken from a sane `X-Request-ID` (a load balancer's)
or made here, put in `infra.logs.REQUEST_ID` for every log line written while the
request is handled, and sent back as `X-Request-ID`, so an operator can go from one
answer (or a telco's complaint about one hop) to every line it caused."""

from __future__ import annotations

import re
import uuid
from typing import Any

from dashboards.security import HttpMiddleware
from infra.logs import REQUEST_ID

HEADER = b"x-request-id"
# What we accept from a proxy: short, printable, no spaces (it goes into every log line).
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class RequestId(HttpMiddleware):
    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        given = dict(scope["headers"]).get(HEADER, b"").decode("latin-1")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex[:16]
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
