"""`/docs` (Swagger UI) and `/redoc` served from the installed package, never a CDN.

Government networks often run offline or behind a filter: FastAPI's default pages load
their scripts from a CDN and stay blank there. The scripts come from the
`fastapi-offline` wheel's static files (Swagger UI's bundle and CSS, ReDoc's standalone
build), mounted at `STATIC_URL`; the pages are FastAPI's own, pointed at them.
`dashboards.security` gives these paths a policy that allows only this origin.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_URL = "/docs/static"
_ASSETS = str(files("fastapi_offline") / "static")


def install(app: FastAPI) -> None:
    """Add /docs, /docs/oauth2-redirect, /redoc and their assets; `app` must have been
    made with `docs_url=None, redoc_url=None` so FastAPI's CDN pages are not added."""
    app.mount(STATIC_URL, StaticFiles(directory=_ASSETS), name="api-docs-static")
    oauth2_redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    def under_root(request: Request, path: str) -> str:
        """`path` behind the proxy's root path (uvicorn --root-path), if any."""
        return f"{request.scope.get('root_path', '')}{path}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=under_root(request, app.openapi_url or "/openapi.json"),
            title=f"{app.title} API",
            oauth2_redirect_url=under_root(request, oauth2_redirect),
            swagger_js_url=under_root(request, f"{STATIC_URL}/swagger-ui-bundle.js"),
            swagger_css_url=under_root(request, f"{STATIC_URL}/swagger-ui.css"),
            swagger_favicon_url=under_root(request, f"{STATIC_URL}/favicon.png"),
            # No badge from validator.swagger.io: the page asks nothing of the internet.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=under_root(request, app.openapi_url or "/openapi.json"),
            title=f"{app.title} API",
            redoc_js_url=under_root(request, f"{STATIC_URL}/redoc.standalone.js"),
            redoc_favicon_url=under_root(request, f"{STATIC_URL}/favicon.png"),
            with_google_fonts=False,
        )
