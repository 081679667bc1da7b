"""What every dashboard route needs: a database session, the signed-in person, the CSRF
check, and the one access rule for tickets.

Which tickets a person may see and act on is `routing.access`'s rule, the same for
the SMS officer commands and the JSON API; `get_ticket_for_user` applies it to one
ticket, `access.visible` (with `actor`) to a list. A ticket one may not see answers
404, exactly as if it did not exist, so nobody can probe for references outside what
they may see (as the JSON API does).

Every route made with `DashboardRoute` gets the role guard of its page from the one
page registry (`dashboards.pages`), and every POST (PUT, PATCH, DELETE) route checks
the session's CSRF token (form field `csrf_token`, or the `X-CSRF-Token` header)
before it runs: a new page cannot forget either. The login form has its own token
(see `sessions`). Make a module's router with `dashboard_router()`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.params import Depends as DependsParam
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from dashboards import i18n, pages, render, sessions
from dashboards.sessions import WebSession
from grievance_engine import refs
from grievance_engine.models import Role, Ticket, User
from infra.db import get_engine
from infra.settings import get_settings
from routing import access

# ---------------------------------------------------------------------------
# The database session
# ---------------------------------------------------------------------------


def _session() -> Iterator[Session]:
    # Routes commit what they change; anything uncommitted is rolled back on close.
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]

# ---------------------------------------------------------------------------
# The signed-in person
# ---------------------------------------------------------------------------


class LoginRequired(Exception):
    """Raised by a dependency when nobody is signed in; `DashboardRoute` answers it
    with a 303 to `/login?next=<this page>`."""


def _signed_in(request: Request) -> WebSession:
    web = sessions.read(request)
    if web is None:
        raise LoginRequired
    return web


SignedIn = Annotated[WebSession, Depends(_signed_in)]


def _current_user(request: Request, session: SessionDep, web: SignedIn) -> User:
    user = session.get(User, web.user_id)
    if user is None or not user.active:  # removed or disabled since sign-in
        sessions.discard(request, web)
        raise LoginRequired
    # for the error pages `DashboardRoute` renders: in their language, with their header
    request.state.language = ui_language(user)
    request.state.user = user
    request.state.csrf_token = web.csrf_token
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


@dataclass(frozen=True)
class PageVisit:
    """A signed-in person's request to a page or a form: what every page route and the
    helpers that render its page work with."""

    request: Request
    session: Session
    user: User
    web: WebSession

    def ticket(self, ref: str, action: access.Action = access.Action.VIEW) -> Ticket:
        """The ticket `ref` names, if this person may do `action` to it; else 404
        (`get_ticket_for_user`)."""
        return get_ticket_for_user(session=self.session, user=self.user, ref=ref, action=action)


def _visit(request: Request, session: SessionDep, user: CurrentUser, web: SignedIn) -> PageVisit:
    return PageVisit(request, session, user, web)


Visit = Annotated[PageVisit, Depends(_visit)]


def ui_language(user: User) -> str:
    """The language of `user`'s screens (English when the dashboards lack theirs)."""
    return i18n.language_of(user.language)


def say(user: User, key: str, **values: object) -> str:
    """The phrase `key` in `user`'s language (an error next to a field, a notice)."""
    return i18n.translate(ui_language(user), key, **values)


def translator(user: User) -> Callable[..., str]:
    """`t(key, **values)`: `say` for `user`, for a route that says several things."""
    return functools.partial(say, user)


def login_language(request: Request, lang: str | None = None) -> str:
    """Before sign-in: `?lang=` if given and known, else the browser's preference."""
    if lang in i18n.LANGUAGES:
        return lang
    return i18n.negotiate(request.headers.get("accept-language"))


async def check_csrf(request: Request, web: SignedIn) -> None:
    """403 unless the request carries this session's CSRF token."""
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = (await request.form()).get("csrf_token")  # cached: the route reads it again
    if not sessions.csrf_matches(web.csrf_token, given if isinstance(given, str) else None):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """`target` if it is a dashboard path on this site, else `default`: never an open
    redirect to another host."""
    if (
        target
        and target.startswith("/dashboard")
        and not any(bad in target for bad in ("//", "\\", "\n", "\r"))
    ):
        return target
    return default


# ---------------------------------------------------------------------------
# The guard: who may open a page, from the page registry
# ---------------------------------------------------------------------------


def _guard(page: pages.Page) -> Callable[[User], None]:
    def page_guard(user: CurrentUser) -> None:
        """404 unless `user`'s role may open the page: a page not meant for someone
        does not exist for them."""
        if user.role not in page.roles:
            raise HTTPException(status_code=404)

    return page_guard


