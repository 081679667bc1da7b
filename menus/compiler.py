"""Compile checked definitions into one runtime `Flow` of `menus.engine` nodes.

The helpline's nodes keep their names ("district"); a campaign's are prefixed with its
code ("food_relief.household"), so any number of campaigns live in one flow and a
USSD session can say where it is with one string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grievance_engine import languages as language_registry
from menus import steps
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Option, Outcome, Question, Retry
from menus.schema import Definition, MenuOption, Node
from menus.text import excerpt, render


def compile_flow(helpline: Definition, campaigns: list[Definition]) -> Flow:
    """The one flow every channel runs: the helpline and the active campaigns."""
    nodes: dict[str, Any] = {}
    _Compiler(helpline, None, nodes, campaigns).add_all()
    for campaign in campaigns:
        _Compiler(campaign, campaign, nodes, campaigns).add_all()
    return Flow(name=helpline.name, start=helpline.start, nodes=nodes)


class _Compiler:
    def __init__(
        self,
        definition: Definition,
        campaign: Definition | None,
        nodes: dict[str, Any],
        campaigns: list[Definition],
    ) -> None:
        self.definition, self.campaign = definition, campaign
        self.nodes, self.campaigns = nodes, campaigns
        self.prefix = f"{campaign.campaign}." if campaign else ""

    def add_all(self) -> None:
        for node_id, node in self.definition.nodes.items():
            full_id = self.prefix + node_id
            self.nodes[full_id] = self._node(full_id, node)

    # -- where a step leads --------------------------------------------------

    def arrive(self, conversation: Conversation, target: str) -> str:
        """`target`, or past it while its `when` is false (a skipped node)."""
        seen = set()
        while target not in seen:
            seen.add(target)
            node = self.definition.nodes[target]
            if node.when is None or steps.CONDITIONS[node.when](conversation):
                break
            target = node.goto
        return self.prefix + target

    def goto(self, conversation: Conversation, target: str, notice: str | None = None) -> Goto:
        return Goto(self.arrive(conversation, target), notice=notice)

    def after(self, conversation: Conversation, node: Node, notice: str | None = None) -> Outcome:
        """Where a node leads once answered: its action, else its goto."""
        if node.action is not None:
            context = steps.ActionContext(
                campaign=self.campaign,
                goto=self.arrive(conversation, node.goto)[len(self.prefix) :]
                if node.goto
                else None,
            )
            outcome = steps.ACTIONS[node.action](conversation, context)
            if isinstance(outcome, Goto):
                target = self.arrive(conversation, outcome.node)
                return Goto(target, notice=outcome.notice, fresh=outcome.fresh)
            return outcome
        return self.goto(conversation, node.goto, notice)

    # -- nodes ---------------------------------------------------------------

    def _node(self, full_id: str, node: Node) -> Choice | Question:
        prompt = self._prompt(node)
        if node.type == "menu":
            return Choice(
                id=full_id,
                prompt=prompt,
                options=lambda c, n=node: self._menu_options(c, n),
                on_choose=lambda c, option, n=node: self._menu_pick(c, n, option),
                on_text=self._typed(node) if node.text else None,
                needs_database=self._menu_needs_database(node)
                or node.text in steps.DATABASE_TEXT_HANDLERS,
            )
        if node.type == "choose":
            return Choice(
                id=full_id,
                prompt=prompt,
                options=steps.SOURCES[node.source],
                on_choose=lambda c, option, n=node: self._save(c, n, option),
                on_text=self._typed(node) if node.text else None,
                needs_database=node.action in steps.DATABASE_ACTIONS
                or node.text in steps.DATABASE_TEXT_HANDLERS,
            )
        if node.type == "ask":
            return Question(
                id=full_id,
                prompt=prompt,
                on_answer=lambda c, text, n=node: self._answer(c, n, text),
                needs_database=node.action in steps.DATABASE_ACTIONS,
                voice=node.voice,
                voice_skip=self.prefix + node.voice_skip if node.voice_skip else None,
            )
        return Choice(  # confirm
            id=full_id,
            prompt=prompt,
            options=lambda c: [Option(True, c.t("submit")), Option(False, c.t("cancel"))],
            on_choose=lambda c, option, n=node: (
                self.after(c, n) if option.value else Finish(c.t("cancelled"))
            ),
            needs_database=True,
        )

    def _prompt(self, node: Node) -> Callable[[Conversation], str]:
        def prompt(conversation: Conversation) -> str:
            return render(
                conversation,
                node.prompt,
                # UCS-2 (Bangla) screens hold 80 characters, not 182: quote less of it.
                excerpt=excerpt(
                    conversation.data.get("description", ""),
                    40 if language_registry.get(conversation.language).gsm7 else 20,
                ),
            )

        return prompt

    def _menu_options(self, conversation: Conversation, node: Node) -> list[Option]:
        options = []
        for index, item in enumerate(node.options):
            if item.campaigns:
                options += [
                    Option(("campaign", campaign.campaign), render(conversation, campaign.title))
                    for campaign in self.campaigns
                ]
            else:
                options.append(Option(("option", index), render(conversation, item.label)))
        return options

    def _menu_pick(self, conversation: Conversation, node: Node, option: Option) -> Outcome:
        kind, value = option.value
        if kind == "campaign":
            campaign = next(c for c in self.campaigns if c.campaign == value)
            conversation.data["campaign"] = value
            return Goto(f"{value}.{campaign.start}")
        item: MenuOption = node.options[value]
        if item.goto is not None:
            return self.goto(conversation, item.goto)
        if item.end is not None:
            return Finish(render(conversation, item.end))
        context = steps.ActionContext(campaign=self.campaign, goto=None)
        return steps.ACTIONS[item.action](conversation, context)

    def _menu_needs_database(self, node: Node) -> bool:
        return any(item.action in steps.DATABASE_ACTIONS for item in node.options)

    def _save(
        self, conversation: Conversation, node: Node, option: Option, *, typed: bool = False
    ) -> Outcome:
        field = (node.text_save or node.save) if typed else node.save
        if field:
            conversation.data[field] = option.value
            conversation.data[f"{field}_label"] = option.label
        if typed and node.text_goto:
            return self.goto(conversation, node.text_goto)
        return self.after(conversation, node)

    def _typed(self, node: Node) -> Callable[[Conversation, str], Outcome]:
        handler = steps.TEXT_HANDLERS[node.text]

        def on_text(conversation: Conversation, text: str) -> Outcome:
            result = handler(conversation, text)
            if isinstance(result, Option):
                return self._save(conversation, node, result, typed=True)
            if isinstance(result, Goto):  # e.g. "did you mean", a node of this definition
                return self.goto(conversation, result.node, result.notice)
            return result

        return on_text

    def _answer(self, conversation: Conversation, node: Node, text: str) -> Outcome:
        name, params = _check_spec(node.check)
        if name is None:
            checked = steps.Checked(text)
        else:
            checked = steps.CHECKS[name](conversation, text, **params)
            if isinstance(checked, Retry):
                return checked
        if node.save:
            conversation.data[node.save] = checked.value
            conversation.data[f"{node.save}_label"] = checked.label or str(checked.value)
        return self.after(conversation, node, checked.notice)


def _check_spec(check: str | dict | None) -> tuple[str | None, dict[str, Any]]:
    if check is None or isinstance(check, str):
        return check, {}
    name, params = next(iter(check.items()))
    return name, dict(params or {})
