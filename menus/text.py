"""The text a menu definition shows: a catalogue key (`menus/i18n.py`) or inline
jinja2 per language, rendered over what the conversation has kept.

Below the definitions, the steps and the compiler, which all show text, so none of
them imports another for it (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from functools import partial
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from grievance_engine import languages, messages
from infra import caching
from menus import i18n
from menus.engine import Conversation

_templates: dict[tuple[str, str], Template] = caching.keyed()


def is_catalogue_key(key: str) -> bool:
    return i18n.has_key(key)


def render(conversation: Conversation, text: str | dict[str, str], **extra: Any) -> str:
    """A definition's text in the conversation's language (English when missing):
    a catalogue key with `{name}` fields, or inline jinja2 over the kept answers."""
    values = {**conversation.data, **extra}
    if isinstance(text, str):
        # A call cannot type: a key may have a spoken variant ("…, or type its name"
        # becomes "Choose your district.").
        if conversation.channel == "voice" and i18n.has_key(f"{text}@voice"):
            text = f"{text}@voice"
        return i18n.t(conversation.language, text, **values)
    source = text.get(conversation.language) or text[languages.SOURCE]
    return template(source, conversation.language).render(**values)


def template(source: str, language: str = languages.SOURCE) -> Template:
    """The compiled jinja2 template of `source` for readers of `language`, compiled once
    per process."""
    compiled = _templates.get((language, source))
    if compiled is None:
        compiled = _templates[language, source] = _jinja(language).from_string(source)
    return compiled


@caching.cached(maxsize=None)
def _jinja(language: str) -> Environment:
    """Inline templates print numbers in the reader's digits ("৬ জনের")."""
    finalize = partial(i18n.written, language)
    return Environment(undefined=StrictUndefined, autoescape=False, finalize=finalize)  # noqa: S701 - phone text


def excerpt(text: str, limit: int = 40) -> str:
    """The citizen's words shortened for a screen, cut between words."""
    return messages.cut_at_word(text, limit)
