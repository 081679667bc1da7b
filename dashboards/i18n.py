"""The dashboards' words: the `dashboards` gettext catalogue, in the reader's language.

A person's screens are in `User.language`; before login, in the page's `?lang=` or the
browser's Accept-Language. Any language of the registry (`grievance_engine.languages`)
is accepted, pseudo-locales included (`?lang=en-XA`), but the language switch offers
only real ones (`OFFERED`). See docs/architecture.md, "Add a language".
"""

from __future__ import annotations

from grievance_engine import languages, translations
from grievance_engine.errors import DomainError

DOMAIN = "dashboards"
DEFAULT = languages.SOURCE
LANGUAGES = {code: language.native_name for code, language in languages.REGISTRY.items()}
OFFERED = {code: LANGUAGES[code] for code in languages.codes(include_pseudo=False)}


def switch_choices(current: str) -> dict[str, str]:
    """The language switch's list: `OFFERED`, and the reader's own (a pseudo-locale)."""
    return {**OFFERED, current: LANGUAGES.get(current, current)}


def language_of(code: str | None) -> str:
    """`code` if the registry knows it, else English."""
    return code if code is not None and languages.is_known(code) else DEFAULT


def negotiate(accept_language: str | None) -> str:
    """The first language of an Accept-Language header ("bn-BD,bn;q=0.9,en;q=0.8") that
    the dashboards speak, by quality; English when none is."""
    known = {code.lower(): code for code in LANGUAGES}
    offers: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = (piece.strip().lower() for piece in part.partition(";"))
        try:
            quality = float(params[2:]) if params.startswith("q=") else 1.0
        except ValueError:
            quality = 0.0
        code = known.get(tag) or known.get(tag.split("-")[0])
        if code is not None and quality > 0:
            offers.append((-quality, index, code))
    return min(offers)[2] if offers else DEFAULT


def digits(language: str, value: object) -> str:
    """`value` as text, its digits those `language`'s readers expect (৩ for 3 in Bangla)."""
    return languages.get(language).localize_digits(str(value))


def translate(
    language: str, key: str, /, *, count: int | None = None, context: str | None = None, **values
) -> str:
    """The phrase `key` in `language`, with `values` filled in (numbers in the language's
    digits); `count` picks a plural form (and fills `{n}`), `context` a msgctxt variant."""
    if count is not None:
        values.setdefault("n", count)
    shown = {name: _number(language, value) for name, value in values.items()}
    return translations.text(language, DOMAIN, key, count=count, context=context, values=shown)


def has(key: str) -> bool:
    """Whether the catalogue has the phrase `key`."""
    return translations.has(DOMAIN, key)


def error(language: str, problem: DomainError) -> str:
    """What `problem` says, in `language` (its phrase `error.<code>`)."""
    return translate(language, problem.key, **problem.params)


def _number(language: str, value: object) -> object:
    # bool is an int, but True is not a count
    if isinstance(value, int | float) and not isinstance(value, bool):
        return digits(language, value)
    return value
