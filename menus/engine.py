"""The menu engine: conversations as a graph of nodes, independent of the channel.

A `Flow` is a set of named nodes. Each node shows a prompt and either a list of
options (`Choice`, which may also accept typed text) or takes a free answer
(`Question`). Answering a node yields an outcome: go to another node, finish with a
message, or stay with an error. Channels render nodes their own way (USSD screens
with paging in `menus.ussd`, key presses and prompts in `menus.ivr`) and keep the
`Conversation` state in a session store between hops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from infra.db import LazySession
from menus.i18n import t


@dataclass(frozen=True)
class Option:
    """One numbered choice: `value` is kept, `label` is shown."""

    value: Any
    label: str


@dataclass(frozen=True)
class Goto:
    node: str
    notice: str | None = None  # shown above the next screen (e.g. "text was shortened")
    fresh: bool = False  # forget the way here: "Back" should not lead before this node


@dataclass(frozen=True)
class Finish:
    text: str


@dataclass(frozen=True)
class Retry:
    error: str  # shown above the same screen again


Outcome = Goto | Finish | Retry


@dataclass
class Conversation:
    """What a node can see: who is talking, in which language, and what was said so far.

    `db` is a session, or a `LazySession` that connects only when a node asks for
    `conversation.session`.
    """

    db: Session | LazySession | None
    phone: str
    channel: str
    language: str
    key: str  # the provider's session id, used to make filing idempotent
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        if isinstance(self.db, LazySession):
            return self.db.get()
        if self.db is None:
            raise RuntimeError("this conversation has no database")
        return self.db

    def t(self, key: str, /, **values: Any) -> str:
        return t(self.language, key, **values)


@dataclass(frozen=True)
class Choice:
    """Pick one of a list; optionally, type text instead (e.g. a district's name)."""

    id: str
    prompt: Callable[[Conversation], str]
    options: Callable[[Conversation], list[Option]]
    on_choose: Callable[[Conversation, Option], Outcome]
    on_text: Callable[[Conversation, str], Outcome] | None = None
    # Answering reads or writes records (filing a ticket): run it off the event loop.
    needs_database: bool = False


@dataclass(frozen=True)
class Question:
    """Type a free answer.

    `voice` says how a phone call answers it: "record" (the caller speaks, and the
    recording is the answer: a complaint in their own words), "digits" (keypad), or
    None (the IVR cannot ask this; it skips to what the node's `voice_skip` names).
    """

    id: str
    prompt: Callable[[Conversation], str]
    on_answer: Callable[[Conversation, str], Outcome]
    needs_database: bool = False
    voice: str | None = None
    voice_skip: str | None = None


Node = Choice | Question


@dataclass(frozen=True)
class Flow:
    """A named conversation: its nodes and where it starts."""

    name: str
    start: str
    nodes: dict[str, Node]

    def __post_init__(self) -> None:
        if self.start not in self.nodes:
            raise ValueError(f"flow {self.name!r}: start node {self.start!r} is not defined")
        for node_id, node in self.nodes.items():
            if node_id != node.id:
                raise ValueError(f"flow {self.name!r}: node {node_id!r} is named {node.id!r}")

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


def choose(node: Choice, conversation: Conversation, answer: str) -> Outcome:
    """Apply a typed answer to a Choice: a number picks an option, text goes to on_text."""
    stripped = answer.strip()
    options = node.options(conversation)
    if stripped.isdigit():
        index = int(stripped)
        if 1 <= index <= len(options):
            return node.on_choose(conversation, options[index - 1])
        if node.on_text is None:
            return Retry(conversation.t("invalid_choice"))
    if node.on_text is not None and stripped:
        return node.on_text(conversation, stripped)
    return Retry(conversation.t("invalid_choice"))
