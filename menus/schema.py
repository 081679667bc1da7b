"""The shapes of menu definitions (`Definition` and its nodes, as pydantic models), the
information services a citizen can have sent by SMS (`InfoService`) and the error a bad
definition raises.

Types only: the definitions (loading and checking), the compiler, the steps and the
registry all import them from here, and none of them imports another for a type
(docs/architecture.md, "Layers"). What each node type means is in `menus.definition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grievance_engine import languages
from grievance_engine.models import AdminArea
from grievance_engine.place_names import local_name
from menus import text

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
    """Which level handles a campaign's requests: `route_to: upazila` (each upazila's
    office, the UNO's), `district` (each district's office) or `office CODE` (one
    office; `office:` alone says the same, the older form)."""

    office: str = "national-triage"
    queue: str = "default"
    route_to: str | None = Field(default=None, pattern=r"^(upazila|district|office [a-z0-9-]+)$")

    def target(self) -> tuple[str, str | None]:
        """("upazila" | "district", None) or ("office", its code)."""
        if self.route_to in ("upazila", "district"):
            return self.route_to, None
        if self.route_to:
            return "office", self.route_to.split(" ", 1)[1]
        return "office", self.office


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
    # A campaign's last screen, in its own noun ("request", not "complaint"); `{{ ref }}`
    filed: Text | None = None
    # One request per household (the phone is the household key), checked at filing
    once_per_household: bool = False
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


@dataclass(frozen=True)
class InfoService:
    """A public service whose details a citizen can have sent by SMS."""

    code: str
    names: dict[str, str]
    texts: dict[str, str]  # the SMS per language: jinja2 over district, portal

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def sms(self, language: str, *, district: AdminArea | None) -> str:
        source = self.texts.get(language) or self.texts["en"]
        name = local_name(district, language) if district else ""
        return (
            text.template(source, language).render(district=name, portal=_portal(district)).strip()
        )


def _portal(district: AdminArea | None) -> str:
    """The district's web portal: Bangladesh's are www.<district>.gov.bd."""
    if district is None or district.country != "BD":
        return ""
    slug = "".join(ch for ch in district.name.lower() if ch.isalnum())
    return f"www.{slug}.gov.bd"
