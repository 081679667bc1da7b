"""A figure: one thing a scenario measured, next to the target it must meet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """`ok` is True or False against the target; None when only informative or skipped.

    A `timed` figure (a latency) is judged and shown but never fails the run: on a
    shared 2-core machine a latency says as much about the neighbours as about Nalish
    (no timing decides a test here; bench/ measures speed against a baseline)."""

    scenario: str
    what: str
    measured: str
    target: str
    ok: bool | None
    timed: bool = False

    @property
    def mark(self) -> str:
        if self.timed and self.ok is False:
            return "**slow**"
        return {True: "yes", False: "**NO**", None: "–"}[self.ok]

    @property
    def missed(self) -> bool:
        """A target missed that fails the run."""
        return self.ok is False and not self.timed


def table(figures: list[Figure]) -> str:
    """A Markdown table of figures, as the README's Reliability section shows it."""
    lines = [
        "| scenario | measured | target | ok |",
        "| --- | --- | --- | --- |",
    ]
    for f in figures:
        measured = f"{f.what}: {f.measured}".replace("|", "\\|").replace("\n", " ")
        target = f.target.replace("|", "\\|")
        lines.append(f"| {f.scenario} | {measured} | {target} | {f.mark} |")
    return "\n".join(lines)
