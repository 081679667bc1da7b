"""Menu definitions: conversations written as data (YAML), checked, and compiled into
the runtime nodes of `menus.engine` that every channel renders its own way.

A definition file holds either the helpline (`flow: helpline`) or a campaign
(`campaign: food_relief`): a service an operator adds without code, with its own
category and routing. Each node is one of:

- `menu`: fixed options, each going somewhere (`goto`), doing something (`action`),
  ending with a message (`end`), or listing the active campaigns (`campaigns: true`);
- `choose`: options from a named `source` (categories, districts…), the pick kept under
  `save`, then `action` or `goto`; `text` names a handler for a typed answer instead;
- `ask`: a free answer checked by `check` (a name, or `{number: {min, max}}`…), kept
  under `save`; `voice` says how a phone call answers it (`record`, `digits`);
- `confirm`: a summary with Send / Cancel; Send runs `action`.

Any node may have `when`: a named condition; when it is false the node is skipped and
the conversation goes on to its `goto`. Text (`prompt`, `label`, `end`) is a key of the
`menus` catalogue (`menus/i18n.py`) or inline `{en: …, bn: …, sw: …}`, a jinja2 template
over what the conversation has kept. Everything named (sources, checks, actions, conditions, nodes)
is checked when a file is loaded; a mistake is a `DefinitionError` naming the file and
the node, at start-up and in `nalish menus check`.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grievance_engine import languages
from menus import steps

LANGUAGES = languages.codes(include_pseudo=False)  # the source (English) first
Text = str | dict[str, str]


class DefinitionError(ValueError):
    """A definition that cannot be used; the message names the file and the node."""

    def __init__(self, path: Path | str, problem: str, node: str | None = None) -> None:
        self.path, self.node, self.problem = str(path), node, problem
        where = f"{path}: node {node!r}" if node else str(path)
        super().__init__(f"{where}: {problem}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MenuOption(_Strict):
    """One fixed option of a `menu` node."""

    label: Text | None = None  # not for `campaigns`, which lists their titles
    goto: str | None = None
    action: str | None = None
    end: Text | None = None
    campaigns: bool = False  # stands for the list of active campaigns

    @model_validator(mode="after")
    def _one_outcome(self) -> MenuOption:
        chosen = [self.goto, self.action, self.end, self.campaigns or None]
        if sum(item is not None for item in chosen) != 1:
            raise ValueError("an option needs exactly one of goto, action, end, campaigns")
        if self.label is None and not self.campaigns:
            raise ValueError("an option needs a label")
        return self


class Node(_Strict):
    """One step of a conversation (see the module docstring for the types)."""

    type: Literal["menu", "choose", "ask", "confirm"]
    prompt: Text
    when: str | None = None
    goto: str | None = None
    action: str | None = None
    save: str | None = None
    # menu
    options: list[MenuOption] = Field(default_factory=list)
    # choose (and menu: `text` handles a typed answer instead of a number; what it
    # understood is kept under `text_save` and leads to `text_goto`, by default the
    # node's own `save` and `goto`: a district typed on the division list is a district)
    source: str | None = None
    text: str | None = None
    text_save: str | None = None
    text_goto: str | None = None
    # ask
    check: str | dict[str, dict[str, Any]] | None = None
    voice: Literal["record", "digits"] | None = None
    voice_skip: str | None = None


class CategorySpec(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,38}$")
    names: dict[str, str]


class RoutingSpec(_Strict):
    office: str = "national-triage"
    queue: str = "default"


class SlaSpec(_Strict):
    """The campaign's promise: working days to resolve. It becomes the SLA policy for
    the campaign's category at its office's level (`menus.registry`)."""

    resolve_working_days: int = Field(gt=0)


class Definition(_Strict):
    """A whole file: the helpline's flow, or one campaign."""

    flow: str | None = None
    campaign: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{1,38}$")
    active: bool = True
    title: Text | None = None
    category: CategorySpec | None = None
    routing: RoutingSpec = RoutingSpec()
    sla: SlaSpec | None = None
    description: str | None = None  # a campaign ticket's description, from its answers
    start: str
    nodes: dict[str, Node]

    @model_validator(mode="after")
    def _flow_or_campaign(self) -> Definition:
        if (self.flow is None) == (self.campaign is None):
            raise ValueError("a definition is either `flow: <name>` or `campaign: <code>`")
        if self.campaign and not (self.title and self.category and self.description):
            raise ValueError("a campaign needs `title`, `category` and `description`")
        return self

    @property
    def name(self) -> str:
        return self.flow or self.campaign or ""


