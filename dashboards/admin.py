"""The admin pages, `/dashboard/admin/…`: what they share, and the record of every
change made on them (`/dashboard/admin/changes`). The pages themselves are by job:
`admin_users` (people), `admin_offices`, `admin_rules` (routing rules and SLA
policies), `admin_calendar` (holidays), `admin_categories` (categories' names),
`admin_replies` (canned replies) and `admin_campaigns` (a broadcast SMS to a
campaign's requesters).
Only admins may open them (`dashboards.pages`); anyone else gets 404, as for any page
not meant for them.

Every change goes through the owning domain's service (`grievance_engine.users`,
`routing.offices`, `routing.assignment.set_away`, `routing.service.save_rule`,
`escalation.catalogue.save_policy` and `import_holidays`) or, where there is none,
edits the row the way the CLI does. Each change is recorded with `record` (that is
`grievance_engine.admin_log.record`) in the same transaction (who, what, which, the
values), so a change is never made without its record, and shown on the changes page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards import i18n, pages
from dashboards.deps import (
    PageVisit,
    Visit,
    dashboard_router,
    page_for,
    ui_language,
    user_ref,
)
from escalation import catalogue
from grievance_engine import admin_log
from grievance_engine.errors import DomainError
from grievance_engine.models import Category, User
from routing import service as routing_service

PATH = pages.ADMIN
# The admin pages' tabs, in the registry's order: users, offices, routing, … (a page
# of one thing, such as a person, `…/users/{person_id}`, is no tab)
TABS = tuple(
    page.path.removeprefix(PATH + "/")
    for page in pages.PAGES
    if page.path.startswith(PATH) and "{" not in page.path
)
CHANGES_SHOWN = 200

log = logging.getLogger("nalish.admin")


@dataclass(frozen=True)
class AdminPage:
    """One admin page: `name` is its tab, its path under `PATH` and its template
    `admin_<name>.html.j2`; `context` loads its lists (from the query, for filters)."""

    name: str
    context: Callable[[Session, QueryParams], dict[str, Any]]

    def show(
        self,
        visit: PageVisit,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        kept: dict[str, Any] | None = None,
        done: str = "",
    ) -> HTMLResponse:
        """The page with its lists, `errors` by field and the `kept` input."""
        done_known = done.isidentifier() and i18n.has(f"admin_done_{done}")
        return page_for(
            f"admin_{self.name}.html.j2",
            visit,
            status_code=status_code,
            admin_pages=TABS,
            admin_page=self.name,
            errors=errors or {},
            kept=kept or {},
            done=done if done_known else "",
            **self.context(visit.session, visit.request.query_params),
        )

    def invalid(
        self,
        visit: PageVisit,
        errors: dict[str, str],
        kept: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        """The page again, 422, the errors by their fields and what was typed kept."""
        return self.show(visit, status_code=422, errors=errors, kept=kept)

    def refused(
        self,
        visit: PageVisit,
        field: str,
        problem: DomainError,
        kept: dict[str, Any] | None = None,
        *,
        named: str = "",
    ) -> HTMLResponse:
        """Undo the change the domain refused and show the page again, 422, with its
        `problem` translated next to `field` (after "`named`: ", for a row of a list)."""
        visit.session.rollback()
        message = i18n.error(ui_language(visit.user), problem)
        return self.invalid(visit, {field: f"{named}: {message}" if named else message}, kept)

    def done(self, key: str) -> RedirectResponse:
        """Back to the page after a change, saying `key` (`admin_done_<key>`)."""
        return RedirectResponse(f"{PATH}/{self.name}?done={key}", status_code=303)

    def saved(
        self, visit: PageVisit, action: str, subject: str, *, done: str = "", **what: Any
    ) -> RedirectResponse:
        """Record `action` on `subject` (with `what`), commit the change with its record
        and go back to the page saying `done` (by default `action`)."""
        record(visit.session, visit.user, action, subject, **what)
        return self.committed(visit.session, done or action)

    def committed(self, session: Session, done: str) -> RedirectResponse:
        """Commit the change (already recorded, or nothing to record) and go back to the
        page saying `done`."""
        commit(session)
        return self.done(done)

    def toggled(
        self, visit: PageVisit, row: Any, active: str, noun: str, subject: str
    ) -> RedirectResponse:
        """Set `row.active` from the form's yes/no field `active` (`set_active`), commit
        and go back to the page saying "<noun>_activated" or "<noun>_deactivated"."""
        action = set_active(visit.session, visit.user, row, active_flag(active), noun, subject)
        return self.committed(visit.session, action)

    def route(self, router: APIRouter) -> None:
        """Serve the page (GET) on `router`."""

        def show_page(
            visit: Visit,
            done: str = "",
        ) -> HTMLResponse:
            return self.show(visit, done=done)

        router.add_api_route(
            f"{PATH}/{self.name}",
            show_page,
            methods=["GET"],
            response_class=HTMLResponse,
            name=f"admin_{self.name}",
        )


def record(session: Session, user: User, action: str, subject: str, **what: Any) -> None:
    """One admin change, recorded in the admin event chain before the caller commits
    (the change and its record are written together), and logged on `nalish.admin`."""
    event = admin_log.record(
        session=session, actor=user_ref(user), action=action, subject=subject, **what
    )
    log.info(
        json.dumps(
            {"seq": event.seq, "actor": event.actor, "action": action, "subject": subject},
            ensure_ascii=False,
        )
    )


def commit(session: Session) -> None:
    """Commit an admin change with its record, then drop this process's caches of what
    admins change (routing's rules and categories; the SLA catalogue, offices and
    calendar), so the next request reads the change."""
    session.commit()
    routing_service.clear_cache()
    catalogue.clear_cache()


def set_active(
    session: Session, user: User, row: Any, wanted: bool, noun: str, subject: str
) -> str:
    """Set `row.active` to `wanted`, recording the change (none if it already was);
    returns the action, "<noun>_activated" or "<noun>_deactivated"."""
    action = f"{noun}_activated" if wanted else f"{noun}_deactivated"
    if row.active != wanted:
        row.active = wanted
        session.add(row)
        record(session, user, action, subject)
    return action


# A form's yes/no field ("active", "away"), read by `active_flag`.
YesNo = Annotated[str, Form(max_length=5)]


def active_flag(value: str) -> bool:
    """A form's yes/no field: "1", "true", "on" or "yes" is yes."""
    return value.strip().lower() in ("1", "true", "on", "yes")


