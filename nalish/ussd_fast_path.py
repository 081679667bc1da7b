"""The USSD callback's short way through the app.

A USSD hop is the busiest request the app answers (one per key a citizen presses, from
every telco at once), and the smallest: a form in, a text/plain screen out. Through the
whole stack it paid ~200 µs of CPU before its route ran: a CSP nonce made for a screen
that no browser renders, FastAPI's router trying routes one by one, its exception and
exit-stack layers. `UssdFastPath` sends exactly that route (POST, that path) down a
chain of its own, with the same guards in the same order:

    RequestId → PlainHeaders → ChannelObserver → BodyLimit → CleanInput → the route

`PlainHeaders` gives the same security headers with a fixed policy (no nonce). An
`HTTPException` (a wrong token, a missing field) gets the app's own handler, as in the
full stack. Any other method or path, even `…/ussd/` or a GET, takes the full stack.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import request_response

from channels.africastalking.routes import USSD_PATH, ussd_callback
from channels.observe import ChannelObserver
from dashboards.security import HttpMiddleware, PlainHeaders
from nalish.guard import BodyLimit, CleanInput
from nalish.request_ids import RequestId


class UssdFastPath(HttpMiddleware):
    """Outermost of the app's middleware: a USSD hop goes down `chain`, the rest on."""

    def __init__(self, app: Any, *, chain: Any) -> None:
        super().__init__(app)
        self.chain = chain

    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["path"] == USSD_PATH and scope["method"] == "POST":
            await self.chain(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def chain(app: FastAPI, *, routers: tuple[Any, ...], max_body_bytes: int) -> Any:
    """The USSD route behind the guards `nalish.app` puts around every route."""
    route: Any = request_response(ussd_callback)
    route = ExceptionMiddleware(route, handlers=_http_handlers(app))
    route = CleanInput(route)
    route = BodyLimit(route, max_bytes=max_body_bytes)
    route = ChannelObserver(route, routers=routers)
    return RequestId(PlainHeaders(route))


def _http_handlers(app: FastAPI) -> dict:
    """The app's exception handlers but the catch-all 500 (`ServerErrorMiddleware`,
    outside every middleware, still answers that)."""
    return {
        key: handler
        for key, handler in app.exception_handlers.items()
        if key not in (500, Exception)
    }
