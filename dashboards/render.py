"""Rendering a page: the jinja2 environment of `dashboards/templates/` and `page()`.

Every page extends `base.html.j2` and gets `t` (the phrase in the reader's language),
`lang`, `user` (None on the login page), `csrf_token` (for the forms it carries) and
`csp_nonce` (for its inline scripts and styles, see `dashboards.security`).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from dashboards import i18n
from dashboards.security import csp_nonce
from infra.settings import get_settings


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dashboards", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = local_time
    return env


def local_time(moment: datetime | None) -> str:
    """`moment` in NALISH_TIMEZONE, as "2026-05-04 14:30 +06"; "" for None."""
    if moment is None:
        return ""
    return moment.astimezone(get_settings().tz).strftime("%Y-%m-%d %H:%M %z")[:-2]


def page(
    name: str,
    *,
    lang: str,
    user: Any = None,
    csrf_token: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The template `name` rendered in `lang`, as an HTML response."""

    def t(key: str, **values: object) -> str:
        return i18n.translate(lang, key, **values)

    body = (
        environment()
        .get_template(name)
        .render(
            t=t,
            lang=lang,
            languages=i18n.LANGUAGES,
            user=user,
            csrf_token=csrf_token,
            csp_nonce=csp_nonce(),  # every inline <script> and <style> carries it
            **context,
        )
    )
    return HTMLResponse(body, status_code=status_code, headers=headers)
