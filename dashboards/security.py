"""Security headers on every response, and the CSP nonce the pages' inline blocks carry.

The dashboards show citizens' words to staff: a Content-Security-Policy that runs only
our own scripts (each inline <script> and <style> carries this response's nonce) keeps
a complaint that smuggles markup from ever running; frame-ancestors 'none' and
X-Frame-Options stop a page being framed to trick a click; nosniff stops a browser
guessing a type; the referrer policy keeps a ticket's URL (a reference) from leaking to
the sites a page links to. Pure ASGI, installed by `nalish.app` around everything.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from typing import Any

# The nonce of the response being made; `render.page()` hands it to the templates.
CSP_NONCE: ContextVar[str] = ContextVar("nalish_csp_nonce", default="")

# Swagger UI and ReDoc (nalish.api_docs) load their scripts from this origin and run
# inline code: they get the other headers, but their own policy (still no other origin).
API_DOCS = ("/docs", "/redoc")


def csp_nonce() -> str:
    return CSP_NONCE.get()


def policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "media-src 'self' https:",  # recordings are played from the telco's URL
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        )
    )


DOCS_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


class HttpMiddleware:
    """A pure ASGI middleware of HTTP requests: `handle` gets each one; other scopes
    (the lifespan) pass straight through to `app`. `nalish.guard`'s are made with it too."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        raise NotImplementedError


class SecurityHeaders(HttpMiddleware):
    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        nonce = secrets.token_urlsafe(16)
        token = CSP_NONCE.set(nonce)
        csp = DOCS_POLICY if scope["path"].startswith(API_DOCS) else policy(nonce)

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (key, value)
                    for key, value in message.get("headers", ())
                    if key.lower() not in _OURS
                ]
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            CSP_NONCE.reset(token)


_OURS = {
    b"content-security-policy",
    b"x-content-type-options",
    b"x-frame-options",
    b"referrer-policy",
}


# An answer that is no page (a provider callback's text/plain) runs no script and loads
# nothing: a fixed policy that allows nothing needs no nonce (`os.urandom` per answer).
PLAIN_POLICY = b"default-src 'none'; frame-ancestors 'none'"
PLAIN_HEADERS = (
    (b"content-security-policy", PLAIN_POLICY),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


class PlainHeaders(HttpMiddleware):
    """`SecurityHeaders` for routes that answer no page (`nalish.ussd_fast_path`): the
    same four headers, with a fixed policy and no nonce."""

    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                kept = [(key, value) for key, value in headers if key.lower() not in _OURS]
                message = {**message, "headers": [*kept, *PLAIN_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
