"""`nalish menus check`: every definition valid, every text translated, how every voice
prompt is heard in each language, and a picture of the flow (mermaid).

Errors (a definition that does not load) fail the check; a missing translation is a
warning, since English stands in for it. Each voice prompt is recorded, synthesized
(espeak-ng, `menus.synthesis`) or provider speech; one that would fall back to another
language (no recording, no espeak-ng voice or program) is a `voice_fallbacks` entry,
which fails the check too (`nalish menus check` exits 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from grievance_engine import languages, translations
from menus import ivr, registry, synthesis, voice_audio
from menus.definition import load_file, missing_translations
from menus.schema import LANGUAGES, Definition, DefinitionError


@dataclass
class Report:
    """What the check found: errors fail it, warnings do not."""

    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    # (language, prompt, how it is heard): `menus.voice_audio.how_spoken`
    voice: list[tuple[str, str, str]] = field(default_factory=list)
    voice_fallbacks: list[str] = field(default_factory=list)

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
        check_voice(report)
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


def check_voice(report: Report) -> None:
    """How each prompt is heard, per language; a prompt that would be heard in another
    language than the caller's is a fallback (the check fails)."""
    for piece, how in ivr.prompt_sources(registry.flow()):
        prompt = piece.key or piece.native
        report.voice.append((piece.language, prompt, how))
        if how == voice_audio.FALLBACK:
            report.voice_fallbacks.append(f"voice {piece.language}: {prompt!r} {how}")
    if report.voice_fallbacks and synthesis.engine() is None:
        report.voice_fallbacks.append(
            "espeak-ng is not installed (apt-get install espeak-ng), and "
            "`nalish prompts render` needs it; or record the prompts (menus/prompts/README.md)"
        )
    unrendered = sum(how == voice_audio.ON_DEMAND for _, _, how in report.voice)
    if unrendered:
        report.warnings.append(
            f"voice: {unrendered} prompt(s) not rendered yet (espeak-ng renders each on the "
            "first call that needs it); run `nalish prompts render`"
        )


def voice_summary(report: Report) -> list[str]:
    """One line per language: how many prompts are heard which way."""
    counts: dict[str, dict[str, int]] = {}
    for language, _, how in report.voice:
        counts.setdefault(language, {}).setdefault(how, 0)
        counts[language][how] += 1
    return [
        f"voice {language}: " + ", ".join(f"{n} {how}" for how, n in sorted(by_how.items()))
        for language, by_how in sorted(counts.items())
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
