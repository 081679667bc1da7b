"""`nalish prompts render`: speak every voice prompt ahead of time, in each language
that no provider speaks, with espeak-ng (`menus.synthesis`), so that no caller waits
for a rendering."""

from __future__ import annotations

from typing import Annotated

import typer

from nalish.cli.common import fail, settings

prompts_app = typer.Typer(
    help="Voice prompts spoken offline in the caller's language (espeak-ng).",
    no_args_is_help=True,
)


@prompts_app.command("render")
def prompts_render(
    language: Annotated[
        list[str] | None, typer.Option(help="Only this language (repeatable), e.g. bn.")
    ] = None,
) -> None:
    """Render every prompt text, per language, to audio cached under the media dir
    (served at /media/speech/); prompts already rendered or recorded are kept."""
    from grievance_engine import languages as language_registry
    from infra.db import LazySession
    from menus import ivr, registry, synthesis, voice_audio

    settings()
    if synthesis.engine() is None:
        raise fail(
            "espeak-ng is not installed (Debian: apt-get install espeak-ng): nothing can be "
            "rendered. Calls still run; prompts without a recording fall back to English."
        )
    chosen = tuple(language or language_registry.codes(include_pseudo=False))
    refuse = [code for code in chosen if not language_registry.is_known(code)]
    if refuse:
        raise fail(f"Unknown language(s): {', '.join(refuse)}")
    session = LazySession()  # list items read from the database (categories, places)
    try:
        pieces = ivr.prompt_sources(registry.flow(), languages=chosen, session=session)
    finally:
        session.close()
    counts = {"rendered": 0, "cached": 0, "recorded or provider": 0, "failed": 0}
    for piece, how in pieces:
        if how == voice_audio.SYNTHESIZED:
            counts["cached"] += 1
        elif how == voice_audio.ON_DEMAND:
            voice = language_registry.get(piece.language).tts_voice or ""
            done = synthesis.render(voice, piece.native)
            counts["rendered" if done else "failed"] += 1
        else:
            counts["recorded or provider"] += 1
    typer.echo(
        f"{len(pieces)} prompt(s) in {', '.join(chosen)} under {synthesis.speech_dir()}: "
        + ", ".join(f"{n} {what}" for what, n in counts.items())
    )
    if counts["failed"]:
        raise typer.Exit(1)