# One guard per page, made once: `DashboardRoute` finds it again by identity when a
# router is included in another (the route is made again, its dependencies copied).
PAGE_GUARDS = {page.path: _guard(page) for page in pages.PAGES}


# ---------------------------------------------------------------------------
# The route class: the page's guard, CSRF on every unsafe method, redirects and HTML
# error pages
# ---------------------------------------------------------------------------

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {"/login"}  # before sign-in: its own double-submit token
_ERROR_PAGES = {403: "forbidden", 404: "not_found"}


class DashboardRoute(APIRoute):
    """A dashboard route: the guard of its page (`pages.page_of`) runs first, then
    unsafe methods check the CSRF token; "not signed in" becomes a 303 to the login
    page; 403 and 404 become pages in the reader's language."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in kwargs.get("methods") or ()}
        dependencies = list(kwargs.get("dependencies") or [])
        page = pages.page_of(path)
        if page is not None:
            _add_once(dependencies, PAGE_GUARDS[page.path])
        if methods & _UNSAFE and path not in CSRF_EXEMPT:
            _add_once(dependencies, check_csrf)
        kwargs["dependencies"] = dependencies
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def dashboard_answers(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path
                if request.method == "GET" and request.url.query:
                    target += "?" + request.url.query
                response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
                sessions.end(request, response, None)  # a stale cookie goes too
                return response
            except HTTPException as exc:
                if exc.status_code not in _ERROR_PAGES:
                    raise
                lang = getattr(request.state, "language", None) or login_language(request)
                key = _ERROR_PAGES[exc.status_code]
                return render.page(
                    "error.html.j2",
                    lang=lang,
                    user=getattr(request.state, "user", None),
                    csrf_token=getattr(request.state, "csrf_token", ""),
                    here="/dashboard",  # not the URL: a 404 repeats nothing it was asked
                    status_code=exc.status_code,
                    title_key=f"{key}_title",
                    message_key=key,
                )

        return dashboard_answers


def _add_once(dependencies: list[Any], dependency: Callable[..., Any]) -> None:
    if not any(isinstance(d, DependsParam) and d.dependency is dependency for d in dependencies):
        dependencies.append(Depends(dependency))


def dashboard_router() -> APIRouter:
    """A module's router of dashboard routes (`dashboards.routes` includes them all)."""
    return APIRouter(route_class=DashboardRoute, include_in_schema=False, tags=["dashboards"])


# ---------------------------------------------------------------------------
# Access: which tickets a person may see, and how much of the citizen's phone
# ---------------------------------------------------------------------------


def actor(session: Session, user: User) -> access.Actor:
    """`user` as `routing.access` sees them: pass it to `access.visible` and `access.may`."""
    return access.actor_for_user(session=session, user=user)


def user_ref(user: User) -> str:
    """`user` as a ticket's events and the admin changes name them: "user:<id>"."""
    return f"user:{user.id}"


def get_ticket_for_user(
    *, session: Session, user: User, ref: str, action: access.Action = access.Action.VIEW
) -> Ticket:
    """The ticket `ref` names (forgiving input: lower case, no dash, O for 0), if `user`
    may do `action` to it; else 404, the same answer as for a reference that does not
    exist."""
    canonical = refs.normalise(ref)
    if canonical is None:
        raise HTTPException(status_code=404)
    ticket = session.exec(select(Ticket).where(Ticket.ref == canonical)).first()
    if ticket is None or not access.may(actor(session, user), ticket, action):
        raise HTTPException(status_code=404)
    return ticket


def mask_phone(phone: str) -> str:
    """+8801712345678 → +88017•••••678: the operator prefix and the last three digits,
    enough to tell two callers apart, too little to call them."""
    if len(phone) < 10:
        return "•" * max(len(phone) - 2, 0) + phone[-2:]
    return phone[:6] + "•" * (len(phone) - 9) + phone[-3:]


def phone_for(user: User, ticket: Ticket, phone: str) -> str | None:
    """The citizen's phone as `user` may see it on `ticket`: None (hidden) on an
    anonymous ticket, for everyone; masked for officers, who reply through the ticket
    (SMS from the helpline), not by calling; in full for agents, supervisors and
    admins, who call citizens back."""
    if ticket.anonymous:
        return None
    if user.role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return phone
    return mask_phone(phone)


def page_for(name: str, visit: PageVisit, **context: Any) -> HTMLResponse:
    """Template `name` rendered for the visitor: their language, their CSRF token, and
    where they are (for the language switch to come back to)."""
    url = visit.request.url
    return render.page(
        name,
        lang=ui_language(visit.user),
        user=visit.user,
        csrf_token=visit.web.csrf_token,
        here=url.path + (f"?{url.query}" if url.query else ""),
        # the web phone (nalish.simulator) is for training; it is off in production
        simulator=get_settings().env != "production",
        **context,
    )
