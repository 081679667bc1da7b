"""`/docs` and `/redoc` work offline, and the OpenAPI document lists every route that is
not a page for people (nalish.api_docs).

The browser test runs the real app (`nalish serve`) and Debian's Chromium with every
request to anything but the app aborted, as on a government network without internet:
Swagger UI must still draw the API's operations, ReDoc its sections.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.private_servers import serving, skip_unless_browser

# Pages for people (HTML forms and screens), not an API: kept out of /openapi.json.
PAGES_FOR_PEOPLE = ("/dashboard", "/login", "/logout", "/simulator", "/docs", "/redoc", "/track")
PAGES = {"/", "/open-data/"}  # pages for people whose path starts machine-readable ones


def _paths(routes) -> Iterator[str]:
    """Every route path of the app, through routers included into routers."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _paths(original.routes)
        elif hasattr(route, "methods") and getattr(route, "path", None):
            yield route.path


@pytest.fixture
def app(db_url: str):
    from nalish.app import create_app

    return create_app()


def test_every_route_but_the_pages_for_people_is_in_the_openapi_document(app):
    with TestClient(app) as client:
        documented = set(client.get("/openapi.json").json()["paths"])
    expected = {
        path
        for path in _paths(app.router.routes)
        if path not in PAGES and not path.startswith(PAGES_FOR_PEOPLE) and path != app.openapi_url
    }
    assert {"/channels/http/sms", "/channels/http/delivery", "/metrics"} <= documented
    assert expected - documented == set()


def test_the_docs_pages_load_their_scripts_from_the_app_itself(app):
    with TestClient(app) as client:
        for page in ("/docs", "/redoc"):
            answer = client.get(page)
            assert answer.status_code == 200
            assert "cdn" not in answer.text.lower()
            assert "https://" not in answer.text
            assert "default-src 'self';" in answer.headers["content-security-policy"]
        script = client.get("/docs/static/swagger-ui-bundle.js")
        assert script.status_code == 200 and len(script.content) > 100_000
        assert client.get("/docs/static/redoc.standalone.js").status_code == 200


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    skip_unless_browser()
    home = tmp_path_factory.mktemp("docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
    env.update(
        NALISH_DATABASE_URL=f"sqlite:///{home / 'nalish.db'}",
        NALISH_SECRET_KEY="docs-test-secret-key-0123456789",
    )
    with serving(env, Path(home)) as url:
        yield url


def test_docs_and_redoc_render_in_a_browser_with_the_network_off(docs_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.private_servers import CHROMIUM

    refused: list[str] = []

    def only_the_app(route) -> None:
        if route.request.url.startswith(docs_server):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page()
            page.route("**/*", only_the_app)
            page.goto(f"{docs_server}/docs")
            operation = page.locator(".opblock-summary-path", has_text="/channels/http/sms")
            expect(operation.first).to_be_visible(timeout=30_000)
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Nalish")
            page.screenshot(path=tmp_path / "docs.png", full_page=True)
            page.goto(f"{docs_server}/redoc")
            expect(page.get_by_text("/channels/africastalking/ussd").first).to_be_attached(
                timeout=30_000
            )
            expect(page.locator("h1").first).to_contain_text("Nalish")
        finally:
            browser.close()
    assert refused == []
