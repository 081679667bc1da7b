"""The README is true: its `console` blocks are run against a started app and print
what the README shows.

The rules (for whoever writes a README section):

- A block fenced ```` ```console ```` is run. Each line starting with `$ ` is a command
  (a line ending in `\\` continues it); the lines after it, up to the next `$ `, are
  what it prints. A line that is just `...` stands for any lines (none included); the
  reference `ABCD-1234` in what is printed stands for any reference, and in the
  commands after it for the reference that was printed (so the README can say "use the
  reference from the last screen"). The blocks run in README order, each in one bash
  (a function or variable defined in a block lasts to its end), from the repository
  root, against a fresh SQLite database that is migrated and seeded, with the app
  served on a free port that replaces `http://127.0.0.1:8000`.
- A block fenced `sh`, `bash` or `shell` is not run: it shows something that cannot
  run here (it serves forever, waits for key presses, needs production services).
  Say why with a `<!-- not-run: why -->` line just before it. An unmarked one is
  reported as a skip naming its line, never a failure, so a section added in a hurry
  does not break the build; make it a `console` block to have it checked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.private_servers import serving

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHOWN_URL = "http://127.0.0.1:8000"
EXAMPLE_REF = "ABCD-1234"
REF_PATTERN = r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"
SHELLS = {"console", "sh", "bash", "shell"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(.+?)\s*-->\s*$")


@dataclass
class Command:
    line: int
    text: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    line: int
    fence: str
    body: str
    not_run_because: str | None

    def commands(self) -> list[Command]:
        commands: list[Command] = []
        continuing = False
        for offset, text in enumerate(self.body.splitlines(), start=1):
            if continuing:
                commands[-1].text += "\n" + text
            elif text.startswith("$ "):
                commands.append(Command(self.line + offset, text[2:]))
            elif commands:
                commands[-1].expected.append(text)
            continuing = bool(commands) and text.endswith("\\") and not commands[-1].expected
        return commands


def blocks(markdown: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(markdown):
        if match.group(1) not in SHELLS:
            continue
        line = markdown.count("\n", 0, match.start()) + 1
        before = markdown[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marked = NOT_RUN.search(before)
        found.append(Block(line, match.group(1), match.group(2), marked and marked.group(1)))
    return found


def matches(expected: list[str], printed: str) -> re.Match | None:
    """`printed` against the README's lines: `...` any lines, the example reference
    any reference (captured)."""
    pattern = ""
    for text in expected:
        if text.strip() == "...":
            pattern += r"(?:.*\n)*?"
        else:
            escaped = re.escape(text.rstrip())
            pattern += escaped.replace(re.escape(EXAMPLE_REF), f"({REF_PATTERN})") + r"\n"
    lines = [text.rstrip() for text in printed.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return re.fullmatch(pattern, "".join(f"{text}\n" for text in lines))


ALL_BLOCKS = blocks(README.read_text())
RUNNABLE = [b for b in ALL_BLOCKS if b.fence == "console" and b.not_run_because is None]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    home = tmp_path_factory.mktemp("readme")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
    env.update(NALISH_DATABASE_URL=f"sqlite:///{home / 'nalish.db'}", NALISH_COUNTRY="BD")
    for args in (("db", "upgrade"), ("seed",)):
        subprocess.run(
            [sys.executable, "-m", "nalish", *args], env=env, check=True, capture_output=True
        )
    with serving(env, home) as url:
        yield url, env


def _run(block: Block, url: str, env: dict[str, str], reference: str | None) -> str | None:
    """Run the block's commands in one bash; fail naming the first whose output or exit
    differs. Returns the last reference printed (or the one given)."""
    commands = block.commands()
    script = []
    for number, command in enumerate(commands):
        text = command.text.replace(SHOWN_URL, url)
        if reference:
            text = text.replace(EXAMPLE_REF, reference)
        script.append(f'{text}\nstatus=$?; echo; echo "@@readme {number} $status"')
    done = subprocess.run(
        ["/bin/bash", "-c", "\n".join(script)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    outputs = re.split(r"^@@readme (\d+) (\d+)\n", done.stdout, flags=re.M)
    results = {int(n): (int(code), out) for out, n, code in zip(*[iter(outputs)] * 3, strict=False)}
    for number, command in enumerate(commands):
        code, printed = results.get(number, (None, ""))
        where = f"README.md line {command.line}: $ {command.text}"
        assert code == 0, f"{where}\nexited {code}\n{printed}\n{done.stderr}"
        found = matches(command.expected, printed)
        assert found, f"{where}\nprinted:\n{printed}\nREADME shows:\n" + "\n".join(command.expected)
        reference = next((g for g in found.groups() if g), reference)
    return reference


def test_the_readme_has_console_blocks_to_run():
    assert len(RUNNABLE) >= 2  # the quick start's USSD walk and the operator's commands


def test_every_console_block_prints_what_the_readme_shows(app):
    url, env = app
    reference = None
    for block in RUNNABLE:
        reference = _run(block, url, env, reference)
    assert reference is not None  # the USSD walk ended on a screen with a reference


@pytest.mark.parametrize(
    "block",
    [b for b in ALL_BLOCKS if b not in RUNNABLE],
    ids=lambda b: f"line{b.line}",
)
def test_blocks_that_are_not_run_say_why(block):
    if block.not_run_because is None:
        pytest.skip(
            f"README.md line {block.line}: a `{block.fence}` block without "
            "`<!-- not-run: why -->`; make it a `console` block to have it run"
        )
    assert len(block.not_run_because) > 5  # a reason, not just the marker
