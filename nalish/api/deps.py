"""What every API route needs: a database session, the caller's token, the access
rules, and the error type that renders our JSON error bodies.

Which tickets a token sees and what it may do to them is `routing.access`'s rule, the
same as the dashboards' and the SMS officer commands': a token acts as the person it
was made for (their office), or by its role alone (an officer's token: its district
and below). `get_ticket_for_token` applies it to one ticket: one the token may not see
is answered 404, exactly as if it did not exist, so a token cannot probe for
references outside what it sees; `require` answers 403 for what it sees but may not do.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session, col, select

from grievance_engine import refs, tokens
from grievance_engine import service as ticket_service
from grievance_engine.models import ApiToken, Role, Ticket
from infra.db import get_engine
from routing import access
from routing.access import Action

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer: the status, and a JSON body `{"detail": …, **extra}`.

    Raise it from a route or a dependency; `ApiRoute` renders it. It exists because
    FastAPI's `HTTPException` body has only `detail`, and ours also say what to do
    instead (`did_you_mean`, `allowed`, `nearest`).
    """

    def __init__(
        self,
        status_code: int,
        detail: Any,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.body = {"detail": detail, **extra}
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status_code, headers=self.headers)


def unprocessable(loc: list[str], msg: str, **extra: Any) -> ApiError:
    """A 422 shaped like FastAPI's own validation errors, so clients parse one shape:
    `{"detail": [{"loc": ["body", "district"], "msg": …, "type": "value_error", …}]}`."""
    return ApiError(422, [{"loc": loc, "msg": msg, "type": "value_error", **extra}])


class ApiRoute(APIRoute):
    """A route that answers a raised `ApiError` with its JSON body.

    The error is rendered after the route and its dependencies have run, and routes
    commit only on success, so nothing a failed request flushed is ever committed.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def render_api_errors(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return exc.response()

        return render_api_errors


# ---------------------------------------------------------------------------
# The session
# ---------------------------------------------------------------------------


def _session() -> Iterator[Session]:
    # Routes commit what they change (services only flush). Whatever is not committed
    # when the route ends, because it raised, is rolled back when the session closes.
    # Function scope: the session closes before the response is sent, not after.
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]

# ---------------------------------------------------------------------------
# The caller's token
# ---------------------------------------------------------------------------

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A token from `nalish tokens create`: `Authorization: Bearer nal_…`.",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _current_token(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiToken:
    if credentials is None:
        raise ApiError(
            401, "missing token: send the header Authorization: Bearer <token>", headers=_CHALLENGE
        )
    token = tokens.authenticate(session=session, token=credentials.credentials)
    if token is None:
        raise ApiError(401, "invalid or revoked token", headers=_CHALLENGE)
    # The "last used" note (at most once a minute) is its own small transaction, kept
    # even when the request itself then fails.
    session.commit()
    return token


CurrentToken = Annotated[ApiToken, Depends(_current_token)]


def actor(token: ApiToken) -> str:
    """Who the token acts as, in ticket events: the person it belongs to, or itself."""
    return f"user:{token.user_id}" if token.user_id is not None else f"token:{token.id}"


# ---------------------------------------------------------------------------
# Access: `routing.access` for tokens
# ---------------------------------------------------------------------------


def actor_of(session: Session, token: ApiToken) -> access.Actor:
    """The token as `routing.access` sees it: the person it was made for, or its role
    (and an officer's district) alone."""
    return access.actor_for_token(session=session, token=token)


def require(
    *, session: Session, token: ApiToken, action: Action, ticket: Ticket | None = None
) -> None:
    """403 unless the token may do `action` (to `ticket`, which it may see)."""
    if not access.may(actor_of(session, token), ticket, action):
        raise _forbidden(token, action)


def _forbidden(token: ApiToken, action: Action) -> ApiError:
    return ApiError(403, f"{token.role} tokens may not {action.replace('_', ' ')}")


def sees_citizen(token: ApiToken, ticket: Ticket) -> bool:
    """Anonymity hides the citizen from officers; agents and supervisors still see the
    phone, since they call back."""
    return not (ticket.anonymous and token.role == Role.OFFICER)


class TicketNotFound(ApiError):
    """404: no ticket by that reference that this token may see."""

    def __init__(self, ref: str, did_you_mean: list[str]) -> None:
        super().__init__(404, f"no ticket {ref[:40]}", did_you_mean=did_you_mean)
        self.ref = ref
        self.did_you_mean = did_you_mean


def get_ticket_for_token(*, session: Session, token: ApiToken, ref: str, action: Action) -> Ticket:
    """The ticket `ref` names (forgiving input), if this token may see it and do `action`.

    404 when there is none or the token may not see it, with the existing tickets one
    typo away that it may see (`did_you_mean`): a mistyped reference is never taken
    to mean another ticket. 403 when it may see the ticket but not do `action`.
    """
    who = actor_of(session, token)
    ticket = ticket_service.get_by_ref(session=session, ref=ref)
    if ticket is None or not access.sees(who, ticket):
        raise TicketNotFound(ref, _visible_near_misses(session=session, who=who, ref=ref))
    if not access.may(who, ticket, action):
        raise _forbidden(token, action)
    return ticket


def _visible_near_misses(*, session: Session, who: access.Actor, ref: str) -> list[str]:
    shown = ticket_service.did_you_mean(session=session, text=ref)
    if not shown:
        return shown
    canonical = [refs.normalise(each) for each in shown]
    visible = session.exec(
        access.visible(select(Ticket.ref).where(col(Ticket.ref).in_(canonical)), who)
    ).all()
    return [refs.display(each) for each in sorted(visible)]
