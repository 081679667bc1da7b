"""`make messages`: keep every language's catalogues in step with the English source.

The English catalogue of each domain (`grievance_engine/locale/en/LC_MESSAGES/*.po`) is
where a developer adds a phrase (a stable key as `msgid`, the English as `msgstr`). This
tool then, for each domain:

1. updates every other language's `.po` from it: new keys appear untranslated (shown in
   the fallback language until a translator fills them), removed keys become obsolete;
2. writes each pseudo-locale's `.po` from English (accented, 40 % longer, placeholders
   kept), so layout and fallbacks can be seen without a translator;
3. compiles every `.po` to the `.mo` that ships in the wheel.

`--check` changes nothing and exits 1 when a catalogue is out of step (a test runs it).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grievance_engine import languages, translations  # noqa: E402

# Accents that stay inside GSM-7, so a pseudo-translated SMS or USSD screen is measured
# as the real Latin-script languages are (GSM-7 has these; it has no ā, ē or Ì).
PSEUDO_ACCENTS = str.maketrans("aeiouAEOUnN", "àéìòùÅÉÖÜñÑ")
PSEUDO_PADDING = "àèìòù"
PLACEHOLDER = re.compile(r"(\{[^{}]*\}|\n|%\w)")


def pseudo(phrase: str) -> str:
    """`phrase` accented and 40 % longer, its `{placeholders}` and line breaks intact."""
    pieces = PLACEHOLDER.split(phrase)
    accented = "".join(
        piece if PLACEHOLDER.fullmatch(piece) else piece.translate(PSEUDO_ACCENTS)
        for piece in pieces
    )
    extra = round(len(phrase) * 0.4)
    padding = (PSEUDO_PADDING * (extra // len(PSEUDO_PADDING) + 1))[:extra]
    return f"{accented} {padding}" if padding else accented


def po_path(language: languages.Language, domain: str) -> Path:
    return translations.LOCALE_DIR / language.locale / "LC_MESSAGES" / f"{domain}.po"


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def template_of(source: Catalog) -> Catalog:
    template = Catalog(domain=source.domain)
    template.creation_date = source.creation_date  # stable output: `update` copies it
    for message in source:
        if message.id:
            template.add(message.id, context=message.context)
    return template


def pseudo_catalog(source: Catalog, language: languages.Language) -> Catalog:
    catalog = Catalog(locale=language.locale, domain=source.domain)
    catalog.creation_date = catalog.revision_date = source.creation_date  # stable output
    for message in source:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            string = tuple(pseudo(form) for form in message.string)
        else:
            string = pseudo(message.string)
        catalog.add(message.id, string, context=message.context)
    return catalog


def planned(domain: str) -> dict[Path, bytes]:
    """Every file of `domain` as it should be on disk."""
    source_language = languages.get(languages.SOURCE)
    source = read(po_path(source_language, domain), source_language.locale)
    files: dict[Path, bytes] = {}
    for language in languages.REGISTRY.values():
        path = po_path(language, domain)
        if language.code == languages.SOURCE:
            catalog = source
        elif language.pseudo:
            catalog = pseudo_catalog(source, language)
        else:
            catalog = read(path, language.locale) if path.exists() else Catalog(language.locale)
            created = catalog.creation_date  # `update` stamps the template's (now): keep it
            catalog.update(template_of(source), no_fuzzy_matching=True, update_header_comment=False)
            catalog.creation_date = created
            catalog.obsolete.clear()  # removed keys leave: git keeps history
            catalog.fuzzy = False  # a fuzzy header would drop Plural-Forms from the .mo
        files[path] = po_bytes(catalog)
        files[path.with_suffix(".mo")] = mo_bytes(catalog)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale: list[Path] = []
    for domain in translations.DOMAINS:
        for path, content in planned(domain).items():
            if path.exists() and path.read_bytes() == content:
                continue
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
