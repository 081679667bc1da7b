"""`nalish menus check`: every definition valid, every text translated, every voice
prompt recorded, and a picture of the flow (mermaid).

Errors (a definition that does not load) fail the check; a missing translation or
prompt is a warning, since English (or `<Say>`) stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from grievance_engine import languages, translations
from menus import ivr, registry
from menus.definition import load_file, missing_translations
from menus.schema import LANGUAGES, Definition, DefinitionError


@dataclass
class Report:
    """What the check found: errors fail it, warnings do not."""

    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def run(extra: list[Path] | None = None) -> Report:
    """Check the built-in definitions, NALISH_MENUS_DIR and any `extra` files."""
    report = Report()
    definitions: list[Definition] = []
    files = [*registry.definition_files(), *(extra or [])]
    for path in files:
        report.files.append(str(path))
        try:
            if path.name == "services.yaml" and path.parent == registry.BUILT_IN:
                _check_services(report, path)
                continue
            definition = load_file(path)
        except DefinitionError as exc:
            report.errors.append(str(exc))
            continue
        definitions.append(definition)
        if definition.campaign:
            state = "active" if definition.active else "retired"
            report.campaigns.append(f"{definition.campaign} ({state})")
        for node, language, text in missing_translations(definition):
            report.warnings.append(
                f"{path}: node {node!r} has no {language} text; English is used: {text[:40]!r}"
            )
    if not report.errors:
        try:
            registry.reset()
            registry.load()  # the whole set: unique campaign codes, the compiled flow
        except DefinitionError as exc:
            report.errors.append(str(exc))
    report.warnings += catalogue_gaps("menus") + catalogue_gaps("sms")
    if report.ok:  # the voice prompts are those of the flow, which needs every file good
        report.warnings += voice_prompt_gaps()
    return report


def _check_services(report: Report, path: Path) -> None:
    for service in registry.load_services(path):
        for language in LANGUAGES:
            if language not in service.texts or language not in service.names:
                report.warnings.append(
                    f"{path}: service {service.code!r} has no {language} text; English is used"
                )


def catalogue_gaps(domain: str = "menus") -> list[str]:
    """Phrases of the menus' (or the SMS notifications') catalogue that a language has
    not translated (English is used instead)."""
    english = _phrases(languages.SOURCE, domain)
    gaps = []
    for language in LANGUAGES[1:]:
        own = _phrases(language, domain)
        for key in english:
            if key not in own:
                gaps.append(
                    f"{_po(language, domain)}: {key!r} has no {language} text; English is used"
                )
    return gaps


def _phrases(language: str, domain: str) -> set[str]:
    """The keys `language`'s catalogue of `domain` translates (variants apart)."""
    path = _po(language, domain)
    if not path.exists():
        return set()
    with path.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
            and message.context is None
            and all(message.string if isinstance(message.string, tuple) else (message.string,))
        }


def _po(language: str, domain: str) -> Path:
    locale = languages.get(language).locale
    return translations.LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def voice_prompt_gaps() -> list[str]:
    """Recorded prompts the IVR lacks (it falls back to text-to-speech, none for Bangla)."""
    by_language: dict[str, list[str]] = {}
    for language, key in ivr.missing_prompts(registry.flow()):
        by_language.setdefault(language, []).append(key)
    return [
        f"voice: {len(keys)} prompt(s) not recorded in {language} (menus/prompts/{language}/"
        f"<key>.mp3), so <Say> is used: {', '.join(keys[:6])}{', …' if len(keys) > 6 else ''}"
        for language, keys in sorted(by_language.items())
    ]


def mermaid(definition_files: list[Path] | None = None) -> str:
    """The flow as a mermaid flowchart: nodes, and where each answer leads."""
    lines = ["flowchart TD"]
    for path in definition_files or registry.definition_files():
        if path.name == "services.yaml":
            continue
        definition = load_file(path)
        prefix = f"{definition.campaign}." if definition.campaign else ""
        for node_id, node in definition.nodes.items():
            source = _mermaid_id(prefix + node_id)
            skip = f" (if {node.when})" if node.when else ""
            lines.append(f'    {source}["{prefix}{node_id}: {node.type}{skip}"]')
            for index, option in enumerate(node.options, start=1):
                if option.goto:
                    lines.append(f"    {source} -->|{index}| {_mermaid_id(prefix + option.goto)}")
                elif option.action:
                    lines.append(
                        f"    {source} -->|{index}| {source}_{option.action}(({option.action}))"
                    )
                elif option.end:
                    lines.append(f"    {source} -->|{index}| {source}_end((end))")
                elif option.campaigns:
                    lines.append(f"    {source} -->|campaigns| campaigns[[active campaigns]]")
            if node.action:
                lines.append(f"    {source} --> {source}_{node.action}(({node.action}))")
            if node.goto:
                label = "next" if not node.when else "skip / next"
                lines.append(f"    {source} -->|{label}| {_mermaid_id(prefix + node.goto)}")
    return "\n".join(lines)


def _mermaid_id(name: str) -> str:
    return name.replace(".", "__")