def load_file(path: Path) -> Definition:
    """Parse and check one definition file (everything it names must exist)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DefinitionError(path, f"cannot read it: {exc}") from exc
    if not isinstance(raw, dict):
        raise DefinitionError(path, "expected a mapping at the top (flow: or campaign:)")
    try:
        definition = Definition.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = [str(part) for part in first["loc"]]
        node = location[1] if len(location) > 1 and location[0] == "nodes" else None
        raise DefinitionError(path, f"{'.'.join(location)}: {first['msg']}", node) from exc
    check_references(path, definition)
    return definition


def check_references(path: Path | str, definition: Definition) -> None:
    """Every goto, source, check, action, condition and text key must exist."""
    nodes = definition.nodes
    if definition.start not in nodes:
        raise DefinitionError(
            path, f"start {definition.start!r} is not a node{_near(definition.start, nodes)}"
        )
    for node_id, node in nodes.items():
        _check_node(path, definition, node_id, node)


def _check_node(path: Path | str, definition: Definition, node_id: str, node: Node) -> None:
    def fail(problem: str) -> DefinitionError:
        return DefinitionError(path, problem, node_id)

    targets = [
        node.goto,
        node.voice_skip,
        node.text_goto,
        *(option.goto for option in node.options),
    ]
    for target in targets:
        if target is not None and target not in definition.nodes:
            raise fail(f"goto {target!r} is not a node{_near(target, definition.nodes)}")
    named = [
        (node.source, steps.SOURCES, "source"),
        (node.text, steps.TEXT_HANDLERS, "text handler"),
        (node.when, steps.CONDITIONS, "condition"),
        (node.action, steps.ACTIONS, "action"),
        *((option.action, steps.ACTIONS, "action") for option in node.options),
    ]
    for name, registry, what in named:
        if name is not None and name not in registry:
            raise fail(f"unknown {what} {name!r}{_near(name, registry)}")
    if node.check is not None:
        check_name = node.check if isinstance(node.check, str) else next(iter(node.check), "")
        if check_name not in steps.CHECKS:
            raise fail(f"unknown check {check_name!r}{_near(check_name, steps.CHECKS)}")
    for text in _texts(node):
        if isinstance(text, str) and not steps.is_catalogue_key(text):
            raise fail(f"text {text!r} is not a catalogue key (menus.po) nor {{en: …}}")
        if isinstance(text, dict) and "en" not in text:
            raise fail("inline text needs at least its English (`en`) version")
    _check_shape(node, fail)


def _check_shape(node: Node, fail) -> None:
    if node.type == "menu" and not node.options:
        raise fail("a menu needs options")
    if node.type == "choose" and node.source is None:
        raise fail("a choose node needs a source")
    if node.type in ("choose", "ask") and node.goto is None and node.action is None:
        raise fail(f"a {node.type} node needs goto or action")
    if node.type == "confirm" and node.action is None:
        raise fail("a confirm node needs the action its Send runs")
    if node.when is not None and node.goto is None:
        raise fail("a node with `when` needs `goto` (where to go when it is skipped)")


def _texts(node: Node) -> list[Text]:
    texts: list[Text] = [node.prompt]
    for option in node.options:
        if option.label is not None:
            texts.append(option.label)
        if option.end is not None:
            texts.append(option.end)
    return texts


def _near(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def missing_translations(definition: Definition) -> list[tuple[str, str, str]]:
    """(node, language, text) for inline texts lacking a language (English is used)."""
    missing = []
    for node_id, node in definition.nodes.items():
        for text in _texts(node):
            if isinstance(text, dict):
                missing += [(node_id, lang, text["en"]) for lang in LANGUAGES if lang not in text]
    if isinstance(definition.title, dict):
        missing += [
            ("title", lang, definition.title["en"])
            for lang in LANGUAGES
            if lang not in definition.title
        ]
    return missing
