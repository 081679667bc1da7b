"""The dashboards' pages, in one registry: each page's path, who may open it, and the
catalogue key of its link in the header's nav.

Three things are read from `PAGES`, so they cannot disagree:

- the guard: `DashboardRoute` (dashboards.deps) gives every route the guard of the
  page it belongs to (`page_of`: the page with its path, or else the page whose path
  is the longest prefix of it, so `POST /dashboard/admin/users/{id}/away` is guarded
  as `/dashboard/admin/users`). Someone whose role may not open a page gets 404, the
  same answer as for a page that does not exist (docs/architecture.md, "Add a
  dashboard page");
- the nav (`nav`): the links of the pages a role may open, in this order;
- the access-matrix test (tests/dashboards/test_pages.py): every page × every role.

Who may open a page is by role only. Which tickets a page shows or acts on is
`routing.access`'s rule; where a page is about tickets, its roles are read from
`access.PERMISSIONS` (`_may`), so the call form is for those who may file a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from grievance_engine.models import Role
from routing import access


@dataclass(frozen=True)
class Page:
    """A page of the dashboards (a GET route) and the forms posted under its path."""

    path: str  # as the route has it, `{…}` parameters included
    roles: frozenset[str]  # who may open it; anyone else gets 404
    label: str = ""  # the catalogue key of its nav link; "": not in the nav


def _may(action: access.Action) -> frozenset[str]:
    """The roles `routing.access` lets do `action` (on the tickets they see)."""
    return frozenset(role for role, allowed in access.PERMISSIONS.items() if action in allowed)


CALL_TAKERS = _may(access.Action.CREATE)  # the call form and the call-backs owed
OFFICERS = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})
OVERSEERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
ADMIN = "/dashboard/admin"

PAGES: tuple[Page, ...] = (
    Page("/dashboard", frozenset(Role)),  # to each role's start page; the language switch
    Page("/dashboard/queue", _may(access.Action.LIST), "queue"),
    Page("/dashboard/queue/rows", _may(access.Action.LIST)),  # the live queue's changes
    Page("/dashboard/tickets/{ref}", _may(access.Action.VIEW)),
    Page("/dashboard/search", _may(access.Action.LIST)),
    Page("/dashboard/search/caller-language", CALL_TAKERS),  # the intake form's language
    Page("/dashboard/export/tickets.csv", _may(access.Action.LIST)),  # within their access
    Page("/dashboard/account", frozenset(Role), "nav_account"),  # one's own password
    Page("/dashboard/intake", CALL_TAKERS, "take_call"),
    Page("/dashboard/callbacks", CALL_TAKERS, "callbacks"),
    Page("/dashboard/kb", CALL_TAKERS, "nav_kb"),  # search, send an article, log a call
    Page("/dashboard/calls", CALL_TAKERS, "nav_on_call"),
    Page("/dashboard/officer", OFFICERS, "nav_officer"),
    Page("/dashboard/supervisor", OVERSEERS, "nav_supervisor"),
    Page("/dashboard/supervisor/export/{table}.csv", OVERSEERS),
    Page(f"{ADMIN}/users", ADMINS, "nav_admin"),
    Page(f"{ADMIN}/users/{{person_id}}", ADMINS),  # edit a person, reset their password
    Page(f"{ADMIN}/offices", ADMINS),
    Page(f"{ADMIN}/routing", ADMINS),
    Page(f"{ADMIN}/sla", ADMINS),
    Page(f"{ADMIN}/calendar", ADMINS),
    Page(f"{ADMIN}/categories", ADMINS),
    Page(f"{ADMIN}/kb", ADMINS),
    Page(f"{ADMIN}/replies", ADMINS),  # canned replies, per language and category
    Page(f"{ADMIN}/campaigns", ADMINS),  # broadcast to a campaign's requesters
    Page(f"{ADMIN}/changes", ADMINS),
)
_BY_PATH = {page.path: page for page in PAGES}


def page_of(path: str) -> Page | None:
    """The page route `path` belongs to: the page at `path`, else the one whose path is
    its longest prefix (whole segments); None outside `/dashboard` (`/login`, `/logout`)."""
    while path:
        if path in _BY_PATH:
            return _BY_PATH[path]
        path = path.rpartition("/")[0]
    return None


def nav(role: str) -> list[Page]:
    """The pages `role` may open that have a nav link, in the registry's order."""
    return [page for page in PAGES if page.label and role in page.roles]
