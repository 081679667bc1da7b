"""The language registry: the one place a language is named.

Every surface (dashboards, USSD, SMS, IVR, notifications) asks this registry which
languages exist, what they are called in their own script, whether their text fits the
GSM-7 alphabet (a Latin-script SMS part holds 160 characters, a Bangla one 70), which
digits their readers expect, which offline voice speaks them and what to fall back to.
Words themselves live in gettext catalogues (`grievance_engine/locale/`, read by
`grievance_engine.translations`); adding a language is catalogues plus one line below.
"""

from __future__ import annotations

from dataclasses import dataclass

ASCII_DIGITS = "0123456789"


@dataclass(frozen=True)
class Language:
    code: str
    """What is stored (users, tickets, sessions) and sent in `?lang=`: "bn", "en-XA"."""
    native_name: str
    """The name its readers know it by, shown on language choices."""
    english_name: str
    script: str
    """ISO 15924 code of the writing system ("Beng", "Latn")."""
    gsm7: bool
    """Whether its text fits the GSM-7 alphabet (longer SMS parts and USSD screens)."""
    digits: str = ASCII_DIGITS
    """The ten digits its readers expect, 0 to 9."""
    tts_voice: str | None = None
    """The espeak-ng voice that speaks it offline, if any."""
    fallback: str | None = "en"
    """The language shown where a phrase has no translation (None: the source itself)."""
    countries: tuple[str, ...] = ()
    """Countries (NALISH_COUNTRY) whose citizens are offered it first; () = everywhere."""
    pseudo: bool = False
    """A test locale for translators and layout checks, never offered to citizens."""

    @property
    def locale(self) -> str:
        """The catalogue folder name: gettext writes "en-XA" as "en_XA"."""
        return self.code.replace("-", "_")

    def localize_digits(self, text: str) -> str:
        """`text` with ASCII digits written in this language's digits."""
        if self.digits == ASCII_DIGITS:
            return text
        return text.translate(str.maketrans(ASCII_DIGITS, self.digits))


SOURCE = "en"
"""The language catalogue keys are written for; every other language falls back to it."""

REGISTRY: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "English", "English", "Latn", gsm7=True, tts_voice="en", fallback=None),
        Language(
            "bn",
            "বাংলা",
            "Bangla",
            "Beng",
            gsm7=False,
            digits="০১২৩৪৫৬৭৮৯",
            tts_voice="bn",
            countries=("BD",),
        ),
        Language(
            "sw", "Kiswahili", "Swahili", "Latn", gsm7=True, tts_voice="sw", countries=("KE",)
        ),
        Language("en-XA", "Éñglìsh (pseudo)", "Pseudo-English", "Latn", gsm7=True, pseudo=True),
    )
}


def get(code: str | None) -> Language:
    """The language `code` names, or the source language when it names none."""
    return REGISTRY.get(code or SOURCE) or REGISTRY[SOURCE]


def codes(*, include_pseudo: bool = True) -> tuple[str, ...]:
    """Every registered language code, in registry order."""
    return tuple(code for code, lang in REGISTRY.items() if include_pseudo or not lang.pseudo)


def is_known(code: str | None) -> bool:
    return code in REGISTRY


def native_of(country: str) -> str:
    """The first language offered to citizens of `country` (English where none is)."""
    for language in REGISTRY.values():
        if country in language.countries and not language.pseudo:
            return language.code
    return SOURCE


def offered_in(country: str) -> tuple[str, ...]:
    """The languages a citizen of `country` may choose: the country's own first, then
    English (pseudo-locales are for testing and never offered)."""
    native = native_of(country)
    rest = [
        code
        for code, lang in REGISTRY.items()
        if code != native and not lang.pseudo and (not lang.countries or country in lang.countries)
    ]
    return (native, *rest)


def fallback_chain(code: str) -> tuple[str, ...]:
    """`code`, then its fallbacks in order, ending with the source language."""
    chain: list[str] = []
    current: str | None = code if code in REGISTRY else SOURCE
    while current is not None and current not in chain:
        chain.append(current)
        current = REGISTRY[current].fallback
    if SOURCE not in chain:
        chain.append(SOURCE)
    return tuple(chain)
