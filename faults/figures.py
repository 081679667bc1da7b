"""A figure: one thing a scenario measured, next to the target it must meet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """`ok` is True or False against the target; None when only informative or skipped."""

    scenario: str
    what: str
    measured: str
    target: str
    ok: bool | None

    @property
    def mark(self) -> str:
        return {True: "yes", False: "**NO**", None: "–"}[self.ok]


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
