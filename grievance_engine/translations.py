"""Words from gettext catalogues: one loader for the dashboards, the menus and the SMS.

Catalogues live in `grievance_engine/locale/<locale>/LC_MESSAGES/<domain>.po` (what
translators edit, e.g. with Poedit or Weblate) and are compiled to `.mo` by
`make messages`; the compiled files ship in the wheel. One domain per surface:

- `dashboards`: the staff's screens;
- `menus`: what USSD, SMS replies and IVR say to citizens;
- `sms`: notifications (acknowledgement, escalation, resolution...).

Message ids are stable keys ("login_title", "choose_district"), not English sentences:
the English catalogue is the source text and every other language falls back to it
(then to its registry fallback), so a phrase missing in Bangla shows in English, never
as a key. A country's or the voice channel's variant of a phrase is the same key under
a `msgctxt` ("KE", "voice"); plurals are gettext plurals (`count=`). Placeholders are
Python's `{name}`; a test fails when a language's placeholders differ from English's.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from grievance_engine import languages
from infra import caching

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS = ("dashboards", "menus", "sms")


@caching.cached(maxsize=64)
def catalogue(language: str, domain: str) -> NullTranslations:
    """The compiled catalogue of `domain` for `language`, chained to its fallbacks."""
    chain = languages.fallback_chain(language)
    head: NullTranslations | None = None
    for code in chain:
        found = Translations.load(str(LOCALE_DIR), [languages.get(code).locale], domain)
        if head is None:
            head = found
        else:
            head.add_fallback(found)
    assert head is not None
    return head


def text(
    language: str,
    domain: str,
    key: str,
    /,
    *,
    context: str | None = None,
    count: int | None = None,
    values: Mapping[str, Any] | None = None,
) -> str:
    """The phrase `key` of `domain` in `language`, with `{placeholders}` filled.

    `context` picks a variant (a country such as "KE", or "voice") and falls back to the
    plain phrase; `count` picks the plural form. A key no catalogue has raises KeyError:
    that is a bug, caught by the catalogue tests, never a blank shown to a citizen.
    """
    translated = _lookup(catalogue(language, domain), key, context, count)
    return translated.format_map(values) if values else translated


def has(domain: str, key: str, *, context: str | None = None) -> bool:
    """Whether the source catalogue of `domain` defines `key` (in `context`)."""
    found = _raw(catalogue(languages.SOURCE, domain), key, context, None)
    return found is not None


def _lookup(book: NullTranslations, key: str, context: str | None, count: int | None) -> str:
    if context is not None:
        found = _raw(book, key, context, count)
        if found is not None:
            return found
    found = _raw(book, key, None, count)
    if found is None:
        raise KeyError(key)
    return found


def _raw(book: NullTranslations, key: str, context: str | None, count: int | None) -> str | None:
    """The phrase, or None when no catalogue in the chain has it (gettext would answer
    the key itself, which must never reach a screen)."""
    if count is None:
        found = book.pgettext(context, key) if context else book.gettext(key)
        return None if found == key else found
    found = book.npgettext(context, key, key, count) if context else book.ngettext(key, key, count)
    return None if found == key else found


def placeholders(phrase: str) -> frozenset[str]:
    """The `{names}` a phrase fills in, for checking translations against the source."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(phrase)
        if field
    )


def clear() -> None:
    """Forget loaded catalogues (after `make messages` in a running test)."""
    catalogue.cache_clear()
