"""Signed-in sessions: a random id in a signed cookie, the data in the session store.

The cookie `nalish_session` carries only a random 256-bit session id, signed with
`NALISH_SECRET_KEY` (itsdangerous) so a tampered or made-up cookie is refused before
the store is asked. What the session knows (the user id, the CSRF token, the screen
language) lives in `app.state.session_store` — Redis in production, so any web process
serves any request, and memory in embedded mode — under `web:<id>`, for one shift
(8 hours from sign-in, not extended by use). Signing out deletes it there, so a copied
cookie is dead at once.

The cookie is `HttpOnly` (no script reads it), `SameSite=Lax` (other sites' forms do
not carry it) and `Secure` (https only) except when `NALISH_ENV` is `dev` or `test`
and the request came over plain http: a laptop on `http://localhost` can sign in.
Behind a TLS-terminating proxy, run uvicorn with `--proxy-headers` so requests read
as https.

Before sign-in there is no session, so the login form's CSRF token is a double
submit: a random token in a signed `nalish_login` cookie and the same in the form.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import asdict, dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from grievance_engine.models import User
from infra.session_store import SessionStore
from infra.settings import get_settings

COOKIE = "nalish_session"
LOGIN_COOKIE = "nalish_login"
TTL_SECONDS = 8 * 60 * 60  # an agent's shift
LOGIN_FORM_TTL_SECONDS = 24 * 60 * 60
_PREFIX = "web:"


@dataclass
class WebSession:
    """A signed-in person's session: who, the CSRF token of their forms, their language,
    and when it ends (Unix time)."""

    id: str
    user_id: int
    csrf_token: str
    language: str
    expires: float


def store(request: Request) -> SessionStore:
    return request.app.state.session_store


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=f"nalish.dashboards.{purpose}")


def _secure(request: Request) -> bool:
    settings = get_settings()
    plain_http_allowed = settings.env in ("dev", "test") or settings.insecure_http_trial
    return not (plain_http_allowed and request.url.scheme == "http")


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int):
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def _unsign(request: Request, name: str, purpose: str, max_age: int) -> str | None:
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        value = _signer(purpose).loads(raw, max_age=max_age)
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    return value if isinstance(value, str) else None


def read(request: Request) -> WebSession | None:
    """The session the request's cookie names, if the cookie is genuine and the session
    still exists; else None."""
    session_id = _unsign(request, COOKIE, "session", TTL_SECONDS)
    if session_id is None:
        return None
    data = store(request).get(_PREFIX + session_id)
    if not data or data.get("expires", 0) < time.time():
        return None
    return WebSession(
        id=session_id,
        user_id=int(data["user_id"]),
        csrf_token=str(data["csrf_token"]),
        language=str(data["language"]),
        expires=float(data["expires"]),
    )


def start(request: Request, response: Response, *, user: User, language: str) -> WebSession:
    """A new session for `user` (always a fresh id: a session id planted before sign-in
    is never promoted), its cookie set on `response`."""
    assert user.id is not None
    web = WebSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        language=language,
        expires=time.time() + TTL_SECONDS,
    )
    save(request, web)
    _set_cookie(request, response, COOKIE, _signer("session").dumps(web.id), TTL_SECONDS)
    return web


def save(request: Request, web: WebSession) -> None:
    """Write `web` back, keeping its end time."""
    remaining = int(web.expires - time.time())
    if remaining > 0:
        data = {key: value for key, value in asdict(web).items() if key != "id"}
        store(request).set(_PREFIX + web.id, data, remaining)


def discard(request: Request, web: WebSession | None) -> None:
    """Forget `web` in the store: its cookie no longer opens anything."""
    if web is not None:
        store(request).delete(_PREFIX + web.id)


def end(request: Request, response: Response, web: WebSession | None) -> None:
    """Forget `web` in the store and tell the browser to drop the cookie."""
    discard(request, web)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a form's token with the one on record."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected, str(given))


def login_form_token(request: Request) -> tuple[str, bool]:
    """The login form's CSRF token (from the `nalish_login` cookie, or a new one) and
    whether it is new (the caller then sets the cookie with `set_login_cookie`)."""
    token = _unsign(request, LOGIN_COOKIE, "login", LOGIN_FORM_TTL_SECONDS)
    if token is not None:
        return token, False
    return secrets.token_urlsafe(32), True


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    value = _signer("login").dumps(token)
    _set_cookie(request, response, LOGIN_COOKIE, value, LOGIN_FORM_TTL_SECONDS)


def login_form_checks(request: Request, given: str | None) -> bool:
    """True when the posted login form carries the token its cookie holds."""
    expected = _unsign(request, LOGIN_COOKIE, "login", LOGIN_FORM_TTL_SECONDS)
    return expected is not None and csrf_matches(expected, given)
