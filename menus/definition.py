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

import yaml
from pydantic import ValidationError

from menus import steps, text
from menus.schema import LANGUAGES, Definition, DefinitionError, Node, Text


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
    for shown in _texts(node):
        if isinstance(shown, str) and not text.is_catalogue_key(shown):
            raise fail(f"text {shown!r} is not a catalogue key (menus.po) nor {{en: …}}")
        if isinstance(shown, dict) and "en" not in shown:
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
        for shown in _texts(node):
            if isinstance(shown, dict):
                missing += [(node_id, lang, shown["en"]) for lang in LANGUAGES if lang not in shown]
    if isinstance(definition.title, dict):
        missing += [
            ("title", lang, definition.title["en"])
            for lang in LANGUAGES
            if lang not in definition.title
        ]
    return missing
