"""Signing in and out: `GET/POST /login`, `POST /logout`, and the lockout.

A wrong email, a wrong password and a disabled account all get the same answer
("Email or password is wrong"), and an unknown email costs the same argon2 work as a
known one, so the form tells nobody which emails exist.

Lockout: every attempt is counted before the password is checked, with one atomic
increment per account (the email) and per address (`grievance_engine.login_throttle`,
in the database, so every web process counts together and racing attempts each get
their own number). The sixth attempt on an email within 15 minutes of the first, or
the 51st failure from one address, is refused with a 429 until those 15 minutes are
over, whatever is typed, even the right password. A sign-in clears the email's count
and takes back its own attempt from the address's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from dashboards import render, sessions
from dashboards.deps import DashboardRoute, SessionDep, SignedIn, login_language, safe_next
from dashboards.forms import Email
from grievance_engine import login_throttle, users

MAX_FAILURES = 5  # attempts on one email without a sign-in, per window
# Failures from one address per window: high, since a call centre or a mobile carrier
# puts many people behind one address; it stops spraying guesses across many emails.
MAX_FAILURES_PER_ADDRESS = 50
LOCKOUT_SECONDS = login_throttle.WINDOW_SECONDS  # the hourly purge drops counts this old
# Verified against when the email is unknown, so that answer takes as long as a wrong
# password does.
_DUMMY_HASH = users.hash_password("nalish-no-such-user-password")

router = APIRouter(route_class=DashboardRoute, include_in_schema=False, tags=["dashboards"])


def _subjects(request: Request, email: str) -> tuple[str, str]:
    address = request.client.host if request.client else "unknown"
    return login_throttle.subject("email", email), login_throttle.subject("address", address)


def _count_attempt(session: Session, account: str, address: str) -> bool:
    """Count this attempt, committed before any password is checked; whether it is
    within both limits."""
    on_account = login_throttle.count(
        session=session, subject=account, window_seconds=LOCKOUT_SECONDS
    )
    from_address = login_throttle.count(
        session=session, subject=address, window_seconds=LOCKOUT_SECONDS
    )
    session.commit()
    return on_account <= MAX_FAILURES and from_address <= MAX_FAILURES_PER_ADDRESS


def _login_page(request: Request, *, lang: str, **fields: Any) -> HTMLResponse:
    """The sign-in form with this visit's CSRF token; `fields` are the template's
    (`email`, `error_key`, `notice_key`, `next_path`; one left out shows nothing) and
    `status_code`."""
    token, new = sessions.login_form_token(request)
    response = render.page("login.html.j2", lang=lang, csrf_token=token, **fields)
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


class LoginForm(BaseModel):
    """The sign-in form, as typed."""

    email: Email = ""
    password: str = Field("", max_length=1024)
    csrf_token: str = Field("", max_length=200)
    next: str = Field("", max_length=500)
    lang: str = Field("", max_length=5)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, form: Annotated[LoginForm, Form()]) -> Response:
    """Check the email and password; on success a new session and a 303 onwards."""
    language = login_language(request, form.lang)
    if not sessions.login_form_checks(request, form.csrf_token):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
    email = form.email.strip().lower()
    next_path = safe_next(form.next, default="")
    account, address = _subjects(request, email)
    if not _count_attempt(session, account, address):
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
        users.verify_password(_DUMMY_HASH, form.password)
        ok = False
    else:
        ok = users.verify_password(user.password_hash, form.password) and user.active
    if not ok or user is None:
        return _login_page(
            request,
            lang=language,
            email=email,
            error_key="login_wrong",
            next_path=next_path,
            status_code=401,
        )
    login_throttle.forget(session=session, subject=account)
    login_throttle.refund(session=session, subject=address)
    session.commit()
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
