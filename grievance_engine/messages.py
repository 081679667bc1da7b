"""SMS notifications in the reader's language: the `sms` gettext domain.

One phrase per kind (`ack`, `resolved`, `officer_reminder`...) in
`grievance_engine/locale/<locale>/LC_MESSAGES/sms.po`, so translators edit catalogues,
not code; a language without a phrase sends English. A number is written in the
reader's digits (Bangla's ০-৯); a ticket reference is text and never is (its format is a
contract). The outbox folds Latin-script languages to GSM-7; Bangla is always UCS-2 (70
characters a part), so keep it short.
"""

from __future__ import annotations

from typing import Any, Protocol

from grievance_engine import languages, translations

DOMAIN = "sms"


def render_sms(kind: str, language: str, **context: Any) -> str:
    """The `kind` message in `language`. A missing value is a bug (KeyError), never a
    blank in an SMS. With a `count` the phrase is a plural; `more` (how many a list left
    out) shows as the `more` phrase ("+3 more") or not at all."""
    values = {name: _written(value, language) for name, value in context.items()}
    if "more" in context:
        more = context["more"]
        values["more"] = (
            translations.text(language, DOMAIN, "more", values={"more": values["more"]})
            if more
            else ""
        )
    return translations.text(
        language, DOMAIN, kind, count=context.get("count"), values=values
    ).strip()


class Labelled(Protocol):
    """A category as the citizen's SMS reads it: `Category` or routing's cached copy."""

    sensitive: bool

    def label(self, language: str) -> str: ...


def category_for_citizen(category: Labelled, language: str) -> str:
    """The category's name for an SMS to the citizen; a sensitive one (corruption,
    violence, child marriage) is only "report": phones are shared, and the name alone
    could tell a husband or an official who reported what."""
    if category.sensitive:
        return translations.text(language, DOMAIN, "sensitive_category")
    return category.label(language)


def cut_at_word(text: str, limit: int) -> str:
    """The first words of `text` within `limit` characters, cut between words (never
    inside one: "…পানি নেই" must not become "…পান...", betel leaf), "..." marking the
    cut (GSM-7, unlike "…")."""
    tidy = " ".join((text or "").split())
    if len(tidy) <= limit:
        return tidy
    cut = tidy[: limit - 3]
    if " " in cut and not tidy[limit - 3].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:।") + "..."


def _written(value: Any, language: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return languages.get(language).localize_digits(str(value))
    return value
