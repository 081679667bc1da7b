"""The access matrix, generated from the page registry (`dashboards.pages`): every
page × every role gets what the registry says (200 for a role it lists, 404 for the
rest, 303 to the login page for a visitor), every dashboard GET route is in the
registry, every route carries its page's guard, and the nav links exactly the pages
a role may open.

Runs on both backends, in the world of `test_dashboards` (an agent of the national
desk, the Rangpur and Cumilla officers, a supervisor, an admin; a ticket in each
district).
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from dashboards import analytics, deps, pages
from dashboards import routes as dashboard_routes
from grievance_engine.models import Role
from tests.dashboards import test_dashboards as shared

# The world of test_dashboards, its fixtures asked for by name.
world = shared.world
browsers = shared.browsers

ROLE_OF = {
    "agent": Role.AGENT,
    "rangpur": Role.OFFICER,
    "cumilla": Role.OFFICER,
    "super": Role.SUPERVISOR,
    "admin": Role.ADMIN,
}
SIGN_IN = "/login"  # the one page before sign-in: not in the registry
# Pages that answer with a redirect onwards rather than a page of their own.
REDIRECTS = {"/dashboard"}  # to the role's start page


def _url(page: pages.Page, world, person: str) -> str:
    """`page`'s path with a ticket `person` may see (which tickets: `routing.access`,
    tested in test_dashboards) and a table of the supervisor's dashboard."""
    ticket = world.cumilla if person == "cumilla" else world.rangpur
    # person 1: the first account the world made
    return page.path.format(ref=ticket, table=next(iter(analytics.TABLES)), person_id=1)


def _expected(page: pages.Page, person: str) -> int:
    if person == "visitor":
        return 303  # to the login page
    if ROLE_OF[person] not in page.roles:
        return 404  # not for you: the same as no such page
    return 303 if page.path in REDIRECTS else 200


@pytest.mark.parametrize("page", pages.PAGES, ids=lambda page: page.path)
@pytest.mark.parametrize("person", [*ROLE_OF, "visitor"])
def test_each_role_gets_what_the_registry_says_on_every_page(browsers, world, page, person):
    url = _url(page, world, person)
    answer = browsers[person].get(url)
    assert answer.status_code == _expected(page, person), url
    if person == "visitor":
        assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("person", [*ROLE_OF, "visitor"])
def test_the_sign_in_page_is_for_visitors_and_sends_the_signed_in_on(browsers, person):
    assert browsers[person].get(SIGN_IN).status_code == (200 if person == "visitor" else 303)


def _dashboard_routes() -> list[APIRoute]:
    return [r for r in shared._routes(dashboard_routes.router.routes) if isinstance(r, APIRoute)]


def test_every_dashboard_get_route_is_a_page_of_the_registry():
    gets = {route.path for route in _dashboard_routes() if "GET" in route.methods}
    # `/`: the front door, to the login page or the dashboard, for anyone
    assert gets == {page.path for page in pages.PAGES} | {SIGN_IN, "/"}


def test_every_route_behind_sign_in_carries_the_guard_of_its_page():
    for route in _dashboard_routes():
        page = pages.page_of(route.path)
        if route.path in (SIGN_IN, "/logout", "/"):
            assert page is None
            continue
        assert page is not None, route.path
        guards = [
            d.call for d in route.dependant.dependencies if d.call in deps.PAGE_GUARDS.values()
        ]
        assert guards == [deps.PAGE_GUARDS[page.path]], route.path


def test_a_form_is_guarded_as_the_page_it_is_posted_under():
    assert pages.page_of("/dashboard/admin/users/{person_id}/away").path == (
        "/dashboard/admin/users/{person_id}"
    )
    assert pages.page_of("/dashboard/admin/users/new").path == "/dashboard/admin/users"
    assert pages.page_of("/dashboard/officer/tickets/{ref}/resolve").path == "/dashboard/officer"
    assert pages.page_of("/dashboard/language").path == "/dashboard"
    assert pages.page_of("/logout") is None


def test_filing_a_call_is_for_the_roles_routing_access_lets_file_a_ticket():
    assert {Role.AGENT, Role.SUPERVISOR, Role.ADMIN} == pages.CALL_TAKERS


@pytest.mark.parametrize("person", list(ROLE_OF))
def test_the_nav_links_exactly_the_pages_the_role_may_open(browsers, person):
    header = browsers[person].get("/dashboard/queue").text.split("</nav>")[0]
    linked = re.findall(r'<li><a href="(/dashboard[^"]*)">', header)
    assert linked == [page.path for page in pages.nav(ROLE_OF[person])]
    for page in pages.PAGES:
        if page.label and ROLE_OF[person] not in page.roles:
            assert f'href="{page.path}"' not in header
