"""The menus' words, per language: the `menus` gettext domain.

Translators edit `grievance_engine/locale/<locale>/LC_MESSAGES/menus.po` (`make messages`
carries a new English key to every language); `grievance_engine.translations` reads them.
Short on purpose: a USSD screen holds 182 GSM-7 characters, but only 80 UCS-2 units
when any Bangla is on it. Keys are shared by every channel's renderer.

A key may have variants, written `key@KE` (Kenya's districts are counties) or
`key@voice` (a call cannot type) here and stored as the same msgid under msgctxt "KE" or
"voice" (both at once: "voice|KE"). The country's variant wins when NALISH_COUNTRY is
that country.

Numbers in a phrase are written in the reader's digits (Bangla's ০-৯); references and
option numbers are text the keypad sends, so they stay ASCII. The SMS keywords
(`keywords.stop`: "STOP,STOPALL,…") are phrases too, a comma-separated list per
language, and every language's are understood on every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.messages.mofile import read_mo

from grievance_engine import languages, translations
from infra import caching
from infra.settings import get_settings

DOMAIN = "menus"


def t(language: str, key: str, /, **values: Any) -> str:
    """The text for `key` in `language`, falling back to English.

    A `{field}` with no value shows as nothing rather than failing in front of a citizen.
    """
    text = lookup(language, key)
    if not values:
        return text
    return text.format_map(_Values({name: written(language, v) for name, v in values.items()}))


def written(language: str, value: Any) -> Any:
    """A number in `language`'s digits ("৬" for a Bangla reader); anything else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return languages.get(language).localize_digits(str(value))
    return value


_TO_ASCII = str.maketrans(
    {
        digit: str(value)
        for lang in languages.REGISTRY.values()
        for value, digit in enumerate(lang.digits)
    }
)


def keyed(answer: str) -> str:
    """A number typed in any language's digits as the keypad's ("১" is "1"); text as typed."""
    return answer.translate(_TO_ASCII) if answer.isdigit() else answer


def words(key: str) -> frozenset[str]:
    """The words a citizen may send for `key` ("keywords.stop"), upper-cased: every
    offered language's (a comma-separated phrase), since people mix languages."""
    return frozenset(
        word.strip().upper()
        for code in languages.codes(include_pseudo=False)
        for word in translations.text(code, DOMAIN, key).split(",")
        if word.strip()
    )


def language_names() -> dict[str, str]:
    """What people write after LANG (a code, or a language's name in any of ours) → code."""
    return {
        word: code
        for code in languages.codes(include_pseudo=False)
        for word in words(f"keywords.language_{code}")
    }


def has_key(key: str) -> bool:
    base, _, variant = key.partition("@")
    return translations.has(DOMAIN, base, context=_context(variant) or None)


def lookup(language: str, key: str) -> str:
    """`key@country` in `language`, then `key` (every language has every variant: the
    catalogue tests say so, so the language's own words come before English's)."""
    base, _, variant = key.partition("@")
    country = get_settings().country
    candidates = [_context(variant, country), _context(variant)] if variant else [country]
    context = next((c for c in candidates if translations.has(DOMAIN, base, context=c)), None)
    return translations.text(language, DOMAIN, base, context=context)


def _context(*variants: str) -> str:
    return "|".join(variants)


@caching.cached(maxsize=None)
def _catalogue(code: str) -> dict[str, str]:
    """`code`'s compiled phrases as `key` / `key@variant` → text (untranslated left out)."""
    path = translations.LOCALE_DIR / languages.get(code).locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        compiled = read_mo(handle)
    return {
        f"{message.id}@{message.context.replace('|', '@')}" if message.context else message.id: (
            message.string
        )
        for message in compiled
        if message.id and message.string
    }


class _Catalogues(Mapping[str, Mapping[str, str]]):
    """Every registered language's phrases, for checks and the IVR's recordings index."""

    def __getitem__(self, code: str) -> Mapping[str, str]:
        if not languages.is_known(code):
            raise KeyError(code)
        return _catalogue(code)

    def __iter__(self):
        return iter(languages.codes())

    def __len__(self) -> int:
        return len(languages.codes())


CATALOGUES: Mapping[str, Mapping[str, str]] = _Catalogues()


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return ""
