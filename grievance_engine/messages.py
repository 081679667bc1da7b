"""SMS copy, rendered from jinja2 templates per language in `templates/sms/<lang>/`.

Copy lives in templates so translators edit text, not code. The outbox folds Latin-script
languages to GSM-7; Bangla is always UCS-2 (70 characters a part), so keep it short.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from grievance_engine import caching


@caching.cached(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("grievance_engine", "templates"),
        undefined=StrictUndefined,  # a missing variable is a bug, not a blank in an SMS
        autoescape=False,  # plain text for phones, never HTML  # noqa: S701
        keep_trailing_newline=False,
    )


def render_sms(kind: str, language: str, **context: Any) -> str:
    """The `kind` message in `language` (English when that language has no copy)."""
    env = _environment()
    try:
        template = env.get_template(f"sms/{language}/{kind}.txt")
    except TemplateNotFound:
        template = env.get_template(f"sms/en/{kind}.txt")
    return template.render(**context).strip()
