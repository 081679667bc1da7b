"""Offline speech: prompts spoken by Debian's `espeak-ng` in the caller's language.

Twilio and Africa's Talking have no Bangla voice, and the "Swahili" they offer is an
English voice reading Swahili spelling; espeak-ng speaks both (`grievance_engine.
languages`' ``tts_voice``). A text is rendered once to a WAV file named by a hash of
(voice, text), under ``<NALISH_MEDIA_DIR>/speech/<voice>/``, with the text beside it
(``<hash>.txt``: what the file says, for an operator and for tests). `nalish prompts
render` renders every prompt ahead of time; text known only during a call (a summary,
a number) is rendered then, once, and cached the same way. `nalish serve` serves the
folder at ``/media/speech/…`` for the telcos' <Play>.

Without espeak-ng nothing is rendered: what was rendered still plays, the rest falls
back to the provider's English (`menus.ivr`), and `nalish menus check` fails saying so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from infra.settings import get_settings

log = logging.getLogger("nalish.menus.synthesis")

ENGINE = "espeak-ng"
SPEECH_FOLDER = "speech"  # under the media dir; mounted at /media/speech by nalish.app
WORDS_PER_MINUTE = 140  # espeak-ng's 175 is too quick for a first-time caller on a phone
RENDER_TIMEOUT_SECONDS = 10


def engine() -> str | None:
    """The espeak-ng program, or None when it is not installed."""
    return shutil.which(ENGINE)


def speech_dir() -> Path:
    return Path(get_settings().media_dir) / SPEECH_FOLDER


def relative_path(voice: str, text: str) -> str:
    """Where (voice, text) is rendered, relative to `speech_dir()`."""
    digest = hashlib.sha256(f"{voice}\0{text}".encode()).hexdigest()[:24]
    return f"{voice}/{digest}.wav"


def rendered(voice: str, text: str) -> str | None:
    """The rendered file of (voice, text) relative to `speech_dir()`, if it exists."""
    path = relative_path(voice, text)
    return path if (speech_dir() / path).is_file() else None


def render(voice: str, text: str) -> str | None:
    """Render (voice, text) unless it was; its path, or None without espeak-ng (or on
    an espeak-ng failure, logged: the caller hears the fallback, the call goes on)."""
    done = rendered(voice, text)
    if done or not text.strip():
        return done
    program = engine()
    if program is None:
        return None
    target = speech_dir() / relative_path(voice, text)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a telco never fetches half a file, and two
    # processes rendering the same text at once both end with the same whole file.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    try:
        subprocess.run(  # noqa: S603 (no shell; the text is an argument, not a command)
            [program, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", temporary, "--", text],
            check=True,
            capture_output=True,
            timeout=RENDER_TIMEOUT_SECONDS,
        )
        target.with_suffix(".txt").write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except (OSError, subprocess.SubprocessError) as exc:
        log.error("espeak-ng could not render %r in %s: %s", text[:60], voice, exc)
        return None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return relative_path(voice, text)


def text_of(path: str) -> str | None:
    """What the rendered file at `path` (relative to `speech_dir()`) says."""
    try:
        return (speech_dir() / path).with_suffix(".txt").read_text(encoding="utf-8")
    except OSError:
        return None
