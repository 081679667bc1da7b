"""The public pages' templates (`public/templates`), in the reader's language.

Words come from the `dashboards` gettext catalogue (keys `track_*`, `open_data_*`),
so translators keep one file per language for everything on the web. The language
is `?lang=` when the registry knows it, else the deployment's default; there is no
sign-in, so no stored preference. Styles are one static file (the CSP allows 'self'
styles, never an inline block without the dashboards' nonce).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from grievance_engine import languages, translations
from infra.settings import get_settings

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
DOMAIN = "dashboards"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"])
)


def language_of(code: str | None) -> str:
    """`code` if the registry knows it, else the deployment's default language."""
    if code and languages.is_known(code):
        return code
    return get_settings().default_language


def words(language: str):
    """`t(key, **values)` for templates: the key's phrase in `language`, digits too."""
    native = languages.get(language)

    def t(key: str, **values: Any) -> str:
        return translations.text(language, DOMAIN, key, values=values or None)

    def digits(value: object) -> str:
        return native.localize_digits(str(value))

    return t, digits


def page(name: str, *, language: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    t, digits = words(language)
    offered = {
        code: languages.get(code).native_name for code in languages.codes(include_pseudo=False)
    }
    html = _environment.get_template(name).render(
        t=t, digits=digits, language=language, offered=offered, **context
    )
    return HTMLResponse(html, status_code=status_code)
