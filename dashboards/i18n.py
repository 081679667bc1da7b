"""The dashboards' words: the `dashboards` gettext catalogue, in the reader's language.

A person's screens are in `User.language`; before login, in the page's `?lang=` or the
browser's Accept-Language. Any language of the registry (`grievance_engine.languages`)
is accepted, pseudo-locales included (a translator checks layout with `?lang=en-XA`);
the language switch offers the languages staff work in (`OFFERED`, no pseudo-locale).
Words live in `grievance_engine/locale/<locale>/LC_MESSAGES/dashboards.po`; a missing
phrase shows in the language's fallback, never as its key (docs/architecture.md,
"Add a language").
"""

from __future__ import annotations

from grievance_engine import languages, translations

DOMAIN = "dashboards"
DEFAULT = languages.SOURCE
LANGUAGES = {code: language.native_name for code, language in languages.REGISTRY.items()}
OFFERED = {code: LANGUAGES[code] for code in languages.codes(include_pseudo=False)}
# Canned SMS replies: the label of each is `canned_<key>` in the reader's language, its
# text `canned_text_<key>` in the ticket's language, with the ticket's `{ref}`.
CANNED_REPLY_KEYS = ("received", "need_info", "visit")


def language_of(code: str | None) -> str:
    """`code` if the registry knows it, else English."""
    return code if code is not None and languages.is_known(code) else DEFAULT


def negotiate(accept_language: str | None) -> str:
    """The first language of an Accept-Language header ("bn-BD,bn;q=0.9,en;q=0.8") that
    the dashboards speak, by quality; English when none is."""
    known = {code.lower(): code for code in LANGUAGES}
    offers: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        tag = tag.strip().lower()
        code = known.get(tag) or known.get(tag.split("-")[0])
        if code is not None and quality > 0:
            offers.append((-quality, index, code))
    return min(offers)[2] if offers else DEFAULT


def digits(language: str, value: object) -> str:
    """`value` as text, its digits those `language`'s readers expect (৩ for 3 in Bangla)."""
    return languages.get(language).localize_digits(str(value))


def translate(
    language: str,
    key: str,
    /,
    *,
    count: int | None = None,
    context: str | None = None,
    **values: object,
) -> str:
    """The phrase `key` in `language`, with `values` filled in (numbers in the language's
    digits); `count` picks a plural form and fills `{n}` unless given; `context` picks a
    variant (msgctxt) where the catalogue has one."""
    if count is not None:
        values.setdefault("n", count)
    shown = {name: _number(language, value) for name, value in values.items()}
    return translations.text(language, DOMAIN, key, count=count, context=context, values=shown)


def has(key: str) -> bool:
    """Whether the catalogue has the phrase `key`."""
    return translations.has(DOMAIN, key)


def canned_replies(language: str) -> list[tuple[str, str]]:
    """(key, text) of the canned SMS replies for a ticket in `language`."""
    return [(key, translate(language, f"canned_text_{key}")) for key in CANNED_REPLY_KEYS]


def _number(language: str, value: object) -> object:
    # bool is an int, but True is not a count
    if isinstance(value, int | float) and not isinstance(value, bool):
        return digits(language, value)
    return value
