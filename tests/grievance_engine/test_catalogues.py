"""Every registered language says every phrase, with the same placeholders as English,
and the compiled catalogues that ship are those of the `.po` files translators edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from grievance_engine import languages, translations

ROOT = Path(__file__).resolve().parents[2]


def _catalog(code: str, domain: str):
    language = languages.get(code)
    path = translations.LOCALE_DIR / language.locale / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language.locale.split("_")[0])


def _forms(string) -> tuple[str, ...]:
    return tuple(string) if isinstance(string, tuple | list) else (string,)


def test_compiled_catalogues_are_those_of_the_po_files():
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "messages.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, f"run `make messages`:\n{check.stdout}{check.stderr}"


@pytest.mark.parametrize("domain", translations.DOMAINS)
@pytest.mark.parametrize("code", languages.codes())
def test_every_phrase_is_translated_with_the_same_placeholders(code, domain):
    source = _catalog(languages.SOURCE, domain)
    catalog = _catalog(code, domain)
    problems = []
    for message in source:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        forms = _forms(translated.string) if translated else ()
        if not forms or not all(forms):
            problems.append(f"{message.context or ''}|{message.id}: not translated")
            continue
        wanted = translations.placeholders(_forms(message.string)[-1])
        for form in forms:
            if translations.placeholders(form) - wanted or (
                len(forms) == 1 and translations.placeholders(form) != wanted
            ):
                problems.append(f"{message.id}: placeholders {form!r} differ from English")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("domain", translations.DOMAINS)
def test_no_english_phrase_is_its_own_key(domain):
    """A phrase equal to its key could not be told from a missing one."""
    same = [m.id for m in _catalog(languages.SOURCE, domain) if m.id and m.string == m.id]
    assert not same


def test_a_missing_key_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        translations.text("bn", "menus", "no-such-phrase-anywhere")


def test_the_registry_gives_each_language_its_digits_and_fallbacks():
    bangla = languages.get("bn")
    assert bangla.localize_digits("রংপুর, 6 জন") == "রংপুর, ৬ জন"
    assert languages.fallback_chain("bn") == ("bn", "en")
    assert languages.offered_in("BD") == ("bn", "en")
    assert languages.offered_in("KE") == ("sw", "en")
    assert languages.get("xx").code == languages.SOURCE