def category_codes(session: Session) -> list[str]:
    """The active categories' codes, in their order (for the rule and policy forms)."""
    statement = select(Category.code).where(col(Category.active)).order_by(col(Category.sort_order))
    return list(session.exec(statement).all())


# ---------------------------------------------------------------------------
# The record of admin changes
# ---------------------------------------------------------------------------

router = dashboard_router()


def _changes_context(session: Session, query: QueryParams) -> dict[str, Any]:
    """The latest admin changes (of one `?subject=`), with who made them, and whether
    the chain is intact."""
    subject = query.get("subject", "").strip()[:120] or None
    rows = admin_log.recent(session=session, limit=CHANGES_SHOWN, subject=subject)
    actor_ids = {int(row.actor[5:]) for row in rows if row.actor[5:].isdigit()}
    emails = dict(
        session.exec(select(User.id, User.email).where(col(User.id).in_(actor_ids))).all()
    )
    actors = {row.seq: _actor_name(row.actor, emails) for row in rows}
    problems = list(admin_log.verify(session=session))
    return {
        "changes": rows,
        "actors": actors,
        "filter_subject": subject or "",
        "chain_problems": problems,
        "changes_total": admin_log.count(session=session),
    }


def _actor_name(actor: str, emails: dict[int, str]) -> str:
    kind, _, rest = actor.partition(":")
    if kind == "user" and rest.isdigit():
        return emails.get(int(rest), actor)
    return actor


# Who changed what, newest first, from the dashboard and the CLI.
CHANGES = AdminPage("changes", _changes_context)
CHANGES.route(router)
