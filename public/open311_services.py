"""Open311 services: each active category is a service (`service_code` = its code);
a campaign's category has `metadata` true and its questions as attributes.

A campaign's `ask` and `choose` nodes become attributes, in the order of the file:
`code` is the answer's name (`save`), the description its English prompt, a number
check a `number`, a `yes_no` choice a `singlevaluelist`. The district is not asked:
Open311 gives the place as `lat`/`long` or `address_string`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from grievance_engine import languages
from grievance_engine.models import Category
from menus import registry as menu_registry
from menus.schema import Definition, Node
from public.open311_format import Open311Error

# Answers the place stands for (address or coordinates), never asked as attributes.
_PLACE_ANSWERS = frozenset({"district", "upazila"})
_YES_NO = ({"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"})


def _campaigns() -> dict[str, Definition]:
    return {c.category.code: c for c in menu_registry.campaigns() if c.category is not None}


def services(*, session: Session) -> list[dict[str, Any]]:
    """GET services: every active category, in menu order."""
    campaigns = _campaigns()
    rows = session.exec(
        select(Category).where(col(Category.active)).order_by(col(Category.sort_order))
    ).all()
    return [_service(category, category.code in campaigns) for category in rows]


def _service(category: Category, campaign: bool) -> dict[str, Any]:
    others = [name for code, name in category.names.items() if code != languages.SOURCE]
    return {
        "service_code": category.code,
        "service_name": category.label(languages.SOURCE),
        "description": category.label(languages.SOURCE),
        "metadata": campaign,
        "type": "realtime",
        "keywords": ",".join(others),
        "group": "campaign" if campaign else "helpline",
    }


def definition(*, session: Session, code: str) -> dict[str, Any]:
    """GET services/{code}: the campaign's questions as attributes (none otherwise)."""
    category = active_category(session=session, code=code)
    campaign = _campaigns().get(category.code)
    return {
        "service_code": category.code,
        "attributes": [] if campaign is None else list(_attributes(campaign)),
    }


def active_category(*, session: Session, code: str) -> Category:
    category = session.exec(
        select(Category).where(Category.code == code, col(Category.active))
    ).first()
    if category is None:
        raise Open311Error(404, f"service_code {code[:40]!r} not found")
    return category


def _questions(campaign: Definition) -> list[Node]:
    asked = [node for node in campaign.nodes.values() if node.type in ("ask", "choose")]
    return [node for node in asked if node.save and node.save not in _PLACE_ANSWERS]


def _attributes(campaign: Definition):
    for order, node in enumerate(_questions(campaign), start=1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": node.save,
            "datatype": _datatype(node),
            "required": False,
            "datatype_description": "",
            "order": order,
            "description": _english(node.prompt),
        }
        if node.source == "yes_no":
            attribute["values"] = list(_YES_NO)
        yield attribute


def _datatype(node: Node) -> str:
    if node.source == "yes_no":
        return "singlevaluelist"
    if isinstance(node.check, dict) and "number" in node.check:
        return "number"
    return "string"


def _english(prompt: str | Mapping[str, str]) -> str:
    if isinstance(prompt, Mapping):
        return prompt.get(languages.SOURCE) or next(iter(prompt.values()), "")
    return prompt  # a catalogue key: the campaign uses a shared prompt


def answers_text(*, category_code: str, form: Mapping[str, str]) -> str:
    """The campaign answers a POST carried (`attribute[code]`), one "code: value" line
    each, in the campaign's order; "" for a category that is no campaign."""
    campaign = _campaigns().get(category_code)
    if campaign is None:
        return ""
    lines = []
    for node in _questions(campaign):
        value = (form.get(f"attribute[{node.save}]") or "").strip()
        if value:
            lines.append(f"{node.save}: {value[:200]}")
    return "\n".join(lines)
