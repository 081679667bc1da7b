"""SMS copy, rendered from jinja2 templates per language in `templates/sms/<lang>/`.

Copy lives in templates so translators edit text, not code. The outbox folds Latin-script
languages to GSM-7; Bangla is always UCS-2 (70 characters a part), so keep it short.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound


@lru_cache(maxsize=1)
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


class Place(Protocol):
    """An area as an SMS names it: an `AdminArea`, or intake's cached copy."""

    name: str
    name_local: str | None


def place_name(place: Place, language: str) -> str:
    """The place's name as a reader of `language` reads it: the Bangla name for "bn"
    when it has one, else the English name as seeded."""
    return place.name_local if language == "bn" and place.name_local else place.name
