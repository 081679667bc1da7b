"""Signing in and out: `GET/POST /login`, `POST /logout`, and the lockout.

A wrong email, a wrong password and a disabled account all get the same answer
("Email or password is wrong"), and an unknown email costs the same argon2 work as a
known one, so the form tells nobody which emails exist. Five failures for one email
within 15 minutes lock that email out until the 15 minutes (from the first failure)
are over, whatever is typed, with a 429. The count lives in the session store under
`login-failures:<sha256 of the email>` with that TTL: Redis in production, so every
web process counts together; memory in embedded mode. No table, no migration. Two
attempts racing may both be counted as the fifth: the limit is approximate by one or
two under concurrency, which is enough to stop guessing.
"""

from __future__ import annotations

import hashlib
import time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboards import render, sessions
from dashboards.deps import DashboardRoute, SessionDep, SignedIn, login_language, safe_next
from grievance_engine import users

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
# Verified against when the email is unknown, so that answer takes as long as a wrong
# password does.
_DUMMY_HASH = users.hash_password("nalish-no-such-user-password")

router = APIRouter(route_class=DashboardRoute, include_in_schema=False, tags=["dashboards"])


def _failures_key(email: str) -> str:
    return "login-failures:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _locked(request: Request, email: str) -> bool:
    record = sessions.store(request).get(_failures_key(email))
    return bool(record) and int(record.get("count", 0)) >= MAX_FAILURES


def _record_failure(request: Request, email: str) -> None:
    store = sessions.store(request)
    key = _failures_key(email)
    now = time.time()
    record = store.get(key) or {"count": 0, "until": now + LOCKOUT_SECONDS}
    record["count"] = int(record.get("count", 0)) + 1
    remaining = int(float(record.get("until", now + LOCKOUT_SECONDS)) - now)
    store.set(key, record, max(remaining, 1))


def _login_page(
    request: Request,
    *,
    lang: str,
    email: str = "",
    error_key: str | None = None,
    next_path: str = "",
    notice_key: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token, new = sessions.login_form_token(request)
    response = render.page(
        "login.html.j2",
        lang=lang,
        csrf_token=token,
        email=email,
        error_key=error_key,
        notice_key=notice_key,
        next_path=next_path,
        status_code=status_code,
    )
    if new:
        sessions.set_login_cookie(request, response, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, lang: str | None = None, next: str | None = None, bye: str | None = None
) -> Response:
    """The sign-in form, in `?lang=` or the browser's language."""
    if sessions.read(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(
        request,
        lang=login_language(request, lang),
        next_path=safe_next(next, default=""),
        notice_key="signed_out" if bye else None,
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
    lang: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Check the email and password; on success a new session and a 303 onwards."""
    language = login_language(request, lang)
    if not sessions.login_form_checks(request, csrf_token):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
    email = email.strip().lower()
    next_path = safe_next(next, default="")
    if _locked(request, email):
        return _login_page(
            request,
            lang=language,
            email=email,
            error_key="login_locked",
            next_path=next_path,
            status_code=429,
        )
    user = users.by_email(session=session, email=email) if email else None
    if user is None:
        users.verify_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = users.verify_password(user.password_hash, password) and user.active
    if not ok or user is None:
        _record_failure(request, email)
        return _login_page(
            request,
            lang=language,
            email=email,
            error_key="login_wrong",
            next_path=next_path,
            status_code=401,
        )
    sessions.store(request).delete(_failures_key(email))
    response = RedirectResponse(next_path or "/dashboard", status_code=303)
    sessions.discard(request, sessions.read(request))  # the new session replaces it
    sessions.start(request, response, user=user, language=user.language)
    response.delete_cookie(sessions.LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, web: SignedIn) -> Response:
    """End the session here and in the store (the CSRF check runs first)."""
    response = RedirectResponse("/login?bye=1", status_code=303)
    sessions.end(request, response, web)
    return response
