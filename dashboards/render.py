"""Rendering a page: the jinja2 environment of `dashboards/templates/` and `page()`.

Every page extends `base.html.j2` and gets `t` (the phrase in the reader's language),
`lang`, `user` (None on the login page), `nav` (the links of the pages `user` may
open, from `dashboards.pages`), `csrf_token` (for the forms it carries) and
`csp_nonce` (for its inline scripts and styles, see `dashboards.security`).

jinja2's i18n extension is on, with gettext callables bound to the page's language:
`_("key")`, `ngettext("key", "key", n)` (the plural form for `n`, which fills `{n}`),
`pgettext("context", "key")`, each taking the phrase's `{name}` values as keywords
(message ids are keys, so `{% trans %}` blocks, whose ids are their text, are not
used). The `digits` filter writes a number or date in the reader's digits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from dashboards import i18n, pages
from dashboards.security import csp_nonce
from infra import caching
from infra.settings import get_settings


@caching.cached(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dashboards", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.add_extension("jinja2.ext.i18n")
    env.install_null_translations(newstyle=True)  # replaced per page by `_gettext`
    env.filters["local"] = local_time
    env.filters["digits"] = digits
    # a table row with something to show: any value after its label (supervisor.html.j2)
    env.tests["nonzero"] = lambda row: any(row[1:])
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

    gettext = _gettext(lang)
    body = (
        environment()
        .get_template(name)
        .render(
            t=gettext["gettext"],
            **gettext,
            lang=lang,
            languages=i18n.switch_choices(lang),
            user=user,
            nav=pages.nav(user.role) if user is not None else [],
            csrf_token=csrf_token,
            csp_nonce=csp_nonce(),  # every inline <script> and <style> carries it
            **context,
        )
    )
    return HTMLResponse(body, status_code=status_code, headers=headers)


def _gettext(lang: str) -> dict[str, Any]:
    """The i18n extension's gettext callables, in `lang`."""

    def gettext(key: str, **values: Any) -> str:
        return i18n.translate(lang, key, **values)

    def ngettext(key: str, _plural: str, count: int, **values: Any) -> str:
        return i18n.translate(lang, key, count=count, **values)

    def pgettext(context: str, key: str, **values: Any) -> str:
        return i18n.translate(lang, key, context=context, **values)

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}


@pass_context
def digits(context: Context, value: object) -> str:
    """The `digits` filter: `value` in the digits of the page's language."""
    return i18n.digits(context["lang"], value)
